"""AI lab: sells AI services, burns cash on compute and staff, raises equity to survive.

Spending: spend = fixed costs + revenue x (c + b), with c the cost ratio of a mature lab and
b = b0 S min(1, runway / 8) / (1 + R / R_b) the extra a young lab burns to grow: burn shrinks
with scale and as cash runs out, and a lab large enough turns a profit.
Take-or-pay compute contracts are paid first; they can force spending above plan when
revenue disappoints. Equity comes from outside investors and, for a share, from chipmakers
(vendor financing, the circular part). A lab that cannot raise and cannot pay is distressed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BURN_SCALE,
    COMPUTE_SHARE,
    DISTRESSED_CASH_SPEND,
    DISTRESSED_MULTIPLE,
    LAB_BEST_NOTCH,
    LAB_COST_RATIO,
    LAB_REVOLVER_SHARE,
    MAX_RAISE_SHARE,
    QUARTERS_PER_YEAR,
    RAISE_BURN_QUARTERS,
    RAISE_SENTIMENT_FLOOR,
    ROUND_NEWS,
    RUNWAY_FULL,
    RUNWAY_TRIGGER,
)
from core.contracts import ComputeContract, Lease
from core.finance import pay_due
from core.news import fmt_bn
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class AILab(FinancialAgent):
    """OpenAI, Anthropic, xAI."""

    role: ClassVar[str] = "lab"

    def __init__(self, model: Economy, name: str, spec: dict) -> None:
        super().__init__(model, name, spec["cash"])
        self.revenue_share = spec["revenue_share"]
        self.fixed_opex = spec["fixed_opex"]
        self.compute_budget = 0.0
        self.other_budget = 0.0
        self.burn = 0.0
        self.used_gw = 0.0
        self.share_luck = 0.0         # log deviation of its market share from the roster's

    @property
    def revenue(self) -> float:
        """End-customer revenue this quarter."""
        return self.income.get("ai_revenue", 0.0)

    def plan_spending(self) -> None:
        """Set this quarter's compute and other budgets from revenue, sentiment and runway."""
        m = self.model
        rev = self.revenue
        runway = self.cash / self.burn if self.burn > 1e-9 else RUNWAY_FULL
        b = (m.params.lab_burn * m.market.sentiment * min(1.0, runway / RUNWAY_FULL)
             / (1.0 + rev / BURN_SCALE))
        total = self.fixed_opex * m.market.non_ai_growth + rev * (LAB_COST_RATIO + b)
        if self.status != Status.ACTIVE:
            total = min(total, rev + max(self.cash, 0.0) * DISTRESSED_CASH_SPEND)
        self.compute_budget = COMPUTE_SHARE * total
        self.other_budget = total - self.compute_budget

    def pay_compute(self) -> float:
        """Pay the take-or-pay contracts (use contracted GW first); leases are paid with debt.

        Returns the budget left for spot compute.
        """
        m, t = self.model, self.model.t
        budget = self.compute_budget
        used = 0.0
        for c in self.issued:
            if isinstance(c, ComputeContract) and c.in_force(t):
                delivered = c.holder.delivery_share()
                usage = min(c.gw * delivered, max(budget, 0.0) / c.price)
                due = c.payment(t, usage, delivered)
                pay_due(m, c, due, "compute")
                budget -= due
                used += usage
            elif isinstance(c, Lease) and c.scheduled(t) > 0:
                budget -= c.scheduled(t)      # GPUs leased from an SPV, paid in phase 4
                used += c.holder.capacity_gw
        self.used_gw = used
        return max(0.0, min(budget, self.cash))

    def going_concern_value(self) -> float:
        """A lab is worth its revenue at a distressed multiple, plus what it owns."""
        return (super().going_concern_value()
                + QUARTERS_PER_YEAR * self.revenue * DISTRESSED_MULTIPLE)

    def rating_notch(self) -> int:
        """Labs are rated by their runway: cash over burn (none has investment-grade credit)."""
        if self.status != Status.ACTIVE:
            return super().rating_notch()
        if self.burn <= 1e-9 or self.cash >= RUNWAY_FULL * self.burn:
            return LAB_BEST_NOTCH
        return LAB_BEST_NOTCH + 1 if self.cash >= RUNWAY_TRIGGER * self.burn else \
            LAB_BEST_NOTCH + 2

    def operate(self) -> None:
        """Pay staff and other costs."""
        self.pay(self.model.suppliers, min(self.other_budget, max(self.cash, 0.0)), "opex")

    def record_burn(self) -> None:
        """Cash burn of the quarter: operating costs (accrued) minus revenue."""
        inc = self.income
        costs = -(inc.get("compute", 0.0) + inc.get("opex", 0.0) + inc.get("lease_rent", 0.0)
                  + inc.get("interest", 0.0))
        self.burn = max(0.0, costs - self.revenue)

    def raise_funds(self) -> None:
        """Raise equity when the runway is short and investors are still willing."""
        m = self.model
        for lab, quarter, amount, investors in m.roster_rounds:
            if lab == self.name and quarter == m.t:
                self._sell_shares(amount, dict(investors), announced=True)
        if self.status == Status.DEFAULTED:
            return
        if self.cash < RUNWAY_TRIGGER * self.burn and m.market.sentiment >= RAISE_SENTIMENT_FLOOR:
            wanted = min(RAISE_BURN_QUARTERS * self.burn, MAX_RAISE_SHARE * m.valuation(self))
            vendor = m.params.vendor_financing_share
            vendors = m.gpu_vendors(self)
            split = {cm.name: vendor * share for cm, share in vendors}
            outside = max(1e-9, 1.0 - sum(split.values()))
            # outside investors' appetite for private AI rounds is finite and cyclical
            wanted = min(wanted, m.market.equity_window / outside)
            m.market.equity_window -= wanted * outside
            self._sell_shares(wanted, split, announced=wanted >= ROUND_NEWS)
        self.repay_line()

    def repay_line(self) -> None:
        """Pay down the revolver from cash above a year of burn."""
        line = self.line
        if line is None or line.principal <= 1e-9:
            return
        spare = self.cash - RUNWAY_TRIGGER * self.burn
        if spare > 1e-9:
            line.principal -= self.pay(line.holder, min(spare, line.principal), "principal")

    def line_base(self) -> float | None:
        """The revolver banks size each year: a share of annual revenue."""
        if self.status != Status.ACTIVE:
            return 0.0
        return LAB_REVOLVER_SHARE * QUARTERS_PER_YEAR * self.revenue

    def _sell_shares(self, amount: float, shares: dict[str, float], *, announced: bool) -> None:
        m = self.model
        if amount <= 1e-6:
            return
        post = m.valuation(self) + amount
        outside = max(0.0, 1.0 - sum(shares.values()))
        names = []
        for name, share in shares.items():
            investor = m.agent_by_name(name)
            if share > 0 and investor.buy_shares(self, amount * share, post):
                names.append(name)
        m.equity_investors.buy_shares(self, amount * outside, post)
        if announced:
            who = f" (with {', '.join(names)})" if names else ""
            m.log(f"{self.name} raises {fmt_bn(amount)} at a {fmt_bn(post)} valuation{who}",
                  "deal", self)
