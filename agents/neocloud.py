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
    GPU_LOAN_SPREAD,
    GPU_LOAN_YEARS,
    LOAN_TO_VALUE,
    OPEX_PER_GW,
    QUARTERS_PER_YEAR,
    TARGET_UTILISATION,
)
from core.contracts import ComputeContract
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

    def contracted_gw(self, t: int) -> float:
        """GW sold under compute contracts in force at quarter ``t``."""
        return sum(c.gw for c in self.held
                   if isinstance(c, ComputeContract) and c.start <= t <= c.end)

    def operate(self) -> None:
        """Pay power and operations for the capacity online."""
        m = self.model
        opex = OPEX_PER_GW * self.operated_gw
        paid = self.pay(m.suppliers, opex, "opex")
        self.missed += opex - paid

    def plan_capex(self) -> None:
        """Order GPUs for the contracted backlog plus a spot book, if the market is willing."""
        m = self.model
        ahead = m.t + m.params.build_lag
        wanted = self.contracted_gw(ahead) / (1.0 - self.spot_share)
        gap = wanted - self.operated_gw - self.pipeline_gw
        confidence = min(1.0, m.market.sentiment) * min(1.0, m.market.utilisation / TARGET_UTILISATION) ** 2
        self.planned_capex = max(0.0, gap) * confidence * m.params.cost_per_gw \
            if self.status == Status.ACTIVE else 0.0

    def finance_and_build(self) -> None:
        """Borrow against the GPUs (85% LTV), pay the rest from cash, and buy."""
        m = self.model
        capex = self.planned_capex
        if capex <= 0.0:
            return
        equity_part = min((1.0 - LOAN_TO_VALUE) * capex, max(self.cash, 0.0))
        capex = equity_part / (1.0 - LOAN_TO_VALUE)
        borrowed = m.credit.syndicate(self, LOAN_TO_VALUE * capex, fund_share=FUND_SHARE_OF_DEALS,
                                      rate=GPU_LOAN_SPREAD, floating=True,
                                      maturity=m.t + QUARTERS_PER_YEAR * GPU_LOAN_YEARS, amortising=True,
                                      category="gpu_loan", collateral=self)
        self.buy_capacity(equity_part + borrowed, m.gpu_vendors(self), m.suppliers)
