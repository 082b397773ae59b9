"""Chipmaker (Nvidia, AMD): sells GPUs, and finances some of its own customers.

Revenue is its share of every GPU purchase. Vendor financing, the circular part: it buys
equity in the labs and neoclouds that buy its chips, backstops CoreWeave's unsold capacity,
and (AMD) gives OpenAI warrants on its own shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import CHIP_CASH_FLOOR, CHIP_OPEX_SHARE, CHIP_PAYOUT_SHARE

if TYPE_CHECKING:
    from core.protocol import Economy



class Chipmaker(FinancialAgent):
    """Nvidia, AMD."""

    role: ClassVar[str] = "chipmaker"

    def __init__(self, model: Economy, name: str, spec: dict) -> None:
        super().__init__(model, name, spec["cash"])
        self.market_share = spec["market_share"]
        self.gross_margin = spec["gross_margin"]
        self.vendor_financing = 0.0   # equity put into customers this quarter

    @property
    def sales(self) -> float:
        """GPU sales booked this quarter."""
        return self.income.get("gpu_purchase", 0.0)

    def buy_shares(self, issuer: FinancialAgent, amount: float, post_money: float) -> bool:
        """Equity in a customer: vendor financing, the circular part of chip sales."""
        bought = super().buy_shares(issuer, amount, post_money)
        if bought:
            self.vendor_financing += amount
        return bought

    def operate(self) -> None:
        """Pay cost of goods and opex on last quarter's sales; pay out part of the profit."""
        m = self.model
        sales = m.prev_income(self, "gpu_purchase")
        costs = ((1.0 - self.gross_margin) + CHIP_OPEX_SHARE) * sales
        self.pay(m.suppliers, min(costs, max(self.cash, 0.0)), "opex")
        profit = sales - costs
        if profit > 0 and self.cash > CHIP_CASH_FLOOR:
            payout = min(CHIP_PAYOUT_SHARE * profit, self.cash - CHIP_CASH_FLOOR)
            self.pay(m.equity_investors, payout, "dividend")
