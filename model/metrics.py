"""Model-level statistics (docs/model.md, "Outputs") and agent-level reporters.

All stocks are end-of-quarter values; flows are per quarter; USD bn unless named otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from agents.bank import capital_ratio
from core.coefficients import MARKET_BELIEF_2030, QUARTERS_PER_YEAR
from core.contracts import Loan
from core.lolr import lolr_outstanding
from core.state import Loss, Status

if TYPE_CHECKING:
    from model.economy import AIEconomy

AI_ROLES = frozenset({"hyperscaler", "lab", "neocloud", "chipmaker", "spv"})
PRIVATE_CREDIT_BORROWERS = frozenset({"lab", "neocloud", "spv"})
BEARER_TYPES = ("hyperscaler", "lab", "neocloud", "chipmaker", "spv", "fund", "bank", "outside")

MODEL_COLUMNS: tuple[str, ...] = (
    "ai_revenue", "capex", "cumulative_capex", "compute_utilisation", "bubble_index",
    "equity_value_ai", "ig_bonds_ai", "spv_debt", "private_credit_ai", "bank_loans_ai",
    "abs_outstanding", "ai_debt_total", "off_balance_sheet_share", "circular_revenue_share",
    "credit_spread_ig", "gpu_price_index", "defaults", "cumulative_losses",
    *(f"losses_{b}" for b in BEARER_TYPES),
    "bank_capital_ratio", "bank_capital_ratio_min", "fund_redemptions", "power_gw",
    "jobs_displaced",
    # extra diagnostics
    "hyperscaler_capex", "ig_bonds_issued", "chip_revenue", "lab_revenue", "revenue_gap",
    "sentiment", "expected_growth", "spot_rent", "demand_gw", "distressed", "defaulted_total",
    "gated_funds", "base_rate",
    # the bubble measure, credit, refinancing and power
    "fundamental_value_ai", "equity_drawdown", "failed_banks", "credit_stress",
    "debt_maturing", "debt_rolled", "power_queue_gw", "losses_households", "market_belief_2030",
    # who holds the risk: the holder sectors behind private credit
    "losses_insurers", "losses_pension_funds", "losses_retail_investors", "losses_other_lps",
    # how the build-out is financed this quarter: new money by source
    "financing_bonds", "financing_private_credit", "financing_equity", "financing_abs",
    # the central bank's facility (lender of last resort): advances outstanding
    "lolr_drawn",
    # circularity: the loop of firms whose money comes back to them (model/circularity.py)
    "circular_core_size", "circular_core_revenue_share", "loop_outside_money",
)
# the savings of ordinary people: deposits, retail fund holdings, pensions, insurance policies
HOUSEHOLD_ACCOUNTS = ("Depositors", "Retail investors", "Pension funds", "Insurers")
SECTOR_COLUMNS = {"losses_insurers": "Insurers", "losses_pension_funds": "Pension funds",
                  "losses_retail_investors": "Retail investors",
                  "losses_other_lps": "Other institutional LPs"}

AGENT_COLUMNS = ("name", "role", "cash", "debt", "equity", "leverage", "status", "revenue")


def agent_row(a) -> tuple:
    """An agent's end-of-quarter figures (its snapshot), in the order of AGENT_COLUMNS."""
    s = a.snap
    return (a.name, a.role, s.cash, s.debt, s.equity, s.leverage, s.status.value, s.revenue)


AGENT_REPORTERS = {col: (lambda a, k=k: agent_row(a)[k]) for k, col in enumerate(AGENT_COLUMNS)}


