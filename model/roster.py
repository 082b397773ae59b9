"""Build the starting economy from the packaged roster file (model/data/roster.toml).

Opening balances are initial conditions: pre-2025 debt and stakes are booked without cash
moving; deals made at the start (the 2025 SPVs) move cash through the ledger like any other.
"""

from __future__ import annotations

import pickle
import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from agents import (
    AILab,
    Bank,
    Chipmaker,
    Hyperscaler,
    Neocloud,
    OutsideSector,
    PrivateCreditFund,
)
from agents.secondary import SecondaryOwner
from core.coefficients import (
    AI_SHARE_OF_DC,
    BANK_OTHER_LOAN_RATE,
    BASE_RENT,
    CONTRACT_PREMIUM,
    DEPOSIT_BETA,
    FINANCE_LEASE_RATE,
    FUND_OTHER_BOOK_QUARTERS,
    FUND_OTHER_LOAN_RATE,
    GPU_LOAN_SPREAD,
    GPU_SHARE_OF_CAPEX,
    LAB_REVOLVER_SHARE,
    LAB_REVOLVER_SPREAD,
    LAB_SHARE_2025,
    LEGACY_BOND_COUPON,
    LEGACY_BOND_LADDER,
    LEGACY_CHIP_BOND_QUARTERS,
    LEGACY_GPU_LOAN_QUARTERS,
    LEGACY_LEASE_QUARTERS,
    LP_SECTORS,
    LP_SHARES_2025,
    NAV_LINE_SPREAD,
    NEOCLOUD_GPU_SHARE,
    OPEN_ENDED,
    QUARTERS_PER_YEAR,
    SECTOR_ASSETS,
)
from core.contracts import (
    Backstop,
    Bond,
    ComputeContract,
    CreditLine,
    Deposit,
    EquityStake,
    Loan,
    Warrant,
)
from core.finance import issue_equity, lend, relationship

if TYPE_CHECKING:
    from model.economy import AIEconomy

CONTRACT_PRICE = CONTRACT_PREMIUM * BASE_RENT   # 2025 take-or-pay price per GW-quarter


def load_roster_data() -> dict:
    """The packaged roster as a dict (a fresh copy: the caller may change it)."""
    return pickle.loads(_packaged_roster())


@cache
def _packaged_roster() -> bytes:
    """The roster file, parsed once per process and kept pickled.

    Unpickling is a cheap deep copy: every model starts from the same data, whatever an
    earlier one did to its copy.
    """
    text = resources.files("model.data").joinpath("roster.toml").read_text("utf-8")
    return pickle.dumps(tomllib.loads(text))


OUTSIDE_ACCOUNTS = (
    ("customers", "End customers"), ("bond_investors", "Bond investors"),
    ("equity_investors", "Equity investors"), *LP_SECTORS,
    ("suppliers", "Suppliers"), ("other_borrowers", "Other borrowers"),
    ("depositors", "Depositors"), ("distressed_investors", "Distressed-asset buyers"),
    ("clearing_house", "Clearing house"), ("central_bank", "Central bank"))


def build_outside_sector(m: AIEconomy) -> None:
    """Open the outside-sector accounts (end customers, investors, suppliers, ...) and the
    secondary-market operators who buy fire-sold capacity.
    """
    for key, label in OUTSIDE_ACCOUNTS:
        setattr(m, key, OutsideSector(m, label))
    m.lp_sectors = [getattr(m, key) for key, _ in LP_SECTORS]
    for sector, assets in zip(m.lp_sectors, SECTOR_ASSETS, strict=True):
        sector.sector_assets = assets
    m.secondary = SecondaryOwner(m, "Secondary-market GPU owners")


