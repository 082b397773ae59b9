"""Private-credit fund: lends to SPVs and neoclouds from LP money and bank warehouse lines.

It marks its loans by borrower distress (a loss allowance). Its investors judge it by its
return over the last year against a benchmark (the policy rate plus the premium private
credit promises): subscriptions follow good returns and sentiment; redemption requests build
up, with persistence, when returns fall short. It pays at most the published gate (about 5%
of NAV a quarter, as semi-liquid funds and non-traded BDCs do); the rest queues. A gated fund
makes no new loans and rolls no maturing ones: it needs the cash.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BASE_REDEMPTION,
    BASE_SUBSCRIPTION,
    FUND_CASH_TARGET,
    FUND_LINE_TARGET,
    FUND_LIQUIDITY_BUFFER,
    FUND_LOAN_QUARTERS,
    FUND_OTHER_LOAN_RATE,
    LP_INFLOW_MIX,
    LP_PREMIUM,
    MIN_REINVESTMENT,
    NAV_LINE_MAX_LTV,
    QUARTERS_PER_YEAR,
    REDEMPTION_PERSISTENCE,
    REDEMPTION_SENTIMENT_WEIGHT,
    REDEMPTION_SHORTFALL_WEIGHT,
    REDEMPTION_STRESS_WEIGHT,
    SUBSCRIPTION_RETURN_WEIGHT,
)
from core.contracts import Loan
from core.finance import lend
from core.firesales import sell_loans
from core.lolr import borrow_from_lolr, repay_lolr
from core.news import fmt_bn
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class PrivateCreditFund(FinancialAgent):
    """Blue Owl, Apollo, Pimco, BlackRock (aggregates of the US private-credit market).

    Attributes:
        lp_shares: share of the NAV each holder sector owns (insurers, pension funds, retail
            investors in semi-liquid funds and non-traded BDCs, other institutions).
    """

    role: ClassVar[str] = "fund"

    def __init__(self, model: Economy, name: str, cash: float) -> None:
        super().__init__(model, name, cash)
        self.lp_shares: dict[FinancialAgent, float] = {}
        self.queued_redemptions = 0.0
        self.redeemed = 0.0
        self.gated = False
        self.request_rate = BASE_REDEMPTION   # redemption requests, share of NAV a quarter
        self.returns: deque[float] = deque(maxlen=QUARTERS_PER_YEAR)
        self.last_return = 0.0
        self.pnl_mark = 0.0
        self.nav_mark = 0.0

    @property
    def nav(self) -> float:
        """Net asset value: the LPs' equity."""
        return self.equity

    @property
    def retail(self) -> FinancialAgent:
        """The holder sector that may redeem each quarter (semi-liquid funds, BDCs)."""
        return self.model.retail_investors

    def _reweigh(self, nav_before: float, flows: dict[FinancialAgent, float]) -> None:
        """New LP shares after capital flows (positive in, negative out) at NAV ``nav_before``."""
        stakes = {s: share * max(nav_before, 0.0) for s, share in self.lp_shares.items()}
        for sector, amount in flows.items():
            stakes[sector] = max(0.0, stakes.get(sector, 0.0) + amount)
        total = sum(stakes.values())
        if total > 1e-12:
            self.lp_shares = {s: v / total for s, v in stakes.items()}

    def realise_loss(self, amount: float, channel: str, kind: str) -> None:
        """A fund is a pass-through: its LPs bear its realised losses pro rata, as far as
        their NAV goes; anything beyond falls on its creditors if it fails.
        """
        if amount <= 0.0:
            return
        self.revalue(-amount, kind)
        to_lps = min(amount, max(0.0, self.nav + amount))
        for sector, share in self.lp_shares.items():
            self.model.record_loss(sector, channel, to_lps * share)
        self.passed_to_lps += to_lps
        if amount - to_lps > 1e-12:
            self.model.record_loss(self, channel, amount - to_lps)
    def lending_capacity(self, bank_rooms: Mapping | None = None) -> float:
        """Cash above the buffer plus what the bank line still allows (nothing while gated).

        ``bank_rooms`` gives the banks' lending rooms when they are already known.
        """
        if self.status != Status.ACTIVE or self.gated:
            return 0.0
        free = max(0.0, self.cash - FUND_LIQUIDITY_BUFFER * self.nav_mark)
        line = self.line
        if line is not None and line.holder.role == "bank":
            bank = line.holder
            room = bank.lending_room() if bank_rooms is None else bank_rooms[bank]
            if room > 0:
                free += min(line.undrawn(), room)
        return free

    def reinvest(self) -> None:
        """Lend the cash above what it keeps to other companies: as the non-AI book runs off
        it is re-lent, so idle cash does not drag returns below what LPs were promised.
        """
        m = self.model
        if self.status != Status.ACTIVE or self.gated:
            return
        spare = self.cash - FUND_CASH_TARGET * max(self.nav, 0.0)
        if spare > MIN_REINVESTMENT:
            lend(m, self, m.other_borrowers, spare, Loan, merge=True,
                 rate=FUND_OTHER_LOAN_RATE, floating=True,
                 maturity=m.t + FUND_LOAN_QUARTERS, category="corporate")

    def raise_cash(self, amount: float) -> float:
        """Make sure ``amount`` of cash is on hand, drawing the warehouse line if needed."""
        missing = amount - self.cash
        if missing > 1e-9 and self.line is not None:
            self.draw_line(missing)
        return min(amount, max(self.cash, 0.0))

    def manage_leverage(self) -> None:
        """Keep the bank line drawn at the fund's target leverage: repay above it from spare
        cash, draw up to it (and lend the proceeds) while the bank allows.
        """
        line = self.line
        if line is None or not line.active:
            return
        nav = max(self.nav, 0.0)
        # the central bank's facility is repaid first, from cash above the buffer
        if repay_lolr(self.model, self, self.cash - FUND_CASH_TARGET * nav) > 0.0:
            nav = max(self.nav, 0.0)         # the books changed: NAV struck again
        target = FUND_LINE_TARGET * nav
        if line.principal > target:
            spare = self.cash - FUND_LIQUIDITY_BUFFER * nav
            if spare > 1e-9:
                paid = self.pay(line.holder, min(spare, line.principal - target), "principal")
                line.principal -= paid
        elif self.status == Status.ACTIVE and not self.gated and not self.covenant_breached:
            self.draw_line(target - line.principal)

    def will_roll(self, loan) -> bool:
        """A fund rolls maturing loans while it is open; a gated fund needs the cash back."""
        return self.status == Status.ACTIVE and not self.gated

    def trailing_return(self) -> float:
        """Return on NAV over the last four quarters (annual)."""
        return sum(self.returns)

    def investor_flows(self) -> None:
        """LP subscriptions and redemption requests. Insurers, pension funds and other
        institutions are locked in for the fund's life; retail investors in the semi-liquid
        vehicles may redeem each quarter, up to the gate (a share of their NAV); requests above
        it queue.
        """
        m = self.model
        p = m.params
        nav = max(self.nav, 0.0)
        if nav <= 1e-9:
            return
        excess = self.trailing_return() - (m.market.base_rate + LP_PREMIUM)
        inflow = nav * max(0.0, BASE_SUBSCRIPTION * m.market.sentiment
                           + SUBSCRIPTION_RETURN_WEIGHT * excess / QUARTERS_PER_YEAR)
        flows: dict[FinancialAgent, float] = {}
        if inflow > 1e-9 and self.status == Status.ACTIVE and not self.gated:
            for sector, share in zip(self.model.lp_sectors, LP_INFLOW_MIX, strict=True):
                if share > 0:
                    m.ledger.transfer(sector, self, inflow * share, "lp_subscription")
                    flows[sector] = inflow * share
        retail_nav = nav * self.lp_shares.get(self.retail, 0.0)
        # requests respond to returns short of the benchmark, to distress among AI borrowers
        # and to sour markets (the headlines), and persist
        stress = (REDEMPTION_SHORTFALL_WEIGHT * max(0.0, -excess) / QUARTERS_PER_YEAR
                  + REDEMPTION_STRESS_WEIGHT * m.market.distress_share
                  + REDEMPTION_SENTIMENT_WEIGHT * max(0.0, 1.0 - m.market.sentiment))
        target = BASE_REDEMPTION + p.lp_redemption_sensitivity * stress
        self.request_rate = (REDEMPTION_PERSISTENCE * self.request_rate
                             + (1.0 - REDEMPTION_PERSISTENCE) * target)
        self.queued_redemptions = min(retail_nav, self.queued_redemptions
                                      + retail_nav * self.request_rate)
        cap = p.redemption_gate * retail_nav
        paid = self._pay_redemptions(min(self.queued_redemptions, cap))
        if paid > 0.0:
            flows[self.retail] = flows.get(self.retail, 0.0) - paid
        self._reweigh(nav, flows)
        self.queued_redemptions -= paid
        self.redeemed = paid
        was_gated = self.gated
        self.gated = self.queued_redemptions > 1e-6 and paid >= cap - 1e-9
        if self.gated and not was_gated:
            m.log(f"{self.name} gates redemptions: pays {fmt_bn(paid)}, "
                  f"{fmt_bn(self.queued_redemptions)} left queued", "gate", self)

    def _pay_redemptions(self, payable: float) -> float:
        """Pay retail redemptions, drawing the bank line or selling loans to raise the cash."""
        m = self.model
        if payable > self.cash:
            self.raise_cash(payable)
        if payable > self.cash:
            borrow_from_lolr(m, self, payable - self.cash)
        if payable > self.cash:
            sell_loans(m, self, payable - self.cash)
        payable = min(payable, max(self.cash, 0.0))
        return self.pay(self.retail, payable, "redemption") if payable > 1e-9 else 0.0

    def portfolio_value(self) -> float:
        """What its assets are worth at their marks: loans net of the allowance, and cash."""
        return self.cash + self.financial_assets

    def check_line_covenant(self) -> None:
        """The NAV line's loan-to-value covenant: when marks fall and debt / portfolio value
        rises above the limit, the bank freezes the line and the fund must pay it down (from
        cash, then by selling loans) until the covenant holds again.
        """
        line, m = self.line, self.model
        if line is None or not line.active or line.principal <= 1e-9:
            self.covenant_breached = False
            return
        value = self.portfolio_value()
        ltv = line.principal / value if value > 1e-9 else 1.0
        breached = ltv > NAV_LINE_MAX_LTV
        if breached:
            line.limit = line.principal
            # paying x back out of the portfolio lowers both debt and value: (P - x) / (V - x)
            # is back at the limit L when x = (P - L V) / (1 - L)
            excess = (line.principal - NAV_LINE_MAX_LTV * value) / (1.0 - NAV_LINE_MAX_LTV)
            if self.cash < excess:
                sell_loans(m, self, excess - self.cash)
            line.principal -= self.pay(line.holder, min(excess, self.cash), "principal")
            line.limit = line.principal
            if not self.covenant_breached:
                m.log(f"{self.name} breaches its NAV-line covenant (loan-to-value {ltv:.0%} "
                      f"against a limit of {NAV_LINE_MAX_LTV:.0%}): {line.holder.name} freezes "
                      f"the line and {self.name} sells loans to pay it down", "distress", self)
        self.covenant_breached = breached

    def record_return(self) -> None:
        """Last quarter's return on NAV: income and marks over the NAV it started with."""
        if self.nav_mark > 1e-9:
            self.last_return = (self.pnl - self.pnl_mark) / self.nav_mark
            self.returns.append(self.last_return)
        self.pnl_mark = self.pnl
        self.nav_mark = max(self.nav, 0.0)
