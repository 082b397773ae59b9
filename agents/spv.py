"""Special purpose vehicle: owns a data centre or GPUs off its sponsor's balance sheet.

Funded mostly by debt (private credit and banks) and a sliver of equity (sponsor and a fund),
it leases the capacity to its sponsor. The lease starts when the capacity is connected to the
grid and runs 4-15 years, as in the 2025 deals; its rent passes the SPV's debt service through
plus a yield on the equity. The debt matches the lease: interest-only while the data centre is
built (paid from an interest reserve raised with the debt), then amortising towards a balloon
that falls due when the lease ends and has to be refinanced. At the end of a lease the sponsor
renews if using the capacity still pays; if not, it walks away, paying its residual value
guarantee (Meta on Hyperion) and a termination fee, and the SPV must rent its capacity on the
spot market and refinance its balloon against what that capacity is worth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BUILDING_LIFE,
    COST_OF_CAPITAL,
    FUND_SHARE_OF_DEALS,
    LEASE_TERM_WEIGHTS,
    LEASE_TERM_YEARS,
    MERCHANT_LOAN_YEARS,
    MERCHANT_LTV,
    MIN_SPV_DEAL,
    OPEN_ENDED,
    OPEX_PER_GW,
    PROGRAMME_QUARTERS,
    QUARTERS_PER_YEAR,
    RENEWAL_UTILISATION,
    RVG_SHARE,
    SMALL_DEBT,
    SPONSOR_EQUITY_SHARE,
    SPV_AMORTISATION_YEARS,
    SPV_EQUITY_YIELD,
    START_YEAR,
    STRUCTURED_RATING_CAP,
    TERMINATION_QUARTERS,
)
from core.contracts import EquityStake, Lease, Loan
from core.credit import LendingRooms
from core.finance import EPS, Rollover, issue_equity, pay_due
from core.news import fmt_bn
from core.ratings import DISTRESSED_NOTCH, secured_spread
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
        """Route ``amount`` of the sponsor's capex through this programme's SPV; return it.

        The debt is syndicated to private-credit funds and banks within their lending capacity
        (a deal that cannot be fully funded shrinks) and priced on the sponsor's credit.
        """
        debt_share = m.params.spv_max_debt_share
        # the banks' rooms are polled once: setting up the vehicle and its equity (paid by the
        # sponsor and a fund) does not touch a bank before the debt is syndicated
        bank_rooms = LendingRooms()
        room = m.credit.room(sponsor, bank_rooms)
        capacity = m.credit.capacity(sponsor, fund_share=FUND_SHARE_OF_DEALS, room=room)
        debt_wanted = debt_share * amount
        scale = min(1.0, capacity / debt_wanted) if debt_wanted > 1e-9 else 0.0
        if scale * amount < MIN_SPV_DEAL:
            return 0.0
        spv = SPV._programme_vehicle(m, sponsor)
        funded = scale * amount
        equity = (1.0 - debt_share) * funded
        # the fund with the most room to lend takes the outside part of the equity
        fund = max(zip(m.credit.lenders(sponsor)[0], room[0], strict=True),
                   key=lambda pair: pair[1])[0]
        issue_equity(m, spv, sponsor, SPONSOR_EQUITY_SHARE * equity, equity)
        issue_equity(m, spv, fund, (1.0 - SPONSOR_EQUITY_SHARE) * equity, equity)
        spv.rebalance_stakes()
        reserve = spv.borrow_for_build(debt_share * funded, relationship_of=sponsor,
                                       bank_rooms=bank_rooms)
        spv.buy_capacity(min(funded, spv.cash - reserve), m.gpu_vendors(sponsor), m.suppliers,
                         gpu_share=0.0)
        if spv.lease is not None and spv.lease.guaranteed_value:
            # the guarantee covers part of the cost of what the SPV bought
            spv.lease.guaranteed_value += RVG_SHARE * funded
        return funded

    @staticmethod
    def _programme_vehicle(m: Economy, sponsor: FinancialAgent) -> SPV:
        """A sponsor's new deals go into one vehicle per two-year programme ("Meta SPV 2027-28")."""
        year = START_YEAR + (m.t // PROGRAMME_QUARTERS) * PROGRAMME_QUARTERS // QUARTERS_PER_YEAR
        key = (sponsor.name, year)
        spv = m.spv_by_key.get(key)
        if spv is not None and (spv.status == Status.DEFAULTED or spv.merchant):
            spv = None                   # a failed vehicle takes no new deals: start another
        if spv is None:
            name = f"{sponsor.name} SPV {year}-{(year + 1) % 100:02d}"
            while any(s.name == name for s in m.spvs):
                name += "b"
            spv = m.add_spv(name, sponsor)
            m.spv_by_key[key] = spv
            years = int(m.streams.deals.choice(LEASE_TERM_YEARS, p=LEASE_TERM_WEIGHTS))
            spv.sign_lease(years, renewable=True,
                           guarantee=RVG_SHARE if getattr(sponsor, "guarantees_spv", False) else 0)
            m.log(f"{sponsor.name} sets up {spv.name} off its balance sheet, with a {years}-year "
                  "lease from when its capacity comes online", "deal", sponsor)
        return spv

    def sign_lease(self, years: int, *, renewable: bool, guarantee: float) -> Lease:
        """The sponsor's lease: it starts when the capacity is energised, for ``years`` years."""
        quarters = QUARTERS_PER_YEAR * years
        self.lease = self.model.book.add(Lease(
            issuer=self.sponsor, holder=self, start=OPEN_ENDED, end=OPEN_ENDED, term=quarters,
            renewable=renewable, guaranteed_value=guarantee))
        return self.lease

    def planned_lease_end(self) -> int:
        """The quarter the current lease ends, or would end if the capacity came online on time."""
        lease = self.lease
        if lease is None:
            return self.model.t
        if lease.start <= self.model.t or lease.start < OPEN_ENDED:
            return lease.end
        return self.model.t + self.model.params.build_lag + lease.term - 1

    def borrow_for_build(self, amount: float, *, relationship_of: FinancialAgent,
                         bank_rooms: LendingRooms | None = None) -> float:
        """Borrow ``amount`` for capex plus an interest reserve for the build; return the
        reserve (the part of the proceeds kept to pay interest until the lease starts).

        The loans mature when the lease is planned to end, pay interest only until the
        capacity runs, then amortise as over a longer life, leaving a balloon at maturity.
        ``bank_rooms``: the banks' lending rooms, if the deal has polled them already.
        """
        m = self.model
        # the balloon falls due the quarter after the lease ends, once the sponsor has decided
        # whether to renew (and the lenders know what they are refinancing)
        maturity = self.planned_lease_end() + 1
        years = max(1.0, (maturity - m.t + 1) / QUARTERS_PER_YEAR)
        offtaker = self.sponsor.rating_notch()
        rate = secured_spread(offtaker, m.market.credit_stress)
        build = m.params.build_lag
        reserve = amount * (m.market.base_rate + rate) / QUARTERS_PER_YEAR * build
        debt = amount + reserve
        balloon_share = max(0.0, 1.0 - years / SPV_AMORTISATION_YEARS)
        started = self.lease is not None and self.lease.start <= m.t
        borrowed = m.credit.syndicate(
            self, debt, fund_share=FUND_SHARE_OF_DEALS, rooms=bank_rooms,
            relationship_of=relationship_of, rate=rate, floating=True, maturity=maturity,
            amortising=True, balloon=balloon_share * debt,
            amortise_from=m.t if started else OPEN_ENDED,
            offtaker=self.sponsor, offtaker_notch=offtaker, category="spv_debt",
            collateral=self)
        return 0.0 if started else reserve * borrowed / debt

    def rebalance_stakes(self) -> None:
        """SPV shares are bought at book value: ownership follows the equity each holder put in."""
        stakes = [c for c in self.issued.of(EquityStake) if c.active]
        total = sum(s.cost_basis for s in stakes)
        for s in stakes:
            s.fraction = s.cost_basis / total if total > 0 else 0.0

    # --- the lease -------------------------------------------------------------------------
    def energise(self, share: float) -> float:
        """Capacity is connected to the grid; the first connection starts the lease."""
        gw = super().energise(share)
        lease = self.lease
        if gw > 0.0 and lease is not None and lease.active and lease.start > self.model.t:
            m = self.model
            lease.start, lease.end = m.t, m.t + lease.term - 1
            for c in self.issued.of(Loan):
                c.amortise_from = m.t
            m.log(f"{self.name}'s capacity comes online: {self.sponsor.name}'s "
                  f"{lease.term // QUARTERS_PER_YEAR}-year lease starts", "info", self)
        return gw

    @property
    def equity_invested(self) -> float:
        """Equity put in by the SPV's shareholders (cost basis)."""
        return sum(c.cost_basis for c in self.issued.of(EquityStake))

    def set_rent(self) -> None:
        """Full-payout rent once the lease runs: debt service due plus a yield on the equity."""
        lease = self.lease
        if lease is None or not lease.active or self.merchant or lease.start > self.model.t:
            return
        interest, principal = self.debt_service_due()
        lease.rent = (interest + principal
                      + SPV_EQUITY_YIELD / QUARTERS_PER_YEAR * self.equity_invested)

    def debt_service_due(self, *, renewal: bool = False) -> tuple[float, float]:
        """Interest and regular amortisation due this quarter (balloons are refinanced, not
        passed on in the rent); with ``renewal``, the debt amortised over a new term.
        """
        t, base_rate = self.model.t, self.model.market.base_rate
        interest = principal = 0.0
        for c in self.issued.of(Loan):
            interest += c.scheduled(t, base_rate)[0] + c.arrears
            principal += (c.principal / (SPV_AMORTISATION_YEARS * QUARTERS_PER_YEAR)
                          if renewal else c.regular_repayment(t))
        return interest, principal

    def review_lease(self) -> None:
        """At the end of its term the sponsor renews the lease, or walks away from it."""
        m, lease = self.model, self.lease
        if lease is None or not lease.active or m.t != lease.end + 1:
            return
        if lease.renewable and self._renewal_pays():
            lease.end += lease.term
            m.log(f"{self.sponsor.name} renews the lease on {self.name} for "
                  f"{lease.term // QUARTERS_PER_YEAR} years", "info", self)
            return
        self._end_lease("does not renew the lease on" if lease.renewable
                        else f"comes to the end of its {lease.term // QUARTERS_PER_YEAR}-year "
                             "lease on")

    def _renewal_pays(self) -> bool:
        """The sponsor renews while the market uses the capacity and the renewal rent is below
        what the capacity is worth in use: spot rent for its GPUs, the cost of building anew
        for its shells (whose value does not fall with chip prices).
        """
        m = self.model
        if self.sponsor.status != Status.ACTIVE or m.market.utilisation_avg < RENEWAL_UTILISATION:
            return False
        gw = max(self.installed_gw, 1e-9)
        interest, principal = self.debt_service_due(renewal=True)
        rent = (interest + principal + SPV_EQUITY_YIELD / QUARTERS_PER_YEAR
                * self.equity_invested) / gw
        return rent <= self.rent_in_use_per_gw()

    def rent_in_use_per_gw(self) -> float:
        """What a GW of this SPV's capacity is worth to a user each quarter."""
        m = self.model
        book = self.gpu_book + self.building_book
        gpu_weight = self.gpu_book / book if book > 0 else 0.0
        spot = m.market.spot_rent * m.market.utilisation_avg - OPEX_PER_GW
        new_shell = m.params.cost_per_gw * (COST_OF_CAPITAL / QUARTERS_PER_YEAR
                                            + 1.0 / BUILDING_LIFE)
        return gpu_weight * spot + (1.0 - gpu_weight) * new_shell

    def _end_lease(self, what: str) -> None:
        """The sponsor walks away: assets marked to market, guarantee and fee paid, merchant."""
        m, lease = self.model, self.lease
        value = m.market_value_of_capacity(self)
        self.impair_capacity(value)
        shortfall = max(0.0, lease.guaranteed_value - value)
        fee = TERMINATION_QUARTERS * lease.rent
        if lease.arrears > 1e-9:
            pay_due(m, lease, 0.0, "lease_rent")         # settle unpaid rent if it can
        if lease.arrears <= 1e-9:
            m.book.retire(lease)
        # (unpaid rent stays a claim on the sponsor, on an expired lease, until it is paid or
        # cleared in a default)
        self.go_merchant(f"{self.sponsor.name} {what} {self.name}")
        paid = self.sponsor.honour_guarantee(self, shortfall, "guarantee called") \
            if shortfall > 1e-6 else 0.0
        if paid > 1e-6:
            m.log(f"{self.sponsor.name} pays {fmt_bn(paid)} under its residual value guarantee "
                  f"on {self.name} (assets worth {fmt_bn(value)})", "guarantee", self.sponsor)
            self.prepay_debt(paid)       # the guarantee protects the lenders: it repays them
        if fee > 1e-6 and lease.renewable and self.sponsor.status == Status.ACTIVE:
            self.sponsor.honour_guarantee(self, fee, "lease termination")

    def go_merchant(self, why: str) -> None:
        """The lease is gone: from now on the SPV rents its capacity on the spot market. Its
        loans were made against the lease: lenders call them, and roll only what a merchant
        SPV can carry (see :meth:`refinancing_terms`).
        """
        self.merchant = True
        t = self.model.t
        for c in self.issued.of(Loan):
            if c.maturity > t:
                c.maturity = t
        debt = self.debt
        self.model.log(f"{why}: it must now rent its capacity on the spot market"
                       + (f", with {fmt_bn(debt)} of debt still to pay" if debt > SMALL_DEBT
                          else ""),
                       "distress" if debt > SMALL_DEBT else "info", self)

    # --- each quarter ----------------------------------------------------------------------
    def operate(self) -> None:
        """A merchant SPV runs its own capacity; a leased one leaves that to the lessee."""
        m = self.model
        if self.merchant:
            opex = OPEX_PER_GW * self.capacity_gw
            self.pay(m.suppliers, min(opex, max(self.cash, 0.0)), "opex")
        else:
            self.support_construction()

    def support_construction(self) -> None:
        """Before the lease starts there is no rent: if the interest reserve runs short (a
        late grid connection, higher rates), the sponsor puts in equity to pay the interest,
        as sponsors of build-to-suit projects do; a sponsor that cannot leaves it unpaid.
        """
        m, lease = self.model, self.lease
        if lease is None or lease.start <= m.t or self.sponsor.status != Status.ACTIVE:
            return
        due = sum(c.scheduled(m.t, m.market.base_rate)[0] + c.arrears
                  for c in self.issued.of(Loan))
        short = due - self.cash
        if short > EPS and self.sponsor.cash > short:
            issue_equity(m, self, self.sponsor, short, short)
            self.rebalance_stakes()

    def distribute(self) -> None:
        """Once a year, pay the year's profit (not more than the cash) to the equity holders."""
        self.undistributed += sum(self.income.values())
        if self.model.t % 4 != 3 or self.status != Status.ACTIVE or self.debt_service_arrears() > 0:
            return
        excess = min(self.cash, self.undistributed)
        if excess <= 1e-6:
            return
        self.undistributed -= excess
        self.pay_to_shareholders(excess)

    def pay_to_shareholders(self, amount: float) -> None:
        """Pay ``amount`` to the equity holders in proportion to their stakes."""
        stakes = [c for c in self.issued.of(EquityStake) if c.active]
        total = sum(s.fraction for s in stakes)
        for s in stakes:
            if total > 0:
                self.pay(s.holder, amount * s.fraction / total, "dividend")

    def prepay_debt(self, amount: float) -> None:
        """Repay up to ``amount`` of debt early, most senior first."""
        m = self.model
        for loan in sorted(self.issued.of(Loan), key=lambda c: c.seniority):
            if amount <= EPS:
                break
            paid = self.pay(loan.holder, min(loan.principal, amount), "principal")
            loan.principal -= paid
            loan.balloon = min(loan.balloon, loan.principal)
            amount -= paid
            if loan.principal <= EPS and loan.arrears <= EPS:
                loan.principal = 0.0
                m.book.retire(loan)

    def repay_all_debt(self) -> None:
        """Repay every loan early from cash, arrears first (an orderly wind-down)."""
        m = self.model
        for loan in sorted(self.issued.of(Loan), key=lambda c: c.seniority):
            if loan.arrears > EPS:
                loan.arrears -= self.pay(loan.holder, loan.arrears, "arrears_payment")
            paid = self.pay(loan.holder, loan.principal, "principal")
            loan.principal -= paid
            if loan.principal <= EPS and loan.arrears <= EPS:
                loan.principal = 0.0
                m.book.retire(loan)
        if self.debt <= EPS:
            m.log(f"{self.name} sells its capacity and repays its lenders in full", "info", self)

    def debt_service_arrears(self) -> float:
        """Unpaid debt service."""
        return sum(c.arrears for c in self.issued.of(Loan))

    # --- credit ----------------------------------------------------------------------------
    def rating_notch(self) -> int:
        """A leased SPV borrows on its lessee's credit (structured deals top out at A); a
        merchant one on whether spot rent covers its debt service.
        """
        if self.status != Status.ACTIVE:
            return super().rating_notch()
        lease = self.lease
        if lease is not None and lease.active and not self.merchant:
            return max(STRUCTURED_RATING_CAP, self.sponsor.rating_notch())
        m = self.model
        interest, principal = self.debt_service_due()
        earned = (m.market.spot_rent * m.market.utilisation - OPEX_PER_GW) * self.capacity_gw
        return DISTRESSED_NOTCH - 1 if earned >= interest + principal else DISTRESSED_NOTCH

    def refinancing_terms(self, loan: Loan) -> Rollover | None:
        """A balloon rolls to the end of a running lease on the lessee's credit; a merchant
        SPV's lenders roll only what its capacity would fetch, amortising over three years.
        """
        m = self.model
        lease = self.lease
        notch = self.rating_notch()
        if notch >= DISTRESSED_NOTCH:
            return None
        spread = secured_spread(notch, m.market.credit_stress)
        if lease is not None and lease.active and not self.merchant and lease.end > m.t:
            years = (lease.end - m.t + 1) / QUARTERS_PER_YEAR
            return Rollover(loan.principal, lease.end + 1, spread,
                            balloon_share=max(0.0, 1.0 - years / SPV_AMORTISATION_YEARS),
                            amortising=True)
        senior = sum(c.principal for c in self.issued.of(Loan)
                     if c is not loan and c.seniority <= loan.seniority)
        room = max(0.0, MERCHANT_LTV * m.market_value_of_capacity(self) - senior)
        return Rollover(min(loan.principal, room), m.t + QUARTERS_PER_YEAR * MERCHANT_LOAN_YEARS,
                        spread, balloon_share=0.0, amortising=True)