class QuarterlyCollector:
    """The quarter's statistics and each agent's figures, collected in one pass.

    It keeps mesa's ``DataCollector`` interface (``model_vars``, ``agent_reporters``,
    ``get_model_vars_dataframe``, ``get_agent_vars_dataframe`` with a (Step, AgentID) index)
    but takes the row :func:`compute_metrics` has already made and the agents' snapshots,
    where mesa would call, and deep-copy, one reporter per column and agent.
    """

    def __init__(self, columns: Sequence[str], agent_reporters: dict | None = None) -> None:
        self.model_vars: dict[str, list[float]] = {name: [] for name in columns}
        self.agent_reporters: dict = dict(agent_reporters or {})
        self._agent_rows: list[tuple] = []

    def collect(self, model: AIEconomy) -> None:
        """Record the quarter: the row of :func:`compute_metrics` and each agent's figures."""
        row = model.current
        for name, values in self.model_vars.items():
            values.append(row[name])
        if self.agent_reporters:
            time = model.time
            self._agent_rows.extend((time, a.unique_id, *agent_row(a)) for a in model.agents)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per quarter, one column per statistic."""
        return pd.DataFrame(self.model_vars)

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per quarter and agent, indexed by (Step, AgentID), as mesa gives it."""
        return pd.DataFrame.from_records(
            self._agent_rows, columns=["Step", "AgentID", *self.agent_reporters],
            index=["Step", "AgentID"])


class LossTotals:
    """Running totals of the realised losses, kept as each loss is recorded.

    The statistics read them every quarter; each total adds the losses in the order they
    were recorded, as a scan of the whole loss table would.
    """

    def __init__(self) -> None:
        self.by_type: dict[str, float] = dict.fromkeys(BEARER_TYPES, 0.0)
        self.by_bearer: defaultdict[str, list[float]] = defaultdict(list)
        self.households: list[float] = []

    def add(self, loss: Loss) -> None:
        """Count one more realised loss."""
        self.by_type[loss.bearer_type] = self.by_type.get(loss.bearer_type, 0.0) + loss.amount
        self.by_bearer[loss.bearer].append(loss.amount)
        if loss.bearer in HOUSEHOLD_ACCOUNTS:
            self.households.append(loss.amount)

    def of(self, bearer: str) -> float:
        """The realised losses one agent or outside account has borne so far."""
        return sum(self.by_bearer.get(bearer, ()))


def financing_by_source(m: AIEconomy) -> dict[str, float]:
    """New money raised this quarter by AI firms, by source (the Morgan Stanley split of the
    build-out's financing): corporate bonds sold to bond investors; private credit, meaning
    loans and privately placed notes from funds and banks to SPVs, neoclouds and labs; equity
    from outside investors and funds in labs, neoclouds and SPVs; ABS sold to investors.
    Rollovers are not new money. The rest of capex is paid from the firms' own cash flow.
    """
    owners = m.ledger.owners
    out = {"financing_bonds": 0.0, "financing_private_credit": 0.0, "financing_equity": 0.0,
           "financing_abs": 0.0}
    for (a, b, kind), amount in m.ledger.pairs.items():
        if kind not in ("lending", "equity_issue"):
            continue
        payer, payee = owners[a].role, owners[b].role
        if kind == "lending":
            if payee == "abs" and payer == "outside":
                out["financing_abs"] += amount
            elif payee not in AI_ROLES:
                continue
            elif payer in ("fund", "bank") and payee in PRIVATE_CREDIT_BORROWERS:
                out["financing_private_credit"] += amount
            elif payer == "outside":
                out["financing_bonds"] += amount
        elif payee in PRIVATE_CREDIT_BORROWERS and payer in ("outside", "fund"):
            out["financing_equity"] += amount
    return out


