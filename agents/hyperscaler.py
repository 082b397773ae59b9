"""Hyperscaler: cloud provider that builds AI capacity and finances it.

Each quarter it earns cloud AI-services revenue and non-AI operating cash, pays opex and
payouts, plans capex (guided in 2025-26, from expected demand afterwards), and funds it by the
pecking order: cash, IG bonds up to a rating threshold, and a share routed to SPVs off its
balance sheet (which rises with leverage: the article's "easier to keep raising bonds").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from agents.spv import SPV
from core.contracts import Bond
from core.finance import lend
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy

RATING_THRESHOLD = 3.0      # net debt / annual operating cash flow for an IG rating
BOND_MATURITY_YEARS = 10
EXCESS_CASH = 2.0           # cash above this multiple of the target is excess ...
EXCESS_PAYOUT = 0.25        # ... and a quarter of it is paid out each quarter
MAX_SPV_SHARE = 0.6         # of capex; sponsors keep most assets on their own books
LEVERAGE_SPREAD = 0.003     # extra coupon per unit of net debt / operating cash flow
MIN_CASH_SHARE = 0.02       # operating cash never spent on capex, share of total assets


class Hyperscaler(FinancialAgent):
    """Microsoft, Alphabet, Amazon, Meta, Oracle."""

    role: ClassVar[str] = "hyperscaler"

    def __init__(self, model: Economy, name: str, spec: dict) -> None:
        super().__init__(model, name, spec["cash"])
        self.cloud_share = spec["cloud_share"]
        self.capex_share = spec["capex_share"]
        self.non_ai_ocf = spec["non_ai_ocf"]
        self.payout_rate = spec["payout"]
        self.spv_share = spec["spv_share"]
        self.guarantees_spv = spec["guarantees_spv"]
        self.planned_capex = 0.0
        self.spv_capex = 0.0
        self.bonds_issued = 0.0
        self.capex_trend = 0.0     # smoothed capex the treasury plans its cash around

    # --- quarter phases --------------------------------------------------------------------
    def annual_operating_cash(self) -> float:
        """Last quarter's revenue, annualised: the denominator of the rating ratio."""
        m = self.model
        return 4.0 * (self.non_ai_ocf * m.market.non_ai_growth + m.prev_income(self, "ai_revenue")
                      + m.prev_income(self, "compute"))

    def rating_ratio(self) -> float:
        """Net debt over annual operating cash flow."""
        return max(0.0, self.debt - self.cash) / max(self.annual_operating_cash(), 1e-9)

    def operate(self) -> None:
        """Run the data centres and pay shareholders (payouts are cut when cash is short)."""
        m = self.model
        opex = m.opex_per_gw * self.operated_gw
        paid = self.pay(m.suppliers, opex, "opex")
        self.missed += opex - paid
        target = self.cash_target()
        payout = self.payout_rate * min(1.0, max(0.0, self.cash / max(target, 1e-9) - 0.5) * 2)
        # cash far above what the treasury needs goes back to shareholders (buybacks)
        payout += EXCESS_PAYOUT * max(0.0, self.cash - EXCESS_CASH * target)
        if self.status == Status.ACTIVE and payout > 0:
            self.pay(m.equity_investors, payout, "dividend")

    def cash_target(self) -> float:
        """Cash buffer the treasury keeps: a multiple of the next four quarters' capex."""
        return self.model.params.cash_target * 4.0 * max(self.capex_trend, self.planned_capex) + 5.0

    def spv_fraction(self) -> float:
        """Share of capex financed off balance sheet; rises as the rating ratio tightens."""
        m = self.model
        if m.t < 1:
            return 0.0
        pressure = 1.0 + 0.5 * max(0.0, self.rating_ratio() - 1.5)
        return min(MAX_SPV_SHARE, self.spv_share * m.params.spv_appetite * pressure)

    def finance_and_build(self) -> None:
        """Fund the planned capex by the pecking order and buy the capacity."""
        m = self.model
        capex = self.planned_capex
        self.capex_trend = capex if m.t == 0 else 0.75 * self.capex_trend + 0.25 * capex
        if capex <= 0.0 or self.status == Status.DEFAULTED:
            return
        spv_part = capex * self.spv_fraction()
        own = capex - spv_part
        shortfall = own + self.cash_target() - self.cash
        if shortfall > 0.0:
            self.issue_bonds(shortfall)
        spendable = max(0.0, self.cash - MIN_CASH_SHARE * (self.snap.assets if self.snap else 0.0))
        self.buy_capacity(min(own, spendable), m.gpu_vendors(self), m.suppliers)
        if spv_part > 0.0:
            self.spv_capex += SPV.finance_deal(m, self, spv_part)

    def issue_bonds(self, wanted: float) -> float:
        """Sell IG bonds to outside investors up to the rating threshold."""
        m = self.model
        room = RATING_THRESHOLD * self.annual_operating_cash() - max(0.0, self.debt - self.cash)
        amount = min(wanted, max(0.0, room))
        if amount < 0.5 or self.status != Status.ACTIVE:
            return 0.0
        coupon = m.market.long_rate + m.market.ig_spread + LEVERAGE_SPREAD * self.rating_ratio()
        lend(m, m.bond_investors, self, amount, Bond, rate=coupon,
             maturity=m.t + 4 * BOND_MATURITY_YEARS, category="ig_bond")
        self.bonds_issued += amount
        m.flows.ig_bonds_issued += amount
        if amount >= 10.0:
            m.log(f"{self.name} sells {amount:.0f}B of bonds at {coupon:.2%}", "deal", self)
        return amount
