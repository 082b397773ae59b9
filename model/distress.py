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

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from core.clearing import clear_payments
from core.coefficients import DISTRESS_EXIT_QUARTERS, FIRE_SALE_RECOVERY
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
from core.firesales import (
    FINANCIALS,
    raise_liquidity,
    sell_capacity,
    sell_loans,
    sell_receivables,
    sell_stakes,
)
from core.news import fmt_bn, fmt_share
from core.state import Loss, Status
from model.reorganisation import reorganise

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


REORGANISED_ROLES = frozenset({"hyperscaler", "lab", "neocloud"})


def clear_defaults(m: AIEconomy, first: list[FinancialAgent]) -> None:
    """Resolve defaulters; creditors made insolvent default in the same quarter.

    Large operating companies are reorganised and keep running; vehicles, funds and banks are
    liquidated: everything they own is sold, collateral proceeds go to secured lenders, the
    rest is shared out by Eisenberg-Noe clearing, and anything left goes to the shareholders.
    """
    defaulted: set = set()
    new = list(first)
    while new:
        defaulted |= set(new)
        m.flows.defaults += len(new)
        for a in (a for a in new if a.role in REORGANISED_ROLES):
            owed, recovered, wiped_out = reorganise(m, a)
            a.status = Status.DISTRESSED
            a.reorganised_at = m.t
            _pass_on_losses(m, a, owed - recovered + wiped_out)
        liquidated = [a for a in new if a.role not in REORGANISED_ROLES]
        if liquidated:
            # claims on reorganised firms (rescheduled, still paying) are sold with the rest;
            # claims on firms being liquidated are settled in the clearing
            _liquidate_all(m, liquidated, frozenset(a for a in defaulted
                                                    if a.role not in REORGANISED_ROLES))
        new = [a for a in m.finance_agents if a.role in FINANCIALS and a not in defaulted
               and a.status != Status.DEFAULTED and a.equity < -1e-6]
    if defaulted:
        for a in (*m.funds, *m.banks):
            if a.status != Status.DEFAULTED:
                a.mark_loans()


def _pass_on_losses(m: AIEconomy, a: FinancialAgent, written_off: float) -> None:
    """A defaulter's own realised losses are borne again, at default, by its creditors (their
    write-offs) and its shareholders (their stakes written off): up to what they wrote off,
    they are taken back out of its own line so that no loss is counted twice (a negative
    entry, "passed to creditors"). What stays is what earlier marks of its shares absorbed.
    """
    own = m.loss_totals.of(a.name)
    passed = min(own, written_off)
    if passed > 1e-9:
        m.add_loss(Loss(m.t, a.name, a.role, "passed to creditors", -passed))
        a.losses_passed_on += passed


def _liquidate_all(m: AIEconomy, agents: list[FinancialAgent], defaulters: frozenset) -> None:
    """Liquidate this round's vehicles, funds and banks and clear the claims on them."""
    owed_before = {a: sum(c.value() for c in _claims_on(a)) for a in agents}
    for a in agents:
        _liquidate(m, a, defaulters)
    recovered = _clear_round(m, agents)
    for a in agents:
        owed = owed_before[a]
        lost = recovered[a][1]
        losers = recovered[a][0]
        m.log(f"{a.name} defaults on {fmt_bn(owed)}: its creditors recover "
              f"{fmt_share(1.0 - lost / owed if owed > EPS else 1.0)}"
              + (f"; the losses fall on {_names(losers)}" if losers else ""), "default", a)
        _return_residual(m, a)
        _pass_on_losses(m, a, lost + _wind_down(m, a))


def _claims_on(a: FinancialAgent) -> list[Contract]:
    """Everything the agent owes that has a value now: debt at par, arrears, warrants."""
    return [c for c in a.issued if c.is_liability and c.value() > EPS]


