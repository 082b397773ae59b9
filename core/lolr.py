"""Lender of last resort: a central-bank facility for solvent funds and banks short of cash.

Bagehot's rule: lend freely, to solvent institutions, against good collateral, at a penalty
rate. A fund or bank that needs cash (redemptions, the distress chain) borrows from the
facility before it sells loans at fire-sale prices, within the facility's budget
(``lolr_budget``) and against its performing loans after a haircut. It repays from spare cash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.coefficients import LOLR_HAIRCUT, LOLR_PENALTY, OPEN_ENDED
from core.contracts import Loan
from core.finance import EPS, lend
from core.news import fmt_bn
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Agent, Economy

LOLR = "lolr"          # loan category of the facility's advances
ELIGIBLE = ("fund", "bank")


def lolr_outstanding(m: Economy) -> float:
    """What the facility has lent and not yet been repaid."""
    return sum(c.principal for c in m.book.of(Loan) if c.category == LOLR and c.active)


def _advance(agent: Agent) -> Loan | None:
    return next((c for c in agent.issued if isinstance(c, Loan) and c.category == LOLR
                 and c.active), None)


def borrow_from_lolr(m: Economy, agent: Agent, needed: float) -> float:
    """Lend ``agent`` up to ``needed`` if it is eligible and solvent; return the amount lent."""
    budget = m.params.lolr_budget
    if (budget <= 0.0 or needed <= EPS or agent.role not in ELIGIBLE
            or agent.status == Status.DEFAULTED or agent.equity <= 0.0):
        return 0.0
    advance = _advance(agent)
    owed = advance.principal if advance is not None else 0.0
    collateral = sum(c.value() for c in agent.held if isinstance(c, Loan)
                     and c.issuer.status == Status.ACTIVE)
    room = min(budget - lolr_outstanding(m), (1.0 - LOLR_HAIRCUT) * collateral - owed)
    amount = min(needed, room)
    if amount <= EPS:
        return 0.0
    lend(m, m.central_bank, agent, amount, Loan, merge=True, rate=LOLR_PENALTY, floating=True,
         maturity=OPEN_ENDED, category=LOLR)
    if advance is None:
        m.log(f"{agent.name} borrows {fmt_bn(amount)} from the central bank's facility instead of "
              "selling loans at a discount", "policy", agent)
    return amount


def repay_lolr(m: Economy, agent: Agent, spare: float) -> float:
    """Repay the facility from ``spare`` cash; return the amount repaid."""
    advance = _advance(agent)
    if advance is None or spare <= EPS:
        return 0.0
    paid = agent.pay(m.central_bank, min(spare, advance.principal), "principal")
    advance.principal -= paid
    if advance.principal <= EPS:
        advance.principal = 0.0
        m.book.retire(advance)
    return paid
