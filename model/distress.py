"""Phase 9: distress, fire sales, default clearing and who is on the hook.

An agent that cannot pay what it owes first uses cash, then draws committed lines, then sells
assets (equity stakes, loans, GPUs and data centres) at fire-sale prices that depress the
market it sells into, and only then defaults. Defaults are cleared over the whole obligation
network in the same quarter (Eisenberg-Noe clearing of :func:`core.clearing.clear_payments`),
so creditors whose losses wipe out their equity (funds, banks) default in the same quarter.

Seniority and collateral decide recoveries: the proceeds of a defaulter's collateral go to
its secured lenders first (the lenders take the data centre and sell it), the rest is
shared pro rata among the remaining claims. Every write-off is attributed to the agent or
outside-sector account that finally bears it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.clearing import clear_payments
from core.coefficients import FIRE_SALE_RECOVERY
from core.contracts import (
    Backstop,
    ComputeContract,
    Contract,
    CreditLine,
    EquityStake,
    Lease,
    Loan,
    Warrant,
)
from core.finance import EPS
from core.firesales import FINANCIALS, raise_liquidity, sell_capacity, sell_loans, sell_stakes
from core.state import Status

if TYPE_CHECKING:
    from agents.base import FinancialAgent
    from model.economy import AIEconomy


# --- the phase -----------------------------------------------------------------------------
def resolve(m: AIEconomy) -> None:
    """Run the distress chain for everyone in arrears, then clear the defaults."""
    triggered = []
    for a in m.finance_agents:
        if a.status == Status.DEFAULTED:
            continue
        owed = [c for c in a.issued if c.arrears > EPS]
        if not owed:
            continue
        raise_liquidity(m, a, sum(c.arrears for c in owed))
        for c in owed:
            paid = a.pay(c.holder, c.arrears, "arrears_payment")
            c.arrears -= paid
        if any(c.arrears > 1e-6 for c in a.issued):
            triggered.append(a)
    insolvent = [a for a in m.finance_agents if a.role in FINANCIALS
                 and a.status != Status.DEFAULTED and a.equity < -1e-6]
    clear_defaults(m, [*triggered, *(a for a in insolvent if a not in triggered)])
    # used-GPU prices recover slowly from fire sales
    m.market.fire_sale_factor = 1.0 - FIRE_SALE_RECOVERY * (1.0 - m.market.fire_sale_factor)


def clear_defaults(m: AIEconomy, first: list[FinancialAgent]) -> None:
    """Liquidate and clear defaulters; creditors made insolvent default in the same quarter."""
    defaulted: set = set()
    new = list(first)
    rounds = 0
    while new:
        rounds += 1
        defaulted |= set(new)
        owed_before = {a: sum(c.value() for c in _claims_on(a)) for a in new}
        for a in new:
            _liquidate(m, a, frozenset(defaulted))
        recovered = _clear_round(m, new)
        for a in new:
            owed = owed_before[a]
            share = 1.0 - (recovered[a][1] / owed) if owed > EPS else 1.0
            losers = recovered[a][0]
            m.log(f"{a.name} defaults on {owed:.1f}B: its creditors recover {share:.0%}"
                  + (f"; the losses fall on {_names(losers)}" if losers else ""), "default", a)
            _wind_down(m, a)
        new = [a for a in m.finance_agents if a.role in FINANCIALS and a not in defaulted
               and a.status != Status.DEFAULTED and a.equity < -1e-6]
    if defaulted:
        for a in (*m.funds, *m.banks):
            if a.status != Status.DEFAULTED:
                a.mark_loans()


def _claims_on(a: FinancialAgent) -> list[Contract]:
    """Everything the agent owes that has a value now: debt at par, arrears, warrants."""
    return [c for c in a.issued if c.is_liability and c.value() > EPS]


def _liquidate(m: AIEconomy, a: FinancialAgent, defaulters: frozenset) -> None:
    """Turn a defaulter's assets into cash; collateral proceeds repay its secured lenders."""
    sell_stakes(m, a)
    sell_loans(m, a, exclude=defaulters)
    for line in (c for c in a.held if isinstance(c, CreditLine)):
        line.limit = line.principal         # a failed lender's lines are cut
    if a.gpu_book + a.building_book > EPS:
        proceeds = sell_capacity(m, a, announce=False)
        secured = sorted((c for c in a.issued if isinstance(c, Loan) and c.collateral is a
                          and c.value() > EPS), key=lambda c: c.seniority)
        if secured and proceeds > EPS:
            m.log(f"{a.name}'s data centres and GPUs pass to its secured lenders "
                  f"({_names(c.holder for c in secured)}), who sell them for {proceeds:.1f}B",
                  "default", a)
        for c in secured:
            pay = min(c.value(), proceeds, a.cash)
            if pay <= EPS:
                break
            m.ledger.transfer(a, c.holder, pay, "default_recovery")
            proceeds -= pay
            from_arrears = min(c.arrears, pay)
            c.arrears -= from_arrears
            c.principal -= pay - from_arrears


