"""Stock-flow consistency checks (docs/model.md, "Design concepts").

Raised as :class:`AccountingError` naming the account or contract at fault:
- cash is conserved across all accounts, outside sector included;
- every active contract sits on exactly two balance sheets (issuer and holder);
- financial assets equal liabilities system-wide (debt-type contracts, at par);
- each agent's net worth equals its opening net worth plus every recorded flow since;
- no NaN or inf anywhere, and quantities that cannot be negative are not.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from core.contracts import EquityStake, Loan, Warrant
from core.errors import AccountingError

if TYPE_CHECKING:
    from model.economy import AIEconomy

REL_TOL = 1e-6


def check_invariants(m: AIEconomy) -> None:
    """Raise AccountingError at the first identity that fails."""
    _check_cash(m)
    _check_contracts(m)
    _check_balance_sheets(m)
    _check_metrics(m)


def _check_cash(m: AIEconomy) -> None:
    cash = m.ledger.cash
    for i, c in enumerate(cash):
        owner = m.ledger.owners[i]
        if not math.isfinite(c):
            raise AccountingError(f"{owner.name}: cash is {c}")
        if c < -1e-6 and not m.ledger.overdraft[i]:
            raise AccountingError(f"{owner.name}: negative cash {c:.6g}")
    scale = max(1.0, math.fsum(abs(c) for c in cash))
    drift = m.ledger.total() - m.ledger.initial_total
    if abs(drift) > REL_TOL * scale:
        raise AccountingError(f"cash not conserved: total drifted by {drift:.6g} "
                              f"(scale {scale:.6g})")


def _check_contracts(m: AIEconomy) -> None:
    active = [c for c in m.book.contracts if c.active]
    ids = Counter(id(c) for c in active)
    dup = [c for c in active if ids[id(c)] > 1]
    if dup:
        raise AccountingError(f"contract registered twice: {dup[0].label()}")
    held = Counter()
    issued = Counter()
    for a in m.all_agents:
        for c in a.held:
            held[id(c)] += 1
            if c.holder is not a or not c.active:
                raise AccountingError(f"{a.name} lists {c.label()} among its assets but is not "
                                      "its active holder")
        for c in a.issued:
            issued[id(c)] += 1
            if c.issuer is not a or not c.active:
                raise AccountingError(f"{a.name} lists {c.label()} among its liabilities but is "
                                      "not its active issuer")
    assets = liabilities = 0.0
    for c in active:
        if held[id(c)] != 1 or issued[id(c)] != 1:
            raise AccountingError(f"{c.label()} is on {held[id(c)]} asset and "
                                  f"{issued[id(c)]} liability sides, not one of each")
        _check_contract_values(c)
        if not isinstance(c, EquityStake):
            assets += c.value()
            liabilities += c.value() if c.is_liability else 0.0
    if abs(assets - liabilities) > REL_TOL * max(1.0, assets):
        raise AccountingError(f"financial assets {assets:.6g} != liabilities {liabilities:.6g}")
    if sum(held.values()) != len(active) or sum(issued.values()) != len(active):
        raise AccountingError("a balance sheet lists a contract that is not in the book")


def _check_contract_values(c) -> None:
    for name in ("arrears", "principal", "rate", "rent", "gw", "price", "fraction", "mark",
                 "limit", "quarterly_cap", "guaranteed_value", "vested"):
        v = getattr(c, name, None)
        if v is None:
            continue
        if not math.isfinite(v):
            raise AccountingError(f"{c.label()}: {name} is {v}")
        if name != "rate" and v < -1e-9:
            raise AccountingError(f"{c.label()}: {name} is negative ({v:.6g})")
    if isinstance(c, EquityStake | Warrant) and c.fraction > 1 + 1e-9:
        raise AccountingError(f"{c.label()}: fraction {c.fraction} above 1")
    if isinstance(c, Loan) and c.principal < -1e-9:
        raise AccountingError(f"{c.label()}: negative principal")


def _check_balance_sheets(m: AIEconomy) -> None:
    for a in m.all_agents:
        for name in ("gpu_book", "gpu_market", "building_book", "capacity_gw", "other_assets",
                     "loss_allowance", "pnl", "capital"):
            v = getattr(a, name)
            if not math.isfinite(v):
                raise AccountingError(f"{a.name}: {name} is {v}")
            if name not in ("pnl", "capital") and v < -1e-9:
                raise AccountingError(f"{a.name}: {name} is negative ({v:.6g})")
        if a.role == "outside":
            continue
        assets, liabilities = a.total_assets, a.liabilities
        equity = a.equity
        if not (math.isfinite(assets) and math.isfinite(liabilities)):
            raise AccountingError(f"{a.name}: balance sheet is not finite")
        expected = a.expected_net_worth
        scale = max(1.0, abs(assets), abs(liabilities))
        if abs(equity - expected) > REL_TOL * scale:
            raise AccountingError(
                f"{a.name}: assets - liabilities = {equity:.9g} but opening net worth + recorded "
                f"flows = {expected:.9g} (gap {equity - expected:.3g}): a change of net worth "
                "was not booked")


def _check_metrics(m: AIEconomy) -> None:
    for key, value in m.current.items():
        if not math.isfinite(value):
            raise AccountingError(f"statistic {key} is {value}")