def compute_metrics(m: AIEconomy) -> dict[str, float]:
    """All model-level statistics of the quarter just simulated."""
    p = m.params
    ig = spv = pc = bank = other = 0.0
    for c in m.book.of(Loan):
        issuer_role = c.issuer.role
        if issuer_role not in AI_ROLES:
            if issuer_role == "abs" and c.holder.role == "fund":
                pc += c.value()        # tranches of AI loans a fund kept: still its exposure
            continue
        value = c.value()
        holder_role = c.holder.role
        if issuer_role == "spv":
            spv += value
        elif c.category == "ig_bond" or c.category == "finance_lease":
            ig += value
        else:
            other += value
        if holder_role == "fund":
            pc += value
        elif holder_role == "bank":
            bank += value
    total = ig + spv + other
    # failed banks leave the capital statistics; ratios stay within [-1, 1]
    capital = [(b.equity, b.risk_weighted_assets()) for b in m.banks
               if b.status != Status.DEFAULTED]          # one valuation each
    bank_equity = sum(e for e, _ in capital)
    bank_rwa = sum(r for _, r in capital)
    chip_rev = sum(c.sales for c in m.chipmakers)
    # the last four quarters of vendor financing and chip sales (circular revenue share)
    vendor_4q, chip_4q = sum(m.vendor_history), sum(m.chip_history)
    losses = m.loss_totals.by_type
    annual_revenue = QUARTERS_PER_YEAR * m.market.revenue
    statuses = [a.status for a in m.finance_agents]
    row = {
        "ai_revenue": m.market.revenue,
        "capex": m.flows.capex,
        "cumulative_capex": m.market.cumulative_capex,
        "compute_utilisation": m.market.utilisation,
        "bubble_index": m.market.bubble_index,
        "equity_value_ai": m.market.value_ai,
        "ig_bonds_ai": ig,
        "spv_debt": spv,
        "private_credit_ai": pc,
        "bank_loans_ai": bank,
        "abs_outstanding": sum(v.notes_outstanding for v in m.abs_vehicles),
        "ai_debt_total": total,
        "off_balance_sheet_share": spv / total if total > 0 else 0.0,
        "circular_revenue_share": min(vendor_4q, chip_4q) / chip_4q if chip_4q > 0 else 0.0,
        "credit_spread_ig": m.market.ig_spread * 1e4,
        "gpu_price_index": m.market.gpu_price_index,
        "defaults": m.flows.defaults,
        "cumulative_losses": sum(losses.values()),
        **{f"losses_{b}": losses.get(b, 0.0) for b in BEARER_TYPES},
        "bank_capital_ratio": capital_ratio(bank_equity, bank_rwa) if capital else 0.0,
        "bank_capital_ratio_min": min((capital_ratio(e, r) for e, r in capital), default=0.0),
        "fund_redemptions": m.flows.fund_redemptions,
        "power_gw": m.market.capacity_total,
        "jobs_displaced": annual_revenue * 1e9 * p.substitution_share / (p.average_wage * 1e3)
        / 1e6,
        "hyperscaler_capex": m.flows.hyperscaler_capex,
        "ig_bonds_issued": m.flows.ig_bonds_issued,
        "chip_revenue": chip_rev,
        "lab_revenue": sum(lab.income.get("ai_revenue", 0.0) for lab in m.labs),
        "revenue_gap": m.market.revenue_gap,
        "sentiment": m.market.sentiment,
        "expected_growth": m.market.expected_growth,
        "spot_rent": m.market.spot_rent,
        "demand_gw": m.market.demand_gw,
        "distressed": float(statuses.count(Status.DISTRESSED)),
        "defaulted_total": float(statuses.count(Status.DEFAULTED)),
        "gated_funds": float(sum(1 for f in m.funds if f.gated)),
        "base_rate": m.market.base_rate,
        "fundamental_value_ai": m.market.fundamental_value,
        "equity_drawdown": m.market.drawdown,
        "failed_banks": float(len(m.banks) - len(capital)),
        "credit_stress": m.market.credit_stress,
        "debt_maturing": m.flows.debt_maturing,
        "debt_rolled": m.flows.debt_rolled,
        "power_queue_gw": m.market.power_queue_gw,
        "losses_households": sum(m.loss_totals.households),
        **{col: m.loss_totals.of(name) for col, name in SECTOR_COLUMNS.items()},
        "market_belief_2030": m.market.belief * MARKET_BELIEF_2030,
        **financing_by_source(m),
        "lolr_drawn": lolr_outstanding(m),
        "circular_core_size": float(m.circularity.size),
        "circular_core_revenue_share": m.circularity.revenue_share,
        "loop_outside_money": m.circularity.outside_money,
    }
    return row
