"""Neocloud (CoreWeave): rents GPU capacity, bought on GPU-backed loans.

Revenue: take-or-pay contracts (Microsoft, OpenAI), Nvidia's backstop of unsold capacity, and
the spot market. It orders GPUs against its contracted backlog plus a spot share, borrowing
~85% of the cost against the GPUs (delayed-draw term loans from private credit and banks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    FUND_SHARE_OF_DEALS,
    GPU_LOAN_YEARS,
    LOAN_TO_VALUE,
    OPEX_PER_GW,
    QUARTERS_PER_YEAR,
    RAISE_SENTIMENT_FLOOR,
    SPOT_OFFTAKER_NOTCH,
    TARGET_UTILISATION,
)
from core.contracts import ComputeContract, Loan
from core.ratings import secured_spread
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class Neocloud(FinancialAgent):
    """CoreWeave (and synthetic peers)."""

    role: ClassVar[str] = "neocloud"

    def __init__(self, model: Economy, name: str, spec: dict) -> None:
        super().__init__(model, name, spec["cash"])
        self.spot_share = spec["spot_share"]
        self.planned_capex = 0.0
        self.contract_gw = 0.0

    def operate(self) -> None:
        """Pay power and operations for the capacity online."""
        m = self.model
        opex = OPEX_PER_GW * self.operated_gw
        paid = self.pay(m.suppliers, opex, "opex")
        self.missed += opex - paid

    def main_customer(self) -> FinancialAgent | None:
        """The contract customer with the most GW in force (its loans' offtaker)."""
        t = self.model.t
        contracts = [c for c in self.held.of(ComputeContract) if c.in_force(t)]
        return max(contracts, key=lambda c: c.gw).issuer if contracts else None

    def pricing_notch(self) -> int:
        """The credit its lenders price a GPU loan on: its contract customers, and capacity
        sold on the spot market as a single-B customer.
        """
        t = self.model.t
        weights = [(c.gw, c.issuer.rating_notch()) for c in self.held.of(ComputeContract)
                   if c.in_force(t)]
        spot_gw = max(0.0, self.operated_gw - sum(w for w, _ in weights))
        weights.append((spot_gw, SPOT_OFFTAKER_NOTCH))
        total = sum(w for w, _ in weights)
        return round(sum(w * n for w, n in weights) / total) if total > 0 else SPOT_OFFTAKER_NOTCH

    def offtaker_spread(self) -> float:
        """Margin of a GPU loan: set by the credit of the customers who pay for the GPUs."""
        return secured_spread(self.pricing_notch(), self.model.market.credit_stress)

    def plan_capex(self) -> None:
        """Order GPUs for the contracted backlog (signed, so built whatever the mood) plus a
        spot book, if the market is willing.
        """
        m = self.model
        if self.status != Status.ACTIVE:
            self.planned_capex = 0.0
            return
        contracted = self.backlog_gw(m.t + m.params.build_lag)
        have = self.operated_gw + self.pipeline_gw
        contract_gap = max(0.0, contracted - have)
        spot_gap = max(0.0, contracted / (1.0 - self.spot_share) - have) - contract_gap
        confidence = (min(1.0, m.market.sentiment)
                      * min(1.0, m.market.utilisation / TARGET_UTILISATION) ** 2)
        # the gap is closed over the build lag, as orders can be placed and financed
        self.planned_capex = ((contract_gap + spot_gap * confidence) / m.params.build_lag
                              * m.params.cost_per_gw)

    def raise_equity(self, wanted: float) -> float:
        """Sell new shares to outside investors for the equity part of a build (CoreWeave's
        2025 IPO, Nebius's and IREN's offerings), as far as the market's window allows.
        """
        m = self.model
        if self.status != Status.ACTIVE or m.market.sentiment < RAISE_SENTIMENT_FLOOR:
            return 0.0
        amount = min(wanted, m.market.equity_window)
        if amount <= 1e-6:
            return 0.0
        m.market.equity_window -= amount
        post = max(m.valuation(self), 0.0) + amount
        m.equity_investors.buy_shares(self, amount, post)
        return amount

    def finance_and_build(self) -> None:
        """Borrow against the GPUs (85% LTV), pay the rest from cash, and buy."""
        m = self.model
        # a neocloud's GPU loans amortise faster than its GPUs earn: it keeps a quarter of
        # debt service in cash by selling shares (CoreWeave's IPO, notes and converts of 2025)
        # while the market is open, and is in trouble when it shuts
        service = sum(sum(c.scheduled(m.t + 1, m.market.base_rate))
                      for c in self.issued.of(Loan))
        if service > self.cash:
            self.raise_equity(service - self.cash)
        capex = self.planned_capex
        if capex <= 0.0:
            return
        needed = (1.0 - LOAN_TO_VALUE) * capex + service - max(self.cash, 0.0)
        if needed > 0.0:
            self.raise_equity(needed)
        equity_part = min((1.0 - LOAN_TO_VALUE) * capex, max(self.cash - service, 0.0))
        capex = equity_part / (1.0 - LOAN_TO_VALUE)
        customer = self.main_customer()
        borrowed = m.credit.syndicate(
            self, LOAN_TO_VALUE * capex, fund_share=FUND_SHARE_OF_DEALS,
            rate=self.offtaker_spread(), floating=True, offtaker=customer,
            offtaker_notch=customer.rating_notch() if customer else -1,
            maturity=m.t + QUARTERS_PER_YEAR * GPU_LOAN_YEARS, amortising=True,
            # delayed-draw loans pay interest only until the GPUs they bought are running
            amortise_from=m.t + m.params.build_lag, category="gpu_loan", collateral=self)
        self.buy_capacity(equity_part + borrowed, m.gpu_vendors(self), m.suppliers)
