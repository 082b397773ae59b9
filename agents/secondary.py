"""Secondary-market operators: the buyers of fire-sold data centres and GPUs.

Capacity sold in distress does not vanish. Distressed-asset investors buy it at the fire-sale
price and run it on the spot market, where it keeps pressing on rents (as used H100s did in
2024-25). They fund every purchase with fresh equity and hand spare cash back each year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import OPEX_PER_GW, QUARTERS_PER_YEAR
from core.contracts import EquityStake
from core.finance import issue_equity

if TYPE_CHECKING:
    from core.protocol import Economy


class SecondaryOwner(FinancialAgent):
    """The distressed-asset funds that own and run capacity bought in fire sales."""

    role: ClassVar[str] = "secondary"

    def __init__(self, model: Economy, name: str) -> None:
        super().__init__(model, name, 0.0)

    def buy_capacity_from(self, seller: FinancialAgent, share: float, price: float) -> None:
        """Take over ``share`` of the seller's capacity (running, built or under construction)
        for ``price``, paid with equity raised from distressed-asset investors.
        """
        m = self.model
        book = seller.gpu_book + seller.building_book
        gpu_weight = seller.gpu_book / book if book > 0 else 0.0
        issue_equity(m, self, m.distressed_investors, price,
                     max(price, self.equity + price))
        self.capacity_gw += seller.capacity_gw * share
        self.awaiting_power += seller.awaiting_power * share
        self.pipeline.extend((when, gw * share) for when, gw in seller.pipeline)
        self.gpu_book += gpu_weight * price
        self.gpu_market += gpu_weight * price
        self.building_book += (1.0 - gpu_weight) * price
        m.ledger.transfer(self, seller, price, "asset_sale")

    def operate(self) -> None:
        """Run the capacity; once a year hand the cash it does not need to its owners."""
        m = self.model
        self.pay(m.suppliers, min(OPEX_PER_GW * self.capacity_gw, max(self.cash, 0.0)), "opex")
        if m.t % QUARTERS_PER_YEAR == QUARTERS_PER_YEAR - 1:
            spare = self.cash - OPEX_PER_GW * self.capacity_gw
            owners = [c for c in self.issued if isinstance(c, EquityStake) and c.active]
            if spare > 1e-6 and owners:
                self.pay(owners[0].holder, spare, "dividend")
