"""AIEconomy: the Mesa model of the AI-infrastructure build-out and its financing.

One step is one quarter (step 0 = 2025Q1); all money is USD bn. The quarter's phases are the
ten calls in :meth:`AIEconomy.step`, in the order of docs/model.md, "Process overview".
"""

from __future__ import annotations

import gc
import numbers
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents import SPV, FinancialAgent
from agents.secondary import SecondaryOwner
from core.coefficients import (
    BASE_RENT,
    GPU_VENDORS,
    IG_SPREAD_BASE,
    NETWORK_QUARTERS,
    QUARTERS_PER_YEAR,
    SURPRISE_QUARTERS_TO_2030,
    TERM_PREMIUM,
)
from core.contracts import (
    Backstop,
    ComputeContract,
    ContractBook,
    EquityStake,
    Lease,
    Loan,
    Warrant,
)
from core.credit import CreditMarket
from core.errors import ParameterError
from core.events import Event, quarter_label
from core.finance import relationship
from core.ledger import Ledger
from core.markets import RevenuePath, RevenueSurprise, capacity_value
from core.state import Loss, MarketState, QuarterFlows, RandomStreams, Status
from model import phases
from model.circularity import MEASURED_KINDS, Circularity
from model.invariants import check_invariants
from model.metrics import AGENT_REPORTERS, MODEL_COLUMNS, LossTotals, QuarterlyCollector
from model.parameters import PARAMETER_INFO
from model.roster import build_outside_sector, build_roster, load_roster_data
from model.scenario import Scenario, load_scenario
from model.synthetic import synthetic_roster

MAX_QUARTERS = 400
"""The longest run the model accepts (100 years)."""

ROSTERS = ("calibrated", "synthetic", "empty")


