"""Bookkeeping kept for speed gives the numbers a full scan would: contracts by class on a
balance sheet, the ledger's payments by pair, running loss totals, the ABS waterfall arithmetic.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.contracts import Bond, ContractList, CreditLine, EquityStake, Loan
from core.ledger import Ledger
from core.securitization import Tranche, sequential_pay, waterfall
from model.metrics import BEARER_TYPES, HOUSEHOLD_ACCOUNTS, SECTOR_COLUMNS
from tests.helpers_core import MiniEconomy, Plain, run_cached


def _by_scan(contracts, cls):
    return tuple(c for c in contracts if isinstance(c, cls))


def test_contracts_by_class_follow_every_change_of_the_balance_sheet():
    m = MiniEconomy()
    a, b = Plain(m, "A", 10.0), Plain(m, "B", 10.0)
    loan = m.book.add(Loan(issuer=a, holder=b, start=0, principal=1.0))
    assert a.issued.of(Loan) == (loan,) and a.issued.of(Bond) == ()
    bond = m.book.add(Bond(issuer=a, holder=b, start=0, principal=2.0))
    stake = m.book.add(EquityStake(issuer=a, holder=b, start=0, fraction=0.1))
    assert a.issued.of(Loan) == (loan, bond)          # subclasses included, in list order
    assert a.issued.of(Bond) == (bond,) and b.held.of(EquityStake) == (stake,)
    m.book.retire(loan)
    assert a.issued.of(Loan) == (bond,) and b.held.of(Loan) == (bond,)
    m.book.transfer_holder(bond, a)
    assert b.held.of(Loan) == () and a.held.of(Bond) == (bond,)
    # direct changes of the list (as tests and repairs make them) are seen too
    line = CreditLine(issuer=a, holder=b, start=0, limit=3.0)
    for change in (lambda s: s.append(line), lambda s: s.insert(0, line),
                   lambda s: s.extend([line]), lambda s: s.__iadd__([line]),
                   lambda s: s.remove(stake), lambda s: s.pop(), lambda s: s.reverse(),
                   lambda s: s.sort(key=id), lambda s: s.__setitem__(0, line),
                   lambda s: s.__delitem__(0), lambda s: s.clear()):
        s = ContractList([stake, bond])
        s.of(Loan), s.of(EquityStake)                   # fill the cache first
        change(s)
        for cls in (Loan, Bond, CreditLine, EquityStake):
            assert s.of(cls) == _by_scan(s, cls)


def test_contract_list_pickles_as_itself():
    items = ContractList([1, "x", 2.0])
    assert items.of(int) == (1,)
    copy = pickle.loads(pickle.dumps(items))
    assert type(copy) is ContractList and copy == items and copy.of(str) == ("x",)
    copy.append(3)
    assert copy.of(int) == (1, 3)


def test_ledger_keeps_pairs_only_for_the_kinds_asked_but_flows_for_all():
    m = MiniEconomy()
    a, b = Plain(m, "A", 10.0), Plain(m, "B", 10.0)
    ledger = m.ledger = Ledger(pair_kinds={"compute"})
    a.account, b.account = ledger.open_account(a, 10.0), ledger.open_account(b, 10.0)
    ledger.transfer(a, b, 1.0, "compute")
    ledger.transfer(a, b, 2.0, "interest")
    assert dict(ledger.pairs) == {(a.account, b.account, "compute"): 1.0}
    assert ledger.flows["interest"] == 2.0 and ledger.n_transfers == 2
    assert Ledger().pair_kinds >= {"interest", "compute", "lending"}   # default: every kind


@pytest.mark.parametrize("seed", range(2))
def test_running_loss_totals_equal_scans_of_the_loss_table(seed):
    m = run_cached("bust", seed)
    assert m.losses, "a bust run realises losses"
    by_type = dict.fromkeys(BEARER_TYPES, 0.0)
    for loss in m.losses:
        by_type[loss.bearer_type] = by_type.get(loss.bearer_type, 0.0) + loss.amount
    assert m.loss_totals.by_type == by_type
    assert list(m.loss_totals.by_type) == list(by_type)          # the same order of types
    assert sum(m.loss_totals.households) == sum(
        x.amount for x in m.losses if x.bearer in HOUSEHOLD_ACCOUNTS)
    for name in {*SECTOR_COLUMNS.values(), *(x.bearer for x in m.losses)}:
        assert m.loss_totals.of(name) == sum(x.amount for x in m.losses if x.bearer == name)
    row = m.results().iloc[-1]
    assert row["losses_households"] == sum(m.loss_totals.households)


amounts = st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(amounts, st.floats(0.0, 0.2)), min_size=1, max_size=4),
       amounts, amounts, st.floats(0.0, 1.0))
def test_sequential_pay_is_the_waterfall_arithmetic(slices, interest, principal, loss_share):
    tranches = [Tranche(f"t{k}", b, r, f"h{k}") for k, (b, r) in enumerate(slices)]
    losses = loss_share * sum(b for b, _ in slices)
    full = waterfall(interest, principal, losses, tranches)
    paid = sequential_pay(interest, principal, losses, [b for b, _ in slices],
                          [r for _, r in slices])
    assert paid.interest_paid == full.interest_paid
    assert paid.principal_paid == full.principal_paid
    assert paid.loss_allocated == full.loss_allocated
    assert paid.closing_balances == full.closing_balances
    assert paid.residual == full.residual
    assert [t.principal for t in full.tranches] == list(full.closing_balances)