def build_roster(m: AIEconomy, data: dict) -> None:
    """Create every agent and the contracts between them."""
    p = m.params
    build_outside_sector(m)

    for name, spec in data["hyperscalers"].items():
        h = Hyperscaler(m, name, spec)
        ai_assets = AI_SHARE_OF_DC * spec["dc_assets"]
        _install_capacity(h, ai_assets, p.cost_per_gw)
        h.other_assets = max(0.0, spec["book_equity"] + spec["bonds"] + spec["finance_leases"]
                             - spec["cash"] - ai_assets)
        for quarters, share in LEGACY_BOND_LADDER:
            _legacy_debt(m, h, share * spec["bonds"], Bond, "ig_bond", LEGACY_BOND_COUPON,
                         quarters)
        _legacy_debt(m, h, spec["finance_leases"], Loan, "finance_lease", FINANCE_LEASE_RATE,
                     LEGACY_LEASE_QUARTERS, amortising=True)
        m.hyperscalers.append(h)
    for name, spec in data["labs"].items():
        m.labs.append(AILab(m, name, spec))
    for name, spec in data["chipmakers"].items():
        c = Chipmaker(m, name, spec)
        c.other_assets = max(0.0, spec["book_equity"] + spec["bonds"] - spec["cash"])
        _legacy_debt(m, c, spec["bonds"], Bond, "corporate_bond", LEGACY_BOND_COUPON,
                     LEGACY_CHIP_BOND_QUARTERS)
        m.chipmakers.append(c)
    for name, spec in data["funds"].items():
        m.funds.append(PrivateCreditFund(m, name, spec["aum"]))
    lines_by_bank = {name: sum(f["line_drawn"] for f in data["funds"].values()
                               if f["line_bank"] == name) for name in data["banks"]}
    for name, spec in data["banks"].items():
        loans = spec["other_loans"] + lines_by_bank[name]
        deposits = (1.0 + spec["cash_share"]) * loans - spec["equity"]
        # opening balance: equity + deposits = cash + loans (the lines are booked below)
        b = Bank(m, name, spec["equity"] + deposits - lines_by_bank[name])
        b.deposits = m.book.add(Deposit(issuer=b, holder=m.depositors, start=0,
                                        principal=deposits, beta=DEPOSIT_BETA, floating=True,
                                        maturity=OPEN_ENDED, category="deposit"))
        m.banks.append(b)
    for name, spec in data["neoclouds"].items():
        n = Neocloud(m, name, spec)
        _install_capacity(n, spec["dc_assets"], p.cost_per_gw, gpu_share=NEOCLOUD_GPU_SHARE)
        for lender, share in spec["lenders"]:
            _legacy_debt(m, n, share * spec["gpu_loans"], Loan, "gpu_loan", GPU_LOAN_SPREAD,
                         LEGACY_GPU_LOAN_QUARTERS,
                         holder=m.agent_by_name(lender), floating=True, amortising=True,
                         collateral=n)
        m.neoclouds.append(n)

    for spec in data["spvs"]:
        _build_spv(m, spec)
    for spec in data["compute_contracts"]:
        buyer, provider = m.agent_by_name(spec["buyer"]), m.agent_by_name(spec["provider"])
        quarters = 4 * spec["years"]
        gw = spec["total"] / quarters / CONTRACT_PRICE
        m.book.add(ComputeContract(issuer=buyer, holder=provider, start=spec["start"], gw=gw,
                                   price=CONTRACT_PRICE, end=spec["start"] + quarters - 1,
                                   take_or_pay=p.take_or_pay))
    bs = data["backstop"]
    m.book.add(Backstop(issuer=m.agent_by_name(bs["guarantor"]),
                        holder=m.agent_by_name(bs["beneficiary"]), start=bs["start"],
                        quarterly_cap=bs["total"] / (4 * bs["years"]),
                        end=bs["start"] + 4 * bs["years"] - 1))
    for holder, issuer, fraction in data["stakes"]:
        issuer_agent = m.agent_by_name(issuer)
        m.book.add(EquityStake(issuer=issuer_agent, holder=m.agent_by_name(holder), start=0,
                               fraction=fraction, cost_basis=0.0, mark=0.0))
    w = data["warrant"]
    m.warrant = m.book.add(Warrant(issuer=m.agent_by_name(w["issuer"]),
                                   holder=m.agent_by_name(w["holder"]), start=0,
                                   fraction=w["fraction"], strike=w["strike"]))
    m.warrant_vesting = (w["vest_start"], w["vest_quarters"])
    m.roster_rounds = [tuple(r) for r in data["rounds"]]

    # The rest of the funds' and banks' books: non-AI loans, which keep them realistic in
    # size (capital ratios, NAV) while the AI book is what moves.
    for f, spec in zip(m.funds, data["funds"].values(), strict=True):
        lend(m, f, m.other_borrowers, f.cash - spec["cash_share"] * spec["aum"], Loan,
             rate=FUND_OTHER_LOAN_RATE, floating=True, maturity=FUND_OTHER_BOOK_QUARTERS,
             amortising=True, category="corporate")
        # the bank line that levers the fund: drawn before 2025 (no cash moves now)
        f.line = m.book.add(CreditLine(issuer=f, holder=m.agent_by_name(spec["line_bank"]),
                                       start=0, principal=spec["line_drawn"],
                                       limit=spec["line_limit"], rate=NAV_LINE_SPREAD,
                                       floating=True, maturity=OPEN_ENDED, category="nav_line"))
        f.lp_shares = dict(zip(m.lp_sectors, LP_SHARES_2025, strict=True))
    for lab in m.labs:
        # a revolving credit facility from its relationship bank (OpenAI's 4B revolver, 2024)
        bank = relationship(lab, m.banks, 1)[0]
        revenue = QUARTERS_PER_YEAR * m.revenue_path.at(0) * LAB_SHARE_2025 * lab.revenue_share
        lab.line = m.book.add(CreditLine(issuer=lab, holder=bank, start=0, principal=0.0,
                                         limit=LAB_REVOLVER_SHARE * revenue,
                                         rate=LAB_REVOLVER_SPREAD, floating=True,
                                         maturity=OPEN_ENDED, category="revolver"))
    for b, spec in zip(m.banks, data["banks"].values(), strict=True):
        lend(m, b, m.other_borrowers, spec["other_loans"], Loan, rate=BANK_OTHER_LOAN_RATE,
             floating=True, maturity=OPEN_ENDED, category="corporate")


