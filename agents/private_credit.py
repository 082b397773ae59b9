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
from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BASE_REDEMPTION,
    BASE_SUBSCRIPTION,
    FUND_LIQUIDITY_BUFFER,
    LINE_REPAY_BUFFER,
    LP_PREMIUM,
    QUARTERS_PER_YEAR,
    REDEMPTION_PERSISTENCE,
    REDEMPTION_SHORTFALL_WEIGHT,
    REDEMPTION_STRESS_WEIGHT,
    SUBSCRIPTION_RETURN_WEIGHT,
)
from core.firesales import sell_loans
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class PrivateCreditFund(FinancialAgent):
    """Blue Owl, Apollo, Pimco, BlackRock (aggregates)."""

    role: ClassVar[str] = "fund"

    def __init__(self, model: Economy, name: str, cash: float) -> None:
        super().__init__(model, name, cash)
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

    def lending_capacity(self) -> float:
        """Cash above the buffer plus what the bank line still allows (nothing while gated)."""
        if self.status != Status.ACTIVE or self.gated:
            return 0.0
        free = max(0.0, self.cash - FUND_LIQUIDITY_BUFFER * self.nav_mark)
        line = self.line
        if line is not None and line.holder.role == "bank" and line.holder.lending_room() > 0:
            free += min(line.undrawn(), line.holder.lending_room())
        return free

    def raise_cash(self, amount: float) -> float:
        """Make sure ``amount`` of cash is on hand, drawing the warehouse line if needed."""
        missing = amount - self.cash
        if missing > 1e-9 and self.line is not None:
            self.draw_line(missing)
        return min(amount, max(self.cash, 0.0))

    def repay_line(self) -> None:
        """Repay warehouse borrowing from cash above the buffer."""
        line = self.line
        if line is None or line.principal <= 1e-9:
            return
        spare = self.cash - LINE_REPAY_BUFFER * FUND_LIQUIDITY_BUFFER * max(self.nav, 0.0)
        if spare > 1e-9:
            paid = self.pay(line.holder, min(spare, line.principal), "principal")
            line.principal -= paid

    def will_roll(self, loan) -> bool:
        """A fund rolls maturing loans while it is open; a gated fund needs the cash back."""
        return self.status == Status.ACTIVE and not self.gated

    def trailing_return(self) -> float:
        """Return on NAV over the last four quarters (annual)."""
        return sum(self.returns)

    def investor_flows(self) -> None:
        """LP subscriptions and redemption requests; requests above the gate are queued."""
        m = self.model
        p = m.params
        nav = max(self.nav, 0.0)
        if nav <= 1e-9:
            return
        excess = self.trailing_return() - (m.market.base_rate + LP_PREMIUM)
        inflow = nav * max(0.0, BASE_SUBSCRIPTION * m.market.sentiment
                           + SUBSCRIPTION_RETURN_WEIGHT * excess / QUARTERS_PER_YEAR)
        if inflow > 1e-9 and self.status == Status.ACTIVE and not self.gated:
            m.ledger.transfer(m.lps, self, inflow, "lp_subscription")
        # requests respond to returns short of the benchmark and to credit stress, and persist
        stress = (REDEMPTION_SHORTFALL_WEIGHT * max(0.0, -excess) / QUARTERS_PER_YEAR
                  + REDEMPTION_STRESS_WEIGHT * m.market.credit_stress)
        target = BASE_REDEMPTION + p.lp_redemption_sensitivity * stress
        self.request_rate = (REDEMPTION_PERSISTENCE * self.request_rate
                             + (1.0 - REDEMPTION_PERSISTENCE) * target)
        self.queued_redemptions += nav * self.request_rate
        cap = p.redemption_gate * nav
        payable = min(self.queued_redemptions, cap)
        if payable > self.cash:
            self.raise_cash(payable)
        if payable > self.cash:
            sell_loans(m, self, payable - self.cash)
        payable = min(payable, max(self.cash, 0.0))
        paid = self.pay(m.lps, payable, "redemption") if payable > 1e-9 else 0.0
        self.queued_redemptions -= paid
        self.redeemed = paid
        was_gated = self.gated
        self.gated = self.queued_redemptions > 1e-6 and paid >= cap - 1e-9
        if self.gated and not was_gated:
            m.log(f"{self.name} gates redemptions: pays {paid:.1f}B, "
                  f"{self.queued_redemptions:.1f}B left queued", "gate", self)

    def record_return(self) -> None:
        """Last quarter's return on NAV: income and marks over the NAV it started with."""
        if self.nav_mark > 1e-9:
            self.last_return = (self.pnl - self.pnl_mark) / self.nav_mark
            self.returns.append(self.last_return)
        self.pnl_mark = self.pnl
        self.nav_mark = max(self.nav, 0.0)
