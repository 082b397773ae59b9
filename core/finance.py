"""Deal mechanics shared by all agents: lending, equity issues, paying what is due.

Each function creates or settles contracts and moves the cash through the ledger, so that
the two balance sheets of a contract and the cash always change together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.contracts import Contract, EquityStake, Loan

if TYPE_CHECKING:
    from core.protocol import Agent, Economy

EPS = 1e-9


def lend(m: Economy, lender: Agent, borrower: Agent, amount: float,
         cls: type[Loan] = Loan, *, merge: bool = False, **terms) -> Loan | None:
    """Create a loan (or bond) and pay its principal from lender to borrower.

    With ``merge`` a new draw between the same two parties and of the same category tops up
    the existing facility (a delayed-draw term loan) instead of opening a new contract.
    """
    amount = min(amount, max(lender.cash, 0.0)) if not lender.overdraft else amount
    if amount <= EPS:
        return None
    loan = None
    if merge:
        loan = next((c for c in borrower.issued if type(c) is cls and c.holder is lender
                     and c.category == terms.get("category") and c.active), None)
    if loan is None:
        loan = cls(issuer=borrower, holder=lender, start=m.t, principal=amount, **terms)
        m.book.add(loan)
    else:
        loan.principal += amount
        loan.maturity = max(loan.maturity, terms.get("maturity", loan.maturity))
    m.ledger.transfer(lender, borrower, amount, "lending")
    return loan


def relationship(agent: Agent, pool: Sequence, k: int) -> list:
    """The ``k`` counterparties in ``pool`` an agent deals with (lenders, vendors).

    A fixed rotation by the agent's id: with ``k >= len(pool)`` it is the whole pool; in large
    synthetic rosters it keeps every deal to a bounded number of contracts.
    """
    n = len(pool)
    if k >= n:
        return list(pool)
    start = agent.unique_id % n
    return [pool[(start + j) % n] for j in range(k)]


def split_by_capacity(amount: float, capacities: Sequence[float]) -> list[float]:
    """Split ``amount`` across lenders in proportion to their capacity, never above it."""
    total = sum(max(c, 0.0) for c in capacities)
    if total <= EPS or amount <= EPS:
        return [0.0 for _ in capacities]
    take = min(amount, total)
    return [take * max(c, 0.0) / total for c in capacities]


def issue_equity(m: Economy, issuer: Agent, investor: Agent, amount: float,
                 post_money: float) -> EquityStake | None:
    """Sell new shares worth ``amount`` at a post-money valuation; earlier holders are diluted."""
    if amount <= EPS or post_money <= EPS:
        return None
    if not investor.overdraft:
        amount = min(amount, max(investor.cash, 0.0))
        if amount <= EPS:
            return None
    fraction = min(amount / post_money, 0.95)
    existing = None
    for stake in issuer.issued:
        if isinstance(stake, EquityStake) and stake.active:
            stake.fraction *= 1.0 - fraction
            if stake.holder is investor:
                existing = stake
    if existing is None:
        existing = m.book.add(EquityStake(issuer=issuer, holder=investor, start=m.t))
    # a follow-on investment adds to the investor's stake (one contract per holder)
    existing.fraction += fraction
    existing.cost_basis += amount
    existing.mark += amount
    m.ledger.transfer(investor, issuer, amount, "equity_issue")
    return existing


def pay_due(m: Economy, contract: Contract, amount: float, kind: str) -> float:
    """Pay arrears first, then ``amount`` newly due; accrue what cannot be paid as arrears.

    Unpaid amounts are booked as an expense of the payer and income of the payee (accrual),
    so later payment of the arrears is a pure swap of cash for the claim.
    """
    payer, payee = contract.issuer, contract.holder
    paid_arrears = 0.0
    if contract.arrears > EPS:
        paid_arrears = payer.pay(payee, contract.arrears, "arrears_payment")
        contract.arrears -= paid_arrears
    still_owed = contract.arrears
    paid = payer.pay(payee, amount, kind) if amount > EPS else 0.0
    unpaid = amount - paid
    if unpaid > EPS:
        contract.arrears += unpaid
        payer.revalue(-unpaid, kind)
        payee.revalue(unpaid, kind)
    if unpaid + still_owed > EPS:
        payer.missed += unpaid + still_owed
    return paid + paid_arrears


def service_loan(m: Economy, loan: Loan) -> None:
    """Pay one quarter's interest and scheduled principal on a loan or bond."""
    interest, repay = loan.scheduled(m.t, m.market.base_rate)
    issuer = loan.issuer
    if loan.arrears <= EPS and m.ledger.cash[issuer.account] >= interest + repay:
        # the common case, a borrower that pays in full: straight through the ledger
        if interest > EPS:
            m.ledger.transfer(issuer, loan.holder, interest, "interest")
        if repay > EPS:
            m.ledger.transfer(issuer, loan.holder, repay, "principal")
            loan.principal -= repay
        if loan.principal <= EPS:
            loan.principal = 0.0
            m.book.retire(loan)
        return
    pay_due(m, loan, interest, "interest")
    if repay > EPS:
        paid = loan.issuer.pay(loan.holder, repay, "principal") if loan.arrears <= EPS else 0.0
        loan.principal -= paid
        if repay - paid > EPS:
            loan.issuer.missed += repay - paid
    if loan.principal <= EPS and loan.arrears <= EPS:
        loan.principal = 0.0
        m.book.retire(loan)