def _install_capacity(agent, value: float, cost_per_gw: float,
                      gpu_share: float = GPU_SHARE_OF_CAPEX, online: int = 0) -> None:
    """Give an agent real capacity worth ``value`` (online now, or in the pipeline)."""
    agent.gpu_book += gpu_share * value
    agent.gpu_market += gpu_share * value
    agent.building_book += (1.0 - gpu_share) * value
    if online <= 0:
        agent.capacity_gw += value / cost_per_gw
    else:
        agent.pipeline.append((online, value / cost_per_gw))


def _legacy_debt(m: AIEconomy, issuer, amount: float, cls: type[Loan], category: str,
                 rate: float, quarters: int, holder=None, **terms) -> None:
    """Debt issued before 2025: on both balance sheets from the start, no cash moves."""
    if amount <= 0:
        return
    m.book.add(cls(issuer=issuer, holder=holder or m.bond_investors, start=0, principal=amount,
                   rate=rate, maturity=quarters, category=category, **terms))


def _build_spv(m: AIEconomy, spec: dict) -> None:
    """One of the 2025 SPV deals: equity and debt in, assets bought, lease to the sponsor.

    The lease starts when the capacity is energised; until then the debt pays interest only,
    out of a reserve kept from the proceeds (Hyperion held its proceeds in Treasuries).
    """
    sponsor = m.agent_by_name(spec["sponsor"])
    spv = m.add_spv(spec["name"], sponsor)
    total_equity = sum(a for _, a in spec["equity"])
    for holder, amount in spec["equity"]:
        issue_equity(m, spv, m.agent_by_name(holder), amount, total_equity)
    spv.rebalance_stakes()
    online = spec["online_quarter"]
    debt = sum(amount for _, amount, _ in spec["lenders"])
    for holder, amount, kind in spec["lenders"]:
        lend(m, m.agent_by_name(holder), spv, amount, Bond if kind == "bond" else Loan,
             rate=spec["rate"], floating=spec["floating"],
             maturity=QUARTERS_PER_YEAR * spec["maturity_years"], amortising=True,
             balloon=spec["balloon"] * amount, amortise_from=online, category="spv_debt",
             collateral=spv)
    coupon = spec["rate"] + (m.params.base_rate if spec["floating"] else 0.0)
    reserve = debt * coupon / QUARTERS_PER_YEAR * online
    cost = spv.cash - reserve
    # assets bought before the model starts: paid to suppliers, no 2025 chip sales
    m.ledger.transfer(spv, m.suppliers, cost, "building_purchase")
    _install_capacity(spv, cost, m.params.cost_per_gw, gpu_share=spec["gpu_share"],
                      online=online)
    spv.sign_lease(spec["lease_years"], renewable=spec["renewable"],
                   guarantee=spec["guaranteed_value"])