def _liquidate(m: AIEconomy, a: FinancialAgent, defaulters: frozenset) -> None:
    """Turn a defaulter's assets into cash; collateral proceeds repay its secured lenders."""
    sell_stakes(m, a)
    sell_loans(m, a, exclude=defaulters)
    sell_receivables(m, a, exclude=defaulters)
    for line in (c for c in a.held if isinstance(c, CreditLine)):
        line.limit = line.principal         # a failed lender's lines are cut
    if a.gpu_book + a.building_book > EPS:
        proceeds = sell_capacity(m, a, announce=False)
        secured = sorted((c for c in a.issued if isinstance(c, Loan) and c.collateral is a
                          and c.value() > EPS), key=lambda c: c.seniority)
        if secured and proceeds > EPS:
            m.log(f"{a.name}'s data centres and GPUs pass to its secured lenders "
                  f"({_names(c.holder for c in secured)}), who sell them for {fmt_bn(proceeds)}",
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


def _return_residual(m: AIEconomy, a: FinancialAgent) -> None:
    """Cash left after every creditor is paid belongs to the shareholders: none is stranded."""
    cash = a.cash
    if cash <= EPS:
        return
    stakes = [c for c in a.issued if isinstance(c, EquityStake) and c.active and c.fraction > 0]
    total = sum(c.fraction for c in stakes)
    if total <= EPS:
        # no shareholders on record: a fund's residual goes to its investors, a bank's to its
        # owners among the outside investors
        owner = m.lps if a.role == "fund" else m.equity_investors
        m.ledger.transfer(a, owner, cash, "liquidation")
        return
    for c in stakes:
        part = cash * c.fraction / total
        c.mark = max(0.0, c.mark - part)       # the stake is turned into this much cash
        m.ledger.transfer(a, c.holder, part, "liquidation")


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
    # plain floats from here on: numpy scalars would spread through every balance sheet the
    # settlement touches (slower arithmetic, inf instead of an error on a division by zero,
    # and sums that round differently depending on the type of their terms)
    rate = result.recovery_rate.tolist()
    payments = result.payments.tolist()
    house = m.clearing_house
    # settlement through a clearing house: creditors are paid, then debtors pay in
    paid_to: list[tuple[Contract, float]] = []
    for c in claims:
        amount = c.value() * rate[index[c.issuer]]
        paid_to.append((c, amount))
        if amount > EPS and c.holder is not c.issuer:
            m.ledger.transfer(house, c.holder, amount, "default_recovery")
    for a in new:
        owed = payments[index[a]]
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
    # the claim is settled: its value leaves both balance sheets with the cash paid, and
    # then the holder books what it did not recover (a fund's investors bear it from the NAV
    # that is left)
    if isinstance(c, Loan):
        c.principal = 0.0
    elif isinstance(c, Warrant):
        c.mark = 0.0
    c.arrears = 0.0
    m.book.retire(c)
    if loss > EPS:
        holder.write_off(c, loss, _channel(c))
        issuer.revalue(loss, "debt_forgiven")
    return loss


def _channel(c: Contract) -> str:
    if isinstance(c, Loan):
        if c.category.startswith("abs_"):
            return "ABS tranche"
        return "bond default" if c.kind == "bond" or c.category.endswith("bond") else \
            "loan default"
    return "loan default"


def _wind_down(m: AIEconomy, a: FinancialAgent) -> float:
    """End a defaulter's remaining contracts and write off its shareholders; return what
    they lost.

    Shareholders lose their stakes at the carried mark; executory contracts with nothing owed
    on them end.
    """
    a.status = Status.DEFAULTED
    written_down = 0.0
    for c in list(a.issued) + list(a.held):
        if not c.active:
            continue
        if isinstance(c, EquityStake) and c.issuer is a:
            # shareholders lose what their stake was carried at (earlier marks already hit
            # their net worth as unrealised changes)
            lost, c.mark = c.mark, 0.0
            c.holder.realise_loss(lost, "equity write-down", "equity_write_down")
            written_down += lost
            m.book.retire(c)
        elif isinstance(c, Lease | ComputeContract | Backstop | CreditLine) and c.value() <= EPS:
            if isinstance(c, Lease) and c.holder is not a and c.holder.role == "spv":
                c.holder.go_merchant(f"{c.holder.name} loses its lessee {a.name}")
            elif isinstance(c, ComputeContract) and c.issuer is a:
                m.log(f"{c.holder.name} loses {a.name}'s compute contract "
                      f"({fmt_bn(c.price * c.gw)} a quarter)", "distress", c.holder)
            if isinstance(c, CreditLine):
                c.principal = 0.0
            m.book.retire(c)
    return written_down


def flag_distress(m: AIEconomy) -> None:
    """Who is in distress: in arrears, missing payments or with negative equity. An agent
    leaves distress only after staying current for a while (hysteresis: no flip-flopping).
    """
    for a in m.finance_agents:
        a.snap = snap = a.snapshot()     # the end-of-quarter figures, reused by record()
        if a.status == Status.DEFAULTED:
            continue
        arrears = sum([c.arrears for c in a.issued])
        # operating firms and vehicles are in distress when they miss payments; funds and banks
        # also when their losses exceed their equity
        troubled = (a.missed > 1e-6 or arrears > 1e-6
                    or (snap.equity < -1e-6 and a.role in FINANCIALS))
        a.quarters_current = 0 if troubled else a.quarters_current + 1
        if troubled and a.status == Status.ACTIVE:
            a.status = Status.DISTRESSED
            a.snap = replace(snap, status=a.status)
            what = (f"misses {fmt_bn(a.missed + arrears)} of payments" if a.missed + arrears
                    > 1e-6 else "has negative equity")
            m.log(f"{a.name} {what} and is in distress", "distress", a)
        elif (a.status == Status.DISTRESSED and a.quarters_current >= DISTRESS_EXIT_QUARTERS
              and snap.equity > 0.0):
            a.status = Status.ACTIVE
            a.snap = replace(snap, status=a.status)
            m.log(f"{a.name} has been current on its payments for "
                  f"{DISTRESS_EXIT_QUARTERS} quarters and is out of distress", "info", a)
