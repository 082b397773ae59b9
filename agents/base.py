"""FinancialAgent: an agent with a balance sheet, a ledger account and an income statement.

Net worth is assets minus liabilities. Every change of it must come from a recorded flow:
a ledger payment classified as profit/loss or capital, or a non-cash revaluation booked with
:meth:`FinancialAgent.revalue` (depreciation, marks, write-offs). The invariant check compares
the two every quarter.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, ClassVar

import mesa

from core.coefficients import (
    BOND_ROLL_YEARS,
    BUILDING_LIFE,
    CHIP_CONTENT,
    COVENANT_CASH_BUFFER,
    COVENANT_NOTCHES,
    EXPECTED_LOSS,
    GPU_PHYSICAL_LIFE,
    GPU_SHARE_OF_CAPEX,
    MARKDOWN_NEWS,
    OPERATING_FLOWS,
    QUARTERS_PER_YEAR,
)
from core.contracts import ComputeContract, Contract, ContractList, CreditLine, Lease, Loan
from core.finance import Rollover, issue_equity, lend
from core.news import fmt_bn
from core.ratings import (
    DEFAULT_NOTCH,
    DISTRESSED_NOTCH,
    bond_market_open,
    bond_spread,
    is_investment_grade,
    label,
    notch_from_leverage,
    secured_spread,
)
from core.state import Snapshot, Status

if TYPE_CHECKING:
    from core.protocol import Economy



class FinancialAgent(mesa.Agent):
    """Base class of every balance-sheet holder, outside-sector accounts included.

    Attributes:
        name: display name ("Meta", "Hyperion SPV").
        held: contracts this agent holds (its financial assets).
        issued: contracts this agent issued (its liabilities, plus its shareholders' stakes).
        gpu_book, building_book: book value of real assets (USD bn).
        gpu_market: market value of the GPUs (falls faster than book; the gap is stranded).
        capacity_gw: AI data-centre capacity online that this agent owns.
        pipeline: (quarter online, GW) of capacity under construction.
        other_assets: non-AI assets, constant (they make starting book equity match filings).
        loss_allowance: expected credit losses on loans held (a contra-asset).
    """

    role: ClassVar[str] = "agent"
    overdraft: ClassVar[bool] = False
    model: Economy

    def __init__(self, model: Economy, name: str, cash: float = 0.0) -> None:
        super().__init__(model)
        self.name = name
        model.register(self)
        self.account = model.ledger.open_account(self, cash, overdraft=self.overdraft)
        self.held = ContractList()
        self.issued = ContractList()
        self.gpu_book = 0.0
        self.gpu_market = 0.0
        self.building_book = 0.0
        self.capacity_gw = 0.0
        self.pipeline: list[tuple[int, float]] = []
        self.awaiting_power = 0.0      # GW built but not yet connected to the grid
        self.reorganised_at = -1       # quarter of the last reorganisation (-1: never)
        self.quarters_current = 0      # consecutive quarters without missed payments
        self.losses_passed_on = 0.0    # own realised losses later borne by its creditors
        self.passed_to_lps = 0.0       # realised losses a fund passed to its LPs
        self.line: CreditLine | None = None   # a committed bank line it can draw on
        self.covenant_breached = False         # a loan covenant tripped: lines frozen
        self.other_assets = 0.0
        self.loss_allowance = 0.0
        self.status = Status.ACTIVE
        self.pnl = 0.0
        self.capital = 0.0
        self.net_worth_0 = 0.0
        self.income: defaultdict[str, float] = defaultdict(float)
        self.prev_income: dict[str, float] = {}       # last quarter's income statement
        self.missed = 0.0  # payments missed this quarter
        self.capex_this_quarter = 0.0
        self.snap: Snapshot | None = None   # end-of-quarter figures (see snapshot())

    # --- bookkeeping -----------------------------------------------------------------------
    def revalue(self, amount: float, kind: str) -> None:
        """Book a non-cash gain (+) or loss (-): depreciation, marks, write-offs."""
        self.pnl += amount
        self.income[kind] += amount

    def mark_loans(self) -> None:
        """Set the loss allowance on loans to AI borrowers to their expected loss.

        The expected loss rate depends on the borrower's status; the change is a credit mark
        in the income statement (a fund's NAV, a bank's capital).
        """
        target = 0.0
        for c in self.held.of(Loan):
            if c.issuer.role != "outside":
                target += EXPECTED_LOSS[c.issuer.status] * c.value()
        change = target - self.loss_allowance
        if abs(change) > 1e-12:
            self.loss_allowance = target
            self.revalue(-change, "credit_marks")
            equity = self.equity
            if change > MARKDOWN_NEWS * max(equity, 1e-9) and self.role in ("fund", "bank"):
                self.model.log(f"{self.name} marks down its AI loans by {fmt_bn(change)} "
                               f"({change / max(equity + change, 1e-9):.0%} of its equity) as "
                               "borrowers fall into distress", "distress", self)

    def make_loan(self, borrower: FinancialAgent, amount: float, terms: dict) -> float:
        """Lend ``amount`` from cash (a new loan, or a draw on an open facility); return it."""
        before = self.cash
        lend(self.model, self, borrower, amount, Loan, merge=True, **terms)
        return before - self.cash

    def line_base(self) -> float | None:
        """The limit its bank would renew its committed line at (None: keep the limit)."""
        return None

    def draw_line(self, amount: float) -> float:
        """Borrow on its committed bank line, within the limit and the bank's liquidity."""
        line = self.line
        if line is None or not line.active or line.holder.role != "bank" or amount <= 0.0:
            return 0.0
        return line.holder.advance_on_line(line, amount)

    def buy_shares(self, issuer: FinancialAgent, amount: float, post_money: float) -> bool:
        """Buy newly issued shares of ``issuer``; return whether any were bought."""
        return issue_equity(self.model, issuer, self, amount, post_money) is not None

    def write_off(self, claim: Contract, loss: float, channel: str) -> None:
        """Book the unrecovered part of a claim on a defaulter as this holder's loss."""
        self.realise_loss(loss, channel, "credit_loss")

    def realise_loss(self, amount: float, channel: str, kind: str) -> None:
        """Book a realised loss: net worth falls by ``amount``, and the loss table says so."""
        if amount > 0.0:
            self.revalue(-amount, kind)
            self.model.record_loss(self, channel, amount)

    def honour_guarantee(self, beneficiary: FinancialAgent, amount: float, channel: str) -> float:
        """Pay a called guarantee (or a termination fee) as far as cash allows; return it."""
        paid = self.pay(beneficiary, amount, "guarantee")
        self.model.record_loss(self, channel, paid)
        return paid

    def impair_capacity(self, value: float) -> float:
        """Write data centres and GPUs down to ``value`` if they are worth less than book."""
        book = self.gpu_book + self.building_book
        loss = book - value
        if loss <= 1e-9 or book <= 0.0:
            return 0.0
        keep = value / book
        self.gpu_book *= keep
        self.building_book *= keep
        self.gpu_market = min(self.gpu_market, self.gpu_book)
        self.realise_loss(loss, "impairment", "impairment")
        return loss

    def impair_gpus(self, destroyed: float) -> float:
        """Write off the GPU value a new chip generation ``destroyed``, as far as it takes the
        book value below the new market value (the impairment test it triggers); return it.
        """
        loss = min(destroyed, self.gpu_book - self.gpu_market)
        if loss <= 1e-9:
            return 0.0
        self.gpu_book -= loss
        self.realise_loss(loss, "impairment", "impairment")
        return loss

    def going_concern_value(self) -> float:
        """What the firm is worth as it runs: cash, capacity at market, other assets, claims."""
        return (self.cash + self.model.market_value_of_capacity(self) + self.other_assets
                + self.financial_assets)

    # --- credit ----------------------------------------------------------------------------
    def operating_cash_flow(self) -> float:
        """Last quarter's operating cash flow, annualised (before interest)."""
        inc = self.prev_income
        return QUARTERS_PER_YEAR * sum([inc.get(kind, 0.0) for kind in OPERATING_FLOWS])

    def rating_notch(self) -> int:
        """Credit rating (0 = AAA ... 7 = D) from leverage: net debt over operating cash flow."""
        if self.status == Status.DEFAULTED:
            return DEFAULT_NOTCH
        if self.status == Status.DISTRESSED:
            return DISTRESSED_NOTCH
        return notch_from_leverage(self.debt - self.cash, self.operating_cash_flow())

    def refinancing_terms(self, loan: Loan) -> Rollover | None:
        """The terms on which a maturing loan can be rolled over, or None if it cannot.

        Unsecured debt rolls while the bond market is open to the borrower's rating, at the
        market coupon (fixed) or margin (floating), for ten years.
        """
        m = self.model
        notch = self.rating_notch()
        if not bond_market_open(notch, m.market.sentiment):
            return None
        spread = bond_spread(notch, m.market.credit_stress)
        rate = spread if loan.floating else m.market.long_rate + spread
        return Rollover(loan.principal, m.t + QUARTERS_PER_YEAR * BOND_ROLL_YEARS, rate)

    def test_offtaker_covenants(self, ratings: dict | None = None) -> None:
        """Loans priced on an offtaker's credit carry covenants. If the offtaker falls two
        notches or more to below investment grade, the margin steps up to its new price and
        spare cash is swept to repay the loan (the borrower loses access to undrawn lines
        meanwhile); if the offtaker defaults, the loan is called (an event of default).

        ``ratings`` keeps the offtakers' ratings between borrowers tested one after the
        other; it is emptied when a loan is called or a covenant trips (which could change a
        rating).
        """
        m = self.model
        tripped = []
        if ratings is None:
            ratings = {}
        for c in self.issued.of(Loan):
            if not (c.active and c.offtaker is not None):
                continue
            now = ratings.get(c.offtaker)
            if now is None:
                now = ratings[c.offtaker] = c.offtaker.rating_notch()
            reorganised = c.offtaker.reorganised_at >= 0 and c.offtaker.reorganised_at == m.t - 1
            if now >= DEFAULT_NOTCH or reorganised:
                c.maturity = min(c.maturity, m.t)          # the loan is called
                ratings.clear()
            elif now - c.offtaker_notch >= COVENANT_NOTCHES and not is_investment_grade(now):
                tripped.append((c, now))
        if tripped and not self.covenant_breached:
            m.log(f"{self.name}'s loans trip their covenants: {tripped[0][0].offtaker.name} is "
                  f"down to {label(tripped[0][1])}; margins step up and spare cash goes to its "
                  "lenders", "distress", self)
        self.covenant_breached = bool(tripped)
        if tripped:
            ratings.clear()
        for c, now in tripped:
            c.rate = max(c.rate, secured_spread(now, m.market.credit_stress))
            interest, principal = c.scheduled(m.t, m.market.base_rate)
            spare = self.cash - COVENANT_CASH_BUFFER * (interest + principal)
            if spare > 1e-9:
                paid = self.pay(c.holder, min(spare, c.principal), "principal")
                c.principal -= paid
                c.balloon = min(c.balloon, c.principal)

    def will_roll(self, loan: Loan) -> bool:
        """Whether this holder extends a loan of its own that falls due (bond investors do, at
        the price the borrower's rating commands).
        """
        return True

    def pay(self, payee: FinancialAgent, amount: float, kind: str) -> float:
        """Pay what cash allows towards ``amount`` through the ledger; return the amount paid."""
        return self.model.ledger.pay_up_to(self, payee, amount, kind)

    # --- balance sheet ---------------------------------------------------------------------
    @property
    def cash(self) -> float:
        """Cash balance on the ledger."""
        return self.model.ledger.cash[self.account]

    @property
    def real_assets(self) -> float:
        """Book value of GPUs, buildings and other non-financial assets."""
        return self.gpu_book + self.building_book + self.other_assets

    @property
    def financial_assets(self) -> float:
        """Contracts held, net of the loss allowance."""
        return sum([c.value() for c in self.held]) - self.loss_allowance

    @property
    def total_assets(self) -> float:
        """Cash + real assets + financial assets."""
        return self.cash + self.real_assets + self.financial_assets

    @property
    def liabilities(self) -> float:
        """Contracts issued that are liabilities (equity stakes are not)."""
        return sum([c.value() for c in self.issued if c.is_liability])

    @property
    def debt(self) -> float:
        """Loans and bonds outstanding (par)."""
        return sum([c.value() for c in self.issued.of(Loan)])

    @property
    def equity(self) -> float:
        """Book equity: assets minus liabilities."""
        return self.total_assets - self.liabilities

    @property
    def leverage(self) -> float:
        """Debt over total assets (0 when there are no assets)."""
        assets = self.total_assets
        return self.debt / assets if assets > 1e-12 else 0.0

    @property
    def expected_net_worth(self) -> float:
        """Net worth implied by the recorded flows since the start."""
        return self.net_worth_0 + self.pnl + self.capital

    def snapshot(self) -> Snapshot:
        """End-of-quarter figures for the agent-level statistics, computed in one pass."""
        assets, liabilities, debt = self.total_assets, 0.0, 0.0
        for c in self.issued:
            if c.is_liability:
                v = c.value()
                liabilities += v
                if isinstance(c, Loan):
                    debt += v
        inc = self.income
        revenue = (inc.get("ai_revenue", 0.0) + inc.get("compute", 0.0)
                   + inc.get("gpu_purchase", 0.0) + inc.get("lease_rent", 0.0))
        return Snapshot(cash=self.cash, debt=debt, equity=assets - liabilities,
                        leverage=debt / assets if assets > 1e-12 else 0.0, status=self.status,
                        revenue=revenue, assets=assets)

    def balance_sheet(self) -> dict[str, dict[str, float]]:
        """Assets and liabilities by line, for tables and the app's inspector."""
        assets: dict[str, float] = {"cash": self.cash, "GPUs and servers": self.gpu_book,
                                    "buildings and power": self.building_book,
                                    "other assets": self.other_assets}
        liabilities: dict[str, float] = {}
        for c in self.held:
            key = _line(c, holder=True)
            assets[key] = assets.get(key, 0.0) + c.value()
        if self.loss_allowance:
            assets["loss allowance"] = -self.loss_allowance
        for c in self.issued:
            if c.is_liability:
                key = _line(c, holder=False)
                liabilities[key] = liabilities.get(key, 0.0) + c.value()
        liabilities["equity"] = self.equity
        return {"assets": {k: v for k, v in assets.items() if abs(v) > 1e-12},
                "liabilities": {k: v for k, v in liabilities.items()
                                if abs(v) > 1e-12 or k == "equity"}}

    # --- real capital ----------------------------------------------------------------------
    def buy_capacity(self, amount: float, vendors: list[tuple[FinancialAgent, float]],
                     suppliers: FinancialAgent, gpu_share: float = GPU_SHARE_OF_CAPEX) -> float:
        """Spend ``amount`` on capacity: GPUs from the chipmakers (``gpu_share`` of it), the rest
        on buildings and power from suppliers.

        Returns the GW ordered (GW-equivalents of capital); they come online after the build
        lag, once the grid connects them.
        """
        params = self.model.params
        amount = min(amount, max(self.cash, 0.0))
        if amount <= 1e-9:
            return 0.0
        gpu_part = amount * gpu_share
        chip_part = gpu_part * CHIP_CONTENT
        weights = sum(share for _, share in vendors) or 1.0
        paid = 0.0
        for vendor, share in vendors:
            paid += self.pay(vendor, chip_part * share / weights, "gpu_purchase")
        paid += self.pay(suppliers, gpu_part - chip_part, "gpu_purchase")
        gpu_paid = paid
        paid += self.pay(suppliers, amount - gpu_part, "building_purchase")
        # the assets are booked at what was actually paid for them
        self.gpu_book += gpu_paid
        self.gpu_market += gpu_paid
        self.building_book += paid - gpu_paid
        amount = paid
        gw = amount / params.cost_per_gw
        self.pipeline.append((self.model.t + params.build_lag, gw))
        self.capex_this_quarter += amount
        return gw

    def finish_construction(self) -> float:
        """Capacity whose construction has finished joins the queue for a grid connection."""
        t = self.model.t
        done = [gw for (when, gw) in self.pipeline if when <= t]
        if done:
            self.awaiting_power += sum(done)
            self.pipeline = [(w, g) for (w, g) in self.pipeline if w > t]
        return self.awaiting_power

    def energise(self, share: float) -> float:
        """Connect ``share`` of the capacity waiting for power; it starts to run. Returns GW."""
        gw = self.awaiting_power * share
        if gw > 0.0:
            self.awaiting_power -= gw
            self.capacity_gw += gw
        return gw

    def depreciate(self) -> None:
        """Retire old GPUs and book depreciation; market value falls over the economic life."""
        params = self.model.params
        # the GPU part of the capacity wears out physically over ~6 years (shells last); the
        # books depreciate GPUs over the book life, buildings over 20 years (no cash moves)
        book = self.gpu_book + self.building_book
        if book > 0.0:
            self.capacity_gw *= 1.0 - self.gpu_book / book / GPU_PHYSICAL_LIFE
        gpu_dep = self.gpu_book / params.gpu_book_life
        bld_dep = self.building_book / BUILDING_LIFE
        if gpu_dep or bld_dep:
            self.gpu_book -= gpu_dep
            self.building_book -= bld_dep
            self.revalue(-(gpu_dep + bld_dep), "depreciation")
        # The market value of GPUs falls over the (shorter) economic life.
        self.gpu_market *= 1.0 - 1.0 / params.gpu_economic_life

    @property
    def leased_gw(self) -> float:
        """Capacity operated under leases from SPVs."""
        t = self.model.t
        return sum([c.holder.capacity_gw for c in self.issued.of(Lease)
                    if c.active and c.start <= t <= c.end])

    @property
    def leased_pipeline_gw(self) -> float:
        """Capacity being built by SPVs for this lessee."""
        return sum([c.holder.pipeline_gw for c in self.issued.of(Lease) if c.active])

    @property
    def operated_gw(self) -> float:
        """Own plus leased capacity online."""
        return self.capacity_gw + self.leased_gw

    @property
    def pipeline_gw(self) -> float:
        """GW ordered but not yet running: under construction or waiting for power."""
        return sum([gw for _, gw in self.pipeline]) + self.awaiting_power

    @property
    def installed_gw(self) -> float:
        """All the capacity the agent owns: running, being built or waiting for power."""
        return self.capacity_gw + self.pipeline_gw

    def compute_contracts_held(self) -> list[ComputeContract]:
        """Compute contracts in which this agent is the provider."""
        return list(self.held.of(ComputeContract))

    def sold_forward_gw(self, t: int) -> float:
        """GW sold under compute contracts in force at quarter ``t``."""
        return sum([c.gw for c in self.held.of(ComputeContract) if c.in_force(t)])

    def backlog_gw(self, t: int) -> float:
        """GW sold forward to buyers in good standing at quarter ``t``: what a provider builds
        for (it stops building for a buyer in distress).
        """
        return sum([c.gw for c in self.held.of(ComputeContract) if c.in_force(t)
                    and c.issuer.status == Status.ACTIVE])

    def delivery_share(self) -> float:
        """Share of the GW it has sold forward that its capacity online can deliver now
        (contracts are served before its own use and the spot market).
        """
        sold = self.sold_forward_gw(self.model.t)
        return min(1.0, self.operated_gw / sold) if sold > 1e-12 else 1.0

    def delivered_gw(self) -> float:
        """GW it delivers under compute contracts this quarter."""
        return min(self.operated_gw, self.sold_forward_gw(self.model.t))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def _line(c: Contract, *, holder: bool) -> str:
    if isinstance(c, Loan):
        return f"{c.category.replace('_', ' ')} {'held' if holder else 'owed'}"
    return {"equity": "equity stakes", "warrant": "warrants", "lease": "lease arrears",
            "compute": "compute arrears"}.get(c.kind, c.kind)
