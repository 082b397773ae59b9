"""Private-credit fund: lends to SPVs and neoclouds from LP money and bank warehouse lines.

It marks its loans by borrower distress (a loss allowance), takes LP subscriptions that
follow sentiment and returns, and pays redemptions that follow losses and stress, up to a
gate (a share of NAV per quarter); requests above the gate queue for later quarters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BASE_REDEMPTION,
    BASE_SUBSCRIPTION,
    FUND_LIQUIDITY_BUFFER,
    LINE_REPAY_BUFFER,
    LP_HURDLE,
    QUARTERS_PER_YEAR,
    REDEMPTION_LOSS_WEIGHT,
    REDEMPTION_SENTIMENT_WEIGHT,
    SUBSCRIPTION_RETURN_WEIGHT,
)
from core.contracts import CreditLine
from core.firesales import sell_loans
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class PrivateCreditFund(FinancialAgent):
    """Blue Owl, Apollo, Pimco, BlackRock (aggregates)."""

    role: ClassVar[str] = "fund"

    def __init__(self, model: Economy, name: str, cash: float) -> None:
        super().__init__(model, name, cash)
        self.line: CreditLine | None = None
        self.queued_redemptions = 0.0
        self.redeemed = 0.0
        self.gated = False
        self.last_return = 0.0
        self.pnl_mark = 0.0
        self.nav_mark = 0.0

    @property
    def nav(self) -> float:
        """Net asset value: the LPs' equity."""
        return self.equity

    def lending_capacity(self) -> float:
        """Cash above the buffer plus what the bank line still allows."""
        if self.status != Status.ACTIVE:
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

    def draw_line(self, amount: float) -> float:
        """Borrow on the bank warehouse line, within its limit and the bank's room."""
        line = self.line
        if line is None or line.holder.role != "bank":
            return 0.0
        return line.holder.advance_on_line(line, amount)

    def repay_line(self) -> None:
        """Repay warehouse borrowing from cash above the buffer."""
        line = self.line
        if line is None or line.principal <= 1e-9:
            return
        spare = self.cash - LINE_REPAY_BUFFER * FUND_LIQUIDITY_BUFFER * max(self.nav, 0.0)
        if spare > 1e-9:
            paid = self.pay(line.holder, min(spare, line.principal), "principal")
            line.principal -= paid

    def investor_flows(self) -> None:
        """LP subscriptions and redemptions; redemptions above the gate are queued."""
        m = self.model
        p = m.params
        nav = max(self.nav, 0.0)
        if nav <= 1e-9:
            return
        ret = self.last_return
        inflow = nav * max(0.0, BASE_SUBSCRIPTION * m.market.sentiment
                           + SUBSCRIPTION_RETURN_WEIGHT * (ret - LP_HURDLE / QUARTERS_PER_YEAR))
        if inflow > 1e-9 and self.status == Status.ACTIVE:
            m.ledger.transfer(m.lps, self, inflow, "lp_subscription")
        stress = (max(0.0, -ret) * REDEMPTION_LOSS_WEIGHT
                  + max(0.0, 1.0 - m.market.sentiment) * REDEMPTION_SENTIMENT_WEIGHT)
        request = nav * (BASE_REDEMPTION + p.lp_redemption_sensitivity * stress)
        self.queued_redemptions += request
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
        self.pnl_mark = self.pnl
        self.nav_mark = max(self.nav, 0.0)
