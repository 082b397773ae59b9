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
from core.coefficients import (
    BOND_LADDER,
    BOND_NEWS,
    CAPEX_SMOOTHING,
    EXCESS_CASH,
    EXCESS_PAYOUT,
    GPU_SHARE_OF_CAPEX,
    MIN_BOND_DEAL,
    MIN_CASH_SHARE,
    OPEX_PER_GW,
    PAYOUT_FROM,
    PROGRAMME_START,
    QUARTERS_PER_YEAR,
    RATING_THRESHOLD,
    SPV_PRESSURE,
    SPV_PRESSURE_FROM,
    TREASURY_FLOOR,
)
from core.contracts import Bond, Lease
from core.finance import lend
from core.news import fmt_bn
from core.ratings import bond_market_open, bond_spread, label, notch_from_leverage
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



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
        return QUARTERS_PER_YEAR * (self.non_ai_ocf * m.market.non_ai_growth
                                    + m.prev_income(self, "ai_revenue")
                                    + m.prev_income(self, "compute"))

    def net_debt(self) -> float:
        """Debt less cash; with consolidation, the debt of its SPVs counts as its own."""
        debt = self.debt - self.cash
        if self.model.params.consolidate_spvs:
            debt += self.sponsored_spv_debt()
        return debt

    def sponsored_spv_debt(self) -> float:
        """Debt of the SPVs that lease their capacity to this sponsor."""
        return sum(c.holder.debt for c in self.issued.of(Lease) if c.active)

    def rating_ratio(self) -> float:
        """Net debt over annual operating cash flow."""
        return max(0.0, self.net_debt()) / max(self.annual_operating_cash(), 1e-9)

    def rating_notch(self) -> int:
        """Rating from net debt over operating cash flow (agency practice for large tech)."""
        if self.status != Status.ACTIVE:
            return super().rating_notch()
        return notch_from_leverage(self.net_debt(), self.annual_operating_cash())

    def operate(self) -> None:
        """Run the data centres and pay shareholders (payouts are cut when cash is short)."""
        m = self.model
        opex = OPEX_PER_GW * self.operated_gw
        paid = self.pay(m.suppliers, opex, "opex")
        self.missed += opex - paid
        target = self.cash_target()
        payout = self.payout_rate * min(1.0, max(0.0, self.cash / max(target, 1e-9) - PAYOUT_FROM)
                                       / (1.0 - PAYOUT_FROM))
        # cash far above what the treasury needs goes back to shareholders (buybacks)
        payout += EXCESS_PAYOUT * max(0.0, self.cash - EXCESS_CASH * target)
        if self.status == Status.ACTIVE and payout > 0:
            self.pay(m.equity_investors, payout, "dividend")

    def cash_target(self, spv_fraction: float | None = None) -> float:
        """Cash buffer the treasury keeps: a multiple of the next four quarters' capex on its
        own balance sheet (SPVs fund the rest, ``spv_fraction`` of it if already known).
        """
        if spv_fraction is None:
            spv_fraction = self.spv_fraction()
        own = self.planned_capex * (1.0 - spv_fraction)
        return (self.model.params.cash_target * QUARTERS_PER_YEAR
                * max(self.capex_trend, own) + TREASURY_FLOOR)

    def spv_fraction(self) -> float:
        """Share of capex financed off balance sheet; rises as the rating ratio tightens.

        Consolidation takes away the reason for SPVs: their debt would count anyway.
        """
        m = self.model
        # the named deals of 2025 (Hyperion, Vantage, Stargate New Mexico, xAI) are in the
        # roster; programme vehicles stand for the rest of the FT's tally from mid-2025
        if m.t < PROGRAMME_START or m.params.consolidate_spvs:
            return 0.0
        pressure = 1.0 + SPV_PRESSURE * max(0.0, self.rating_ratio() - SPV_PRESSURE_FROM)
        return min(1.0 - GPU_SHARE_OF_CAPEX,
                   self.spv_share * m.params.spv_appetite * pressure)

    def finance_and_build(self) -> None:
        """Fund the planned capex by the pecking order and buy the capacity."""
        m = self.model
        capex = self.planned_capex
        spv_fraction = self.spv_fraction()
        own_capex = capex * (1.0 - spv_fraction)
        self.capex_trend = own_capex if m.t == 0 else (CAPEX_SMOOTHING * self.capex_trend
                                                       + (1.0 - CAPEX_SMOOTHING) * own_capex)
        if capex <= 0.0 or self.status == Status.DEFAULTED:
            return
        # SPVs own data-centre shells (buildings, power) leased to the sponsor, as Hyperion
        # and Vantage do; the sponsor buys the GPUs that go in them
        spv_part = capex * spv_fraction
        own = capex - spv_part
        gpu_share = GPU_SHARE_OF_CAPEX * capex / own
        shortfall = own + self.cash_target(spv_fraction) - self.cash
        if shortfall > 0.0:
            self.issue_bonds(shortfall)
        spendable = max(0.0, self.cash - MIN_CASH_SHARE * (self.snap.assets if self.snap else 0.0))
        self.buy_capacity(min(own, spendable), m.gpu_vendors(self), m.suppliers, gpu_share)
        if spv_part > 0.0:
            self.spv_capex += SPV.finance_deal(m, self, spv_part)

    def issue_bonds(self, wanted: float) -> float:
        """Sell a ladder of bonds to outside investors, keeping net debt within the treasury's
        limit, while the bond market is open to the company's rating.
        """
        m = self.model
        cash_flow, net_debt = self.annual_operating_cash(), self.net_debt()
        room = RATING_THRESHOLD * cash_flow - max(0.0, net_debt)
        amount = min(wanted, max(0.0, room))
        if amount < MIN_BOND_DEAL or self.status != Status.ACTIVE:
            return 0.0
        notch = notch_from_leverage(net_debt, cash_flow)      # its rating (see rating_notch)
        if not bond_market_open(notch, m.market.sentiment):
            return 0.0
        coupon = m.market.long_rate + bond_spread(notch, m.market.credit_stress)
        for years, share in BOND_LADDER:
            lend(m, m.bond_investors, self, share * amount, Bond, merge=True, rate=coupon,
                 maturity=m.t + QUARTERS_PER_YEAR * years, category="ig_bond")
        self.bonds_issued += amount
        m.flows.ig_bonds_issued += amount
        if amount >= BOND_NEWS:
            m.log(f"{self.name} sells {fmt_bn(amount)} of bonds ({label(notch)}) at {coupon:.2%}",
                  "deal", self)
        return amount