def _names(agents, limit: int = 3) -> str:
    """A short list of names: the first few, then how many more."""
    names = sorted({"ABS noteholders" if a.role == "abs" else a.name for a in agents})
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _clear_round(m: AIEconomy, new: list[FinancialAgent]) -> dict:
    """Eisenberg-Noe clearing of the claims on this round's defaulters, then settlement.

    Returns, for each defaulter, who lost money on it and the total written off.
    """
    claims = [c for a in new for c in _claims_on(a)]
    # the network: this round's defaulters and everyone they owe (small, even in huge rosters)
    nodes = list(dict.fromkeys([*new, *(c.holder for c in claims)]))
    index = {a: i for i, a in enumerate(nodes)}
    n = len(nodes)
    liabilities = np.zeros((n, n))
    for c in claims:
        liabilities[index[c.issuer], index[c.holder]] += c.value()
    np.fill_diagonal(liabilities, 0.0)
    external = np.zeros(n)
    for a in new:
        external[index[a]] = max(a.cash, 0.0)
    result = clear_payments(liabilities, external)
    rate = result.recovery_rate
    house = m.clearing_house
    # settlement through a clearing house: creditors are paid, then debtors pay in
    paid_to: list[tuple[Contract, float]] = []
    for c in claims:
        amount = c.value() * rate[index[c.issuer]]
        paid_to.append((c, amount))
        if amount > EPS and c.holder is not c.issuer:
            m.ledger.transfer(house, c.holder, amount, "default_recovery")
    for a in new:
        owed = result.payments[index[a]]
        if owed > EPS:
            m.ledger.transfer(a, house, min(owed, a.cash), "default_recovery")
    written_off: dict = {a: (set(), 0.0) for a in new}
    for c, amount in paid_to:
        issuer, holder = c.issuer, c.holder
        loss = _write_off(m, c, amount)
        if loss > EPS:
            losers, total = written_off[issuer]
            losers.add(holder)
            written_off[issuer] = (losers, total + loss)
    return written_off


def _write_off(m: AIEconomy, c: Contract, recovered: float) -> float:
    """Close a claim on a defaulter: the unrecovered part is the holder's loss (returned)."""
    value = c.value()
    loss = max(0.0, value - recovered)
    holder, issuer = c.holder, c.issuer
    if loss > EPS:
        holder.write_off(c, loss, _channel(c))
        issuer.revalue(loss, "debt_forgiven")
    # the claim is settled: its value leaves both balance sheets with the cash paid
    if isinstance(c, Loan):
        c.principal = 0.0
    elif isinstance(c, Warrant):
        c.mark = 0.0
    c.arrears = 0.0
    m.book.retire(c)
    return loss


def _channel(c: Contract) -> str:
    if isinstance(c, Loan):
        if c.category.startswith("abs_"):
            return "ABS tranche"
        return "bond default" if c.kind == "bond" or c.category.endswith("bond") else \
            "loan default"
    return "loan default"


def _wind_down(m: AIEconomy, a: FinancialAgent) -> None:
    """End a defaulter's remaining contracts and write off its shareholders.

    A defaulter's own fire-sale discounts are passed on to its creditors and shareholders,
    who bear them as write-offs: they are not the defaulter's loss, so they are dropped.
    """
    a.status = Status.DEFAULTED
    m.flows.defaults += 1
    m.losses = [x for x in m.losses
                if not (x.t == m.t and x.bearer == a.name and x.channel == "fire-sale discount")]
    for c in list(a.issued) + list(a.held):
        if not c.active:
            continue
        if isinstance(c, EquityStake) and c.issuer is a:
            lost = c.mark
            c.holder.revalue(-lost, "equity_marks")
            m.record_loss(c.holder, "equity write-down", max(c.cost_basis, lost))
            c.mark = 0.0
            m.book.retire(c)
        elif isinstance(c, Lease | ComputeContract | Backstop | CreditLine) and c.value() <= EPS:
            if isinstance(c, Lease) and c.holder is not a and c.holder.role == "spv":
                c.holder.go_merchant(f"{c.holder.name} loses its lessee {a.name}")
            elif isinstance(c, ComputeContract) and c.issuer is a:
                m.log(f"{c.holder.name} loses {a.name}'s compute contract "
                      f"({c.price * c.gw:.1f}B a quarter)", "distress", c.holder)
            if isinstance(c, CreditLine):
                c.principal = 0.0
            m.book.retire(c)