class AIEconomy(mesa.Model):
    """The AI credit economy.

    Args:
        scenario: a packaged scenario name (``baseline``, ``boom``, ``bust``), a path to a
            TOML file, or a :class:`Scenario`.
        rng: seed (or numpy Generator) for every random draw in the run.
        roster: ``"calibrated"`` (the named firms of 2025), ``"synthetic"`` (``roster_size``
            firms per role drawn around them) or ``"empty"`` (only the outside-sector
            accounts: build a small economy by hand, then call :meth:`open_books`).
        roster_size: agents per role for a synthetic roster.
        agent_data: collect the agent-level statistics every quarter (batches that only need
            the model-level frame switch it off: it is about a sixth of a run's time).
        **overrides: parameter values that replace the scenario's.

    Raises:
        ParameterError: unknown scenario or parameter, or a value outside its range.
    """

    def __init__(self, scenario: str | Path | Scenario = "baseline", *, rng: Any = None,
                 roster: str = "calibrated", roster_size: int | None = None,
                 agent_data: bool = True, **overrides: Any) -> None:
        loaded = load_scenario(scenario, **overrides)
        rng = _checked_rng(rng)
        if roster not in ROSTERS:
            raise ParameterError(f"roster must be one of {ROSTERS}, got {roster!r}")
        if roster == "synthetic" and (not isinstance(roster_size, int) or isinstance(
                roster_size, bool) or not 1 <= roster_size <= 100_000):
            raise ParameterError(
                f"roster_size must be a whole number in [1, 100000] for a synthetic roster, "
                f"got {roster_size!r}")
        super().__init__(rng=rng)
        self.streams = RandomStreams.spawn(self.rng)
        self.scenario_spec = loaded
        self.params = p = loaded.params
        # payments by pair are kept for the kinds the circularity measure and the financing
        # statistics read (revenue and new financing), not for debt service and the like
        self.ledger = Ledger(pair_kinds=MEASURED_KINDS)
        self.book = ContractBook()
        self.credit = CreditMarket(self)
        self.t = 0
        self.events: list[Event] = []
        self.losses: list[Loss] = []
        self.loss_totals = LossTotals()          # running sums of the loss table
        self.hyperscalers: list = []
        self.labs: list = []
        self.neoclouds: list = []
        self.chipmakers: list = []
        self.spvs: list = []
        self.funds: list = []
        self.banks: list = []
        self.abs_vehicles: list = []
        self.spv_by_key: dict = {}
        self._by_name: dict[str, FinancialAgent] = {}
        self._finance_agents: list[FinancialAgent] = []
        self.revenue_path = RevenuePath.solve(p.revenue_2030, p.revenue_ceiling_multiple)
        # quarterly shock size that gives 2030 revenue the stated uncertainty
        self.surprise_scale = RevenueSurprise.shock_scale(p.revenue_uncertainty,
                                                           SURPRISE_QUARTERS_TO_2030)
        self.flows = QuarterFlows()
        self.market = MarketState(base_rate=p.base_rate, long_rate=p.base_rate + TERM_PREMIUM,
                                  ig_spread=IG_SPREAD_BASE, spot_rent=BASE_RENT)
        self.secondary: SecondaryOwner | None = None
        self.roster_rounds: list = []
        self.warrant: Warrant | None = None
        self.warrant_vesting = (0, 1)
        self.current: dict[str, float] = {}
        self.value_peak_quarter = 0           # when AI equity was worth most (for the news)
        self.vendor_history: deque[float] = deque(maxlen=4)
        self.chip_history: deque[float] = deque(maxlen=4)
        # the last quarters' firm-to-firm payment networks and the circular core they make
        self.loop_networks: deque[dict] = deque(maxlen=NETWORK_QUARTERS)
        self.circularity = Circularity()
        self.news_sent: set[str] = set()
        self._results: pd.DataFrame | None = None

        if roster == "empty":
            build_outside_sector(self)
        else:
            data = load_roster_data()
            if roster == "synthetic":
                data = synthetic_roster(data, roster_size, self.rng)
            build_roster(self, data)
            phases.initial_markets(self)
            self.open_books()
        self.agent_data = bool(agent_data)
        self.datacollector = QuarterlyCollector(
            MODEL_COLUMNS, AGENT_REPORTERS if self.agent_data else None)

    def open_books(self) -> None:
        """Take the present balance sheets as the opening position the invariants start from."""
        for b in self.banks:
            b.refresh_capital()
        for f in self.funds:
            f.nav_mark = f.nav
        for a in self.all_agents:
            a.snap = a.snapshot()
            a.net_worth_0 = a.equity
            a.pnl = a.capital = 0.0
            a.income.clear()
            a.prev_income = {}
        self.ledger.initial_total = self.ledger.total()

    # --- the quarter -----------------------------------------------------------------------
    def step(self) -> None:
        """Advance one quarter: the ten phases of docs/model.md, "Process overview", in order."""
        phases.begin_quarter(self)
        phases.demand(self)          # 1. end-customer AI revenue, efficiency shocks
        phases.compute(self)         # 2. take-or-pay and spot compute, utilisation
        phases.operations(self)      # 3. opex, power, depreciation, payouts
        phases.debt_service(self)    # 4. leases, interest and principal
        phases.investment(self)      # 5. expected demand -> capex plans, power cap
        phases.financing(self)       # 6. pecking order: cash, bonds, SPVs, equity, GPU loans
        phases.credit_supply(self)   # 7. LP flows, gates, bank capital and lines
        phases.markets(self)         # 8. valuations, sentiment, spreads, rents, marks
        phases.distress(self)        # 9. fire sales, defaults cleared over the network
        phases.record(self)          # 10. statistics and the event log
        self.t += 1

    def run(self, quarters: int = 40) -> pd.DataFrame:
        """Run until ``quarters`` quarters have been simulated; return :meth:`results`."""
        if (isinstance(quarters, bool) or not isinstance(quarters, int)
                or not 0 <= quarters <= MAX_QUARTERS):
            raise ParameterError(f"quarters must be a whole number in [0, {MAX_QUARTERS}], got "
                                 f"{quarters!r}")
        # a run allocates many small long-lived objects (contracts, records): collect the
        # young generation less often, which saves about a third of the run time
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
        try:
            while self.t < quarters:
                self.step()
        finally:
            gc.set_threshold(*threshold)
        return self.results()

    def results(self) -> pd.DataFrame:
        """Model-level statistics, one row per quarter simulated so far."""
        if self._results is None or len(self._results) != self.t:
            columns = self.datacollector.model_vars
            rows = len(next(iter(columns.values())))
            data: dict[str, Any] = {"quarter": [quarter_label(t) for t in range(rows)]}
            # one numpy array per column (pandas infers the same dtypes, faster)
            data.update((name, np.array(values) if rows else values)
                        for name, values in columns.items())
            self._results = pd.DataFrame(data, copy=False)
        return self._results

    # --- lookups ---------------------------------------------------------------------------
    @property
    def quarter_label(self) -> str:
        """Label of the last completed quarter ("" before the first step)."""
        return quarter_label(self.t - 1) if self.t > 0 else ""

    def gpu_vendors(self, buyer: FinancialAgent) -> list[tuple[FinancialAgent, float]]:
        """The chipmakers a buyer deals with and their shares of its purchases."""
        vendors = relationship(buyer, self.chipmakers, GPU_VENDORS)
        total = sum(c.market_share for c in vendors) or 1.0
        return [(c, c.market_share / total) for c in vendors]

    def capacity_owners(self) -> list[FinancialAgent]:
        """Agents that own data-centre capacity (each GW is counted once, by its owner)."""
        return [*self.hyperscalers, *self.neoclouds, *self.spvs, self.secondary]

    @property
    def all_agents(self) -> list[FinancialAgent]:
        """Every account holder, outside sector included, in creation order."""
        return list(self._by_name.values())

    @property
    def finance_agents(self) -> list[FinancialAgent]:
        """The strategic agents (not the outside-sector accounts), in a stable order."""
        return list(self._finance_agents)

    def agent_by_name(self, name: str) -> FinancialAgent:
        """Find an agent by its display name."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no agent named {name!r}") from None

    def register(self, agent: FinancialAgent) -> None:
        """Index a new agent by name (called by FinancialAgent)."""
        if agent.name in self._by_name:
            raise ValueError(f"duplicate agent name {agent.name!r}")
        self._by_name[agent.name] = agent
        if agent.role != "outside":
            self._finance_agents.append(agent)

    def add_spv(self, name: str, sponsor: FinancialAgent) -> SPV:
        """Create a new SPV for ``sponsor``."""
        spv = SPV(self, name, sponsor)
        self.spvs.append(spv)
        return spv

    @property
    def event_log(self) -> list[tuple[str, str]]:
        """(quarter label, sentence) pairs, oldest first."""
        return [(e.quarter, e.text) for e in self.events]

    def apply_policy(self, **levers: float) -> None:
        """Change policy parameters from the next quarter on (a regulator acting mid-run).

        Only parameters of the "policy" group may change; values are checked as at start-up
        and each change is logged.
        """
        for name in levers:
            info = PARAMETER_INFO.get(name)
            if info is None or info.group != "policy":
                allowed = ", ".join(n for n, i in PARAMETER_INFO.items() if i.group == "policy")
                raise ParameterError(f"{name!r} is not a policy lever; policy levers: {allowed}")
        new = self.params.with_overrides(**levers)
        for name in levers:
            old, value = getattr(self.params, name), getattr(new, name)
            if old != value:
                info = PARAMETER_INFO[name]
                unit = "" if info.unit == "0/1" else f" {info.unit}"
                self.log(f"Policy: {info.label} set to {value:g}{unit} (was {old:g})",
                         "policy")
        self.params = new

    def log(self, text: str, kind: str = "info", *agents: FinancialAgent) -> None:
        """Add a plain-language entry to the event log for the current quarter."""
        self.events.append(Event(quarter_label(self.t), self.t, kind, text,
                                 tuple(a.name for a in agents)))

    def record_loss(self, bearer: FinancialAgent, channel: str, amount: float) -> None:
        """Attribute a realised loss to the agent or outside account that finally bears it."""
        if amount > 1e-9:
            self.add_loss(Loss(self.t, bearer.name, bearer.role, channel, amount))

    def add_loss(self, loss: Loss) -> None:
        """Enter a realised loss (or a correction of one) in the loss table."""
        self.losses.append(loss)
        self.loss_totals.add(loss)

    def prev_income(self, agent: FinancialAgent, kind: str) -> float:
        """An income-statement line of the agent in the previous quarter."""
        return agent.prev_income.get(kind, 0.0)

    def prev_pnl(self, agent: FinancialAgent) -> float:
        """The agent's total profit or loss in the previous quarter."""
        return sum(agent.prev_income.values())

    # --- valuation -------------------------------------------------------------------------
    def valuation(self, agent: FinancialAgent) -> float:
        """Market value of an agent's equity: its annual AI revenue at the market's multiple for
        AI firms (normal multiple x growth premium x sentiment), plus cash, less debt.

        Private SPVs, the secondary-market operators and the financial sector are valued at book.
        """
        if agent.status == Status.DEFAULTED:
            return 0.0
        multiple = QUARTERS_PER_YEAR * self.market.firm_multiple
        if agent.role == "lab":
            rev = agent.income.get("ai_revenue", 0.0) or agent.prev_income.get("ai_revenue", 0.0)
            return max(0.0, rev * multiple + agent.cash - agent.debt)
        if agent.role == "neocloud":
            rev = agent.income.get("compute", 0.0) + agent.income.get("backstop", 0.0)
            return max(0.0, rev * multiple + agent.cash - agent.debt)
        if agent.role == "chipmaker":
            sales = agent.income.get("gpu_purchase", 0.0)
            return max(0.0, sales * multiple + agent.cash + agent.other_assets - agent.debt)
        return max(0.0, agent.equity)

    def market_value_of_capacity(self, agent: FinancialAgent) -> float:
        """What the agent's data centres and GPUs (built or not) would fetch today."""
        mk = self.market
        return capacity_value(agent.gpu_market, agent.building_book, mk.spot_rent,
                              mk.utilisation, mk.fire_sale_factor)

    # --- reports ---------------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Raise AccountingError if a stock-flow identity fails (docs/model.md, section 4)."""
        check_invariants(self)

    def exposures(self) -> pd.DataFrame:
        """Who owes whom now: one row per debtor, creditor and contract kind."""
        agg: dict[tuple[str, str, str], float] = defaultdict(float)
        for c in self.book.contracts:
            if not c.active:
                continue
            if isinstance(c, EquityStake):
                # the issuer "owes" its shareholders their stake's value
                agg[(c.issuer.name, c.holder.name, "equity")] += c.value()
            elif isinstance(c, Loan):
                agg[(c.issuer.name, c.holder.name, c.kind)] += c.value()
            else:
                amount = c.value() or _contract_exposure(self, c)
                agg[(c.issuer.name, c.holder.name, c.kind)] += amount
        rows = [(d, k, kind, v) for (d, k, kind), v in agg.items() if v > 1e-9]
        return pd.DataFrame(rows, columns=["debtor", "creditor", "kind", "amount"])

    def losses_by_bearer(self) -> pd.DataFrame:
        """Cumulative realised losses by who bears them and through which channel."""
        rows = [(x.t, x.bearer, x.bearer_type, x.channel, x.amount) for x in self.losses]
        df = pd.DataFrame(rows, columns=["t", "bearer", "bearer_type", "channel", "loss"])
        if df.empty:
            return pd.DataFrame(columns=["bearer", "bearer_type", "channel", "loss"])
        return (df.groupby(["bearer", "bearer_type", "channel"], as_index=False)["loss"].sum()
                .sort_values("loss", ascending=False, ignore_index=True))


def _checked_rng(rng: Any) -> Any:
    """None, a whole-number seed (numpy integers too), a SeedSequence or a Generator."""
    if rng is None or isinstance(rng, np.random.SeedSequence | np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool | np.bool_):
        if rng < 0:
            raise ParameterError(f"rng must be a non-negative seed, got {rng!r}")
        return int(rng)
    raise ParameterError(f"rng must be None, a whole-number seed, a numpy SeedSequence or a "
                         f"numpy Generator, got {rng!r} ({type(rng).__name__})")


def _contract_exposure(m: AIEconomy, c) -> float:
    """Remaining commitment of an executory contract (lease, compute, backstop)."""
    t = m.t
    end = getattr(c, "end", t)
    quarters = max(0, end - max(t, c.start) + 1)
    if isinstance(c, Lease):
        return c.rent * quarters
    if isinstance(c, ComputeContract):
        return c.price * c.gw * quarters
    if isinstance(c, Backstop):
        return c.quarterly_cap * quarters
    return 0.0

