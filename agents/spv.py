"""Special purpose vehicle: owns a data centre or GPUs off its sponsor's balance sheet.

Funded ~88% by debt (private credit and banks) and ~12% by equity (sponsor and a fund), it
leases the capacity to its sponsor. The lease passes the SPV's debt service through, plus a
yield on the equity. When a renewable lease ends, the sponsor renews only if the market still
pays for the capacity; otherwise a residual value guarantee (Meta on Hyperion) makes the
sponsor pay the shortfall of the assets' market value, and the SPV must sell its capacity on
the spot market, where it may not earn its debt service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BUILDING_LIFE,
    FUND_SHARE_OF_DEALS,
    MIN_SPV_DEAL,
    OPEX_PER_GW,
    PROGRAMME_QUARTERS,
    QUARTERS_PER_YEAR,
    RENEWAL_UTILISATION,
    RVG_SHARE,
    SMALL_DEBT,
    SPONSOR_EQUITY_SHARE,
    SPV_DEBT_SHARE,
    SPV_EQUITY_YIELD,
    SPV_LEASE_QUARTERS,
    SPV_LOAN_YEARS,
    SPV_SPREAD,
    START_YEAR,
)
from core.contracts import EquityStake, Lease, Loan
from core.finance import issue_equity, pay_due
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class SPV(FinancialAgent):
    """An off-balance-sheet vehicle with one sponsor and one lease."""

    role: ClassVar[str] = "spv"

    def __init__(self, model: Economy, name: str, sponsor: FinancialAgent) -> None:
        super().__init__(model, name, 0.0)
        self.sponsor = sponsor
        self.lease: Lease | None = None
        self.merchant = False
        self.undistributed = 0.0      # profit not yet paid out as dividends

    # --- creation --------------------------------------------------------------------------
    @staticmethod
    def finance_deal(m: Economy, sponsor: FinancialAgent, amount: float) -> float:
        """Route ``amount`` of the sponsor's capex through this year's SPV; return what was funded.

        The debt is syndicated to private-credit funds (2/3) and banks (1/3) within their
        lending capacity; a deal that cannot be fully funded shrinks.
        """
        # one vehicle per sponsor and two-year programme (e.g. "Meta SPV 2027-28")
        year = START_YEAR + (m.t // PROGRAMME_QUARTERS) * PROGRAMME_QUARTERS // QUARTERS_PER_YEAR
        key = (sponsor.name, year)
        spv = m.spv_by_key.get(key)
        debt_wanted = SPV_DEBT_SHARE * amount
        capacity = m.credit.capacity(sponsor, fund_share=FUND_SHARE_OF_DEALS)
        scale = min(1.0, capacity / debt_wanted) if debt_wanted > 1e-9 else 0.0
        if scale * amount < MIN_SPV_DEAL:
            return 0.0
        if spv is None:
            spv = m.add_spv(f"{sponsor.name} SPV {year}-{(year + 1) % 100:02d}", sponsor)
            m.spv_by_key[key] = spv
            guarantee = RVG_SHARE if getattr(sponsor, "guarantees_spv", False) else 0.0
            spv.lease = m.book.add(Lease(issuer=sponsor, holder=spv, start=m.t,
                                         end=m.t + SPV_LEASE_QUARTERS - 1, term=SPV_LEASE_QUARTERS,
                                         renewable=True, guaranteed_value=guarantee))
            m.log(f"{sponsor.name} sets up {spv.name}, off its balance sheet", "deal", sponsor)
        funded = scale * amount
        equity = (1.0 - SPV_DEBT_SHARE) * funded
        fund = max(m.credit.lenders(sponsor)[0], key=lambda f: f.lending_capacity())
        issue_equity(m, spv, sponsor, SPONSOR_EQUITY_SHARE * equity, equity)
        issue_equity(m, spv, fund, (1.0 - SPONSOR_EQUITY_SHARE) * equity, equity)
        spv.rebalance_stakes()
        m.credit.syndicate(spv, SPV_DEBT_SHARE * funded, fund_share=FUND_SHARE_OF_DEALS,
                           relationship_of=sponsor,
                           rate=SPV_SPREAD,
                           floating=True, maturity=m.t + QUARTERS_PER_YEAR * SPV_LOAN_YEARS, amortising=True,
                           category="spv_debt", collateral=spv)
        spv.buy_capacity(spv.cash, m.gpu_vendors(sponsor), m.suppliers)
        if spv.lease is not None and spv.lease.guaranteed_value:
            # the guarantee covers half of the cost of what the SPV bought
            spv.lease.guaranteed_value += RVG_SHARE * funded
        return funded

    def rebalance_stakes(self) -> None:
        """SPV shares are bought at book value: ownership follows the equity each holder put in."""
        stakes = [c for c in self.issued if isinstance(c, EquityStake) and c.active]
        total = sum(s.cost_basis for s in stakes)
        for s in stakes:
            s.fraction = s.cost_basis / total if total > 0 else 0.0

    # --- each quarter ----------------------------------------------------------------------
    @property
    def equity_invested(self) -> float:
        """Equity put in by the SPV's shareholders (cost basis)."""
        return sum(c.cost_basis for c in self.issued if isinstance(c, EquityStake))

    def set_rent(self) -> None:
        """Full-payout rent: interest, the larger of principal due and depreciation, equity yield.

        Covering depreciation keeps the SPV's book equity intact while the assets wear out
        faster than the debt amortises; the excess builds a cash reserve.
        """
        if self.lease is None or not self.lease.active or self.merchant:
            return
        m = self.model
        interest = principal = 0.0
        for c in self.issued:
            if isinstance(c, Loan):
                i, r = c.scheduled(m.t, m.market.base_rate)
                interest += i + c.arrears
                principal += r
        depreciation = (self.gpu_book / m.params.gpu_book_life + self.building_book / BUILDING_LIFE)
        self.lease.rent = (interest + max(principal, depreciation)
                           + SPV_EQUITY_YIELD / QUARTERS_PER_YEAR * self.equity_invested)

    def operate(self) -> None:
        """A merchant SPV runs its own capacity; a leased one leaves that to the lessee."""
        m = self.model
        if self.merchant:
            opex = OPEX_PER_GW * self.capacity_gw
            self.pay(m.suppliers, min(opex, max(self.cash, 0.0)), "opex")

    def distribute(self) -> None:
        """Once a year, pay the year's profit (not more than the cash) to the equity holders."""
        self.undistributed += sum(self.income.values())
        if self.model.t % 4 != 3 or self.status != Status.ACTIVE or self.debt_service_arrears() > 0:
            return
        excess = min(self.cash, self.undistributed)
        if excess <= 1e-6:
            return
        self.undistributed -= excess
        stakes = [c for c in self.issued if isinstance(c, EquityStake) and c.active]
        total = sum(s.fraction for s in stakes)
        for s in stakes:
            self.pay(s.holder, excess * s.fraction / total, "dividend")

    def debt_service_arrears(self) -> float:
        """Unpaid debt service."""
        return sum(c.arrears for c in self.issued if isinstance(c, Loan))

    def review_lease(self) -> None:
        """At the end of a lease term the sponsor renews, or walks away and the RVG is called."""
        m, lease = self.model, self.lease
        if lease is None or not lease.active or m.t != lease.end + 1:
            return
        # the sponsor keeps the capacity while the market still uses it
        sponsor_ok = self.sponsor.status == Status.ACTIVE
        if lease.renewable and sponsor_ok and m.market.utilisation_avg >= RENEWAL_UTILISATION:
            lease.end += lease.term
            m.log(f"{self.sponsor.name} renews the lease on {self.name}", "info", self)
            return
        value = m.market_value_of_capacity(self)
        shortfall = max(0.0, lease.guaranteed_value - value)
        if lease.arrears > 1e-9:
            pay_due(m, lease, 0.0, "lease_rent")         # settle unpaid rent if it can
        if lease.arrears <= 1e-9:
            m.book.retire(lease)
        # (unpaid rent stays a claim on the sponsor, on an expired lease, until it is paid or
        # cleared in a default)
        what = ("does not renew the lease on" if lease.renewable
                else f"comes to the end of its {lease.term // QUARTERS_PER_YEAR}-year lease on")
        self.go_merchant(f"{self.sponsor.name} {what} {self.name}")
        if shortfall > 1e-6:
            paid = self.sponsor.pay(self, shortfall, "guarantee")
            m.record_loss(self.sponsor, "guarantee called", paid)
            m.log(f"{self.sponsor.name} pays {paid:.1f}B under its residual value guarantee on "
                  f"{self.name} (assets worth {value:.1f}B)", "guarantee", self.sponsor)
            self.prepay_debt()

    def go_merchant(self, why: str) -> None:
        """The lease is gone: from now on the SPV rents its capacity on the spot market."""
        self.merchant = True
        debt = self.debt
        self.model.log(f"{why}: it must now rent its capacity on the spot market"
                       + (f", with {debt:.1f}B of debt still to pay" if debt > SMALL_DEBT else ""),
                       "distress" if debt > SMALL_DEBT else "info", self)

    def prepay_debt(self) -> None:
        """Use spare cash to repay debt early, most senior first."""
        m = self.model
        for loan in sorted((c for c in self.issued if isinstance(c, Loan)),
                           key=lambda c: c.seniority):
            if self.cash <= 1e-9:
                break
            paid = self.pay(loan.holder, min(loan.principal, self.cash), "principal")
            loan.principal -= paid
            if loan.principal <= 1e-9 and loan.arrears <= 1e-9:
                loan.principal = 0.0
                m.book.retire(loan)
