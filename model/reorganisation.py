"""Reorganisation of a large operating company that defaults (a hyperscaler, an AI lab, a neocloud).

Such firms are worth more running than sold for parts, so a default does not end them, as
Chapter 11 does not end a US company. The court lets the firm reject contracts that lose it
money (take-or-pay compute deals and leases priced above the market); it then compares what
it owes with what it is worth as a going concern. If it is worth more, the debt is only
rescheduled. If not, creditors take a haircut: they keep a sustainable amount of debt and swap
the rest of their claims for all of the new equity; the old shareholders are wiped out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.coefficients import (
    QUARTERS_PER_YEAR,
    REORGANISATION_YEARS,
    SUSTAINABLE_LEVERAGE,
)
from core.contracts import ComputeContract, Contract, EquityStake, Lease, Loan, Warrant
from core.finance import EPS
from core.news import fmt_bn, fmt_share

if TYPE_CHECKING:
    from agents.base import FinancialAgent
    from model.economy import AIEconomy


def reorganise(m: AIEconomy, a: FinancialAgent) -> tuple[float, float, float]:
    """Reorganise ``a``; return (claims before, value creditors recover, what its old
    shareholders lost).
    """
    reject_contracts(m, a)
    claims = [c for c in a.issued if c.is_liability and not isinstance(c, Warrant)
              and c.value() > EPS]
    total = sum(c.value() for c in claims)
    value = max(0.0, a.going_concern_value())
    recently = a.reorganised_at >= 0 and m.t - a.reorganised_at < QUARTERS_PER_YEAR
    if total <= EPS or (value >= total and not recently):
        for c in claims:
            _reschedule(m, c, c.value())
        m.log(f"{a.name} reschedules {fmt_bn(total)} of debt: what it is worth ({fmt_bn(value)}) "
              "covers what it owes, so creditors are paid in full, later", "default", a)
        return total, total, 0.0
    # a lab that burns cash can carry no debt: its creditors take all of it in equity
    leverage = 0.0 if a.role == "lab" else SUSTAINABLE_LEVERAGE
    kept_share = min(1.0, leverage * value / total)
    value = min(value, total)
    equity_value = max(0.0, value - kept_share * total)
    wiped_out = _wipe_out_shareholders(m, a)
    for c in claims:
        claim = c.value()
        kept, stake_value = kept_share * claim, equity_value * claim / total
        holder = c.holder
        _reschedule(m, c, kept)
        a.revalue(claim - kept, "debt_forgiven")
        m.book.add(EquityStake(issuer=a, holder=holder, start=m.t, fraction=claim / total,
                               cost_basis=stake_value, mark=stake_value))
        holder.write_off(c, claim - kept - stake_value, "reorganisation haircut")
    recovered = kept_share * total + equity_value
    kept = (f"keep {fmt_bn(kept_share * total)} of debt and take" if kept_share * total >= 0.05
            else "swap all of it for")
    m.log(f"{a.name} goes through a reorganisation: creditors owed {fmt_bn(total)} {kept} all "
          f"the new equity (worth {fmt_bn(equity_value)}); they recover "
          f"{fmt_share(recovered / total)} and the old shareholders are wiped out", "default", a)
    return total, recovered, wiped_out


def reject_contracts(m: AIEconomy, a: FinancialAgent) -> None:
    """In reorganisation a firm rejects the contracts that cost more than the market would; a
    lab rejects all its compute commitments and leases (it buys compute on the spot market).
    """
    t = m.t
    lab = a.role == "lab"
    for c in list(a.issued):
        if isinstance(c, ComputeContract) and c.active and c.end >= t and (
                lab or c.price > m.market.spot_rent):
            c.end = t - 1
            m.log(f"{a.name} rejects its compute contract with {c.holder.name} in reorganisation"
                  f" ({fmt_bn(c.price * c.gw)} a quarter)", "distress", c.holder)
            if c.arrears <= EPS:
                m.book.retire(c)
        elif isinstance(c, Lease) and c.active and c.holder.role == "spv" and (
                lab or _lease_above_market(m, c)):
            holder = c.holder
            if c.arrears <= EPS:
                m.book.retire(c)
            else:
                c.end = t - 1
            holder.go_merchant(f"{a.name} rejects its lease on {holder.name} in reorganisation")


def _lease_above_market(m: AIEconomy, lease: Lease) -> bool:
    """A lease costs more than renting the same capacity on the spot market."""
    gw = lease.holder.installed_gw
    return gw <= EPS or lease.rent / gw > m.market.spot_rent * m.market.utilisation


def _wipe_out_shareholders(m: AIEconomy, a: FinancialAgent) -> float:
    """Old shares and warrants on the firm are cancelled: their holders lose their marks."""
    total = 0.0
    for c in list(a.issued):
        if isinstance(c, EquityStake | Warrant) and c.active:
            lost = c.mark
            c.mark = 0.0
            if isinstance(c, Warrant):
                a.revalue(lost, "equity_marks")      # the liability goes with it
            c.holder.realise_loss(lost, "equity write-down", "equity_write_down")
            total += lost
            m.book.retire(c)
    return total


def _reschedule(m: AIEconomy, c: Contract, keep: float) -> None:
    """Replace a claim by ``keep`` of term debt maturing in a few years (arrears included)."""
    maturity = m.t + QUARTERS_PER_YEAR * REORGANISATION_YEARS
    if isinstance(c, Loan):
        c.principal, c.arrears = keep, 0.0
        c.maturity = max(c.maturity, maturity)
        c.amortising, c.balloon, c.amortise_from = True, 0.0, m.t + 1
        if keep <= EPS:
            c.principal = 0.0
            m.book.retire(c)
        return
    # arrears on a lease or compute contract become a term loan to the same creditor
    c.arrears = 0.0
    if isinstance(c, Lease | ComputeContract) and (c.end < m.t or not c.active):
        m.book.retire(c)
    if keep > EPS:
        m.book.add(Loan(issuer=c.issuer, holder=c.holder, start=m.t, principal=keep, rate=0.0,
                        floating=True, maturity=maturity, amortising=True, amortise_from=m.t + 1,
                        category="restructured"))
