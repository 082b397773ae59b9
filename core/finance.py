"""Deal mechanics shared by all agents: lending, equity issues, paying what is due.

Each function creates or settles contracts and moves the cash through the ledger, so that
the two balance sheets of a contract and the cash always change together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.coefficients import FUND_SHARE_OF_DEALS, QUARTERS_PER_YEAR
from core.contracts import Contract, EquityStake, Loan

if TYPE_CHECKING:
    from core.protocol import Agent, Economy

EPS = 1e-9


def lend(m: Economy, lender: Agent, borrower: Agent, amount: float,
         cls: type[Loan] = Loan, *, merge: bool = False, **terms) -> Loan | None:
    """Create a loan (or bond) and pay its principal from lender to borrower.

    With ``merge`` a new draw between the same two parties, of the same category and maturing
    within the same year, tops up the existing facility (a delayed-draw term loan) instead of
    opening a new contract.
    """
    amount = min(amount, max(lender.cash, 0.0)) if not lender.overdraft else amount
    if amount <= EPS:
        return None
    loan = None
    if merge:
        maturity, category = terms.get("maturity", m.t), terms.get("category")
        loan = next((c for c in borrower.issued.of(cls) if c.holder is lender and type(c) is cls
                     and c.category == category and c.active
                     and abs(c.maturity - maturity) < QUARTERS_PER_YEAR), None)
    if loan is None:
        loan = cls(issuer=borrower, holder=lender, start=m.t, principal=amount, **terms)
        m.book.add(loan)
    else:
        # the facility's rate becomes the principal-weighted average of old and new money
        rate = terms.get("rate", loan.rate)
        loan.rate = (loan.principal * loan.rate + amount * rate) / (loan.principal + amount)
        loan.principal += amount
        loan.balloon += terms.get("balloon", 0.0)
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
    for stake in issuer.issued.of(EquityStake):
        if stake.active:
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
            loan.balloon = min(loan.balloon, loan.principal)
        if loan.principal <= EPS:
            loan.principal = 0.0
            m.book.retire(loan)
        return
    pay_due(m, loan, interest, "interest")
    if repay > EPS:
        paid = loan.issuer.pay(loan.holder, repay, "principal") if loan.arrears <= EPS else 0.0
        loan.principal -= paid
        unpaid = repay - paid
        if unpaid > EPS:
            # principal due and not paid is in arrears: the same claim, now past due
            loan.principal -= unpaid
            loan.arrears += unpaid
            loan.issuer.missed += unpaid
        loan.balloon = min(loan.balloon, loan.principal)
    if loan.principal <= EPS and loan.arrears <= EPS:
        loan.principal = 0.0
        m.book.retire(loan)


@dataclass(frozen=True, slots=True)
class Rollover:
    """Terms on which a maturing loan is rolled over (amended and extended)."""

    amount: float            # principal rolled (the rest falls due now)
    maturity: int            # new final quarter
    rate: float              # new coupon (fixed) or margin over the policy rate (floating)
    balloon_share: float = 1.0   # share of the rolled principal still due at the new maturity
    amortising: bool = False


def refinance_maturing(m: Economy, loan: Loan) -> float:
    """Roll over what lenders will of a loan that falls due now; return the amount rolled.

    The borrower states the terms the market offers it (:meth:`refinancing_terms`); the
    holder rolls the loan if it still lends, otherwise the borrower's other lenders are asked
    for a new loan whose proceeds repay this one. What is not refinanced is due in cash.
    """
    borrower, holder = loan.issuer, loan.holder
    terms = borrower.refinancing_terms(loan)
    if terms is None or terms.amount <= EPS:
        return 0.0
    amount = min(terms.amount, loan.principal)
    if holder.will_roll(loan):
        part = (loan if amount >= loan.principal - EPS
                else m.book.split(loan, amount / loan.principal))
        part.maturity, part.rate = terms.maturity, terms.rate
        part.amortising, part.amortise_from = terms.amortising, m.t + 1
        part.balloon = terms.balloon_share * part.principal
        return amount
    return m.credit.syndicate(
        borrower, amount, fund_share=FUND_SHARE_OF_DEALS, rate=terms.rate, floating=loan.floating,
        maturity=terms.maturity, amortising=terms.amortising,
        balloon=terms.balloon_share * amount, amortise_from=m.t + 1, category=loan.category,
        collateral=loan.collateral)
