"""The ledger: conservation of cash, refusal of overdrafts, net-worth effects per flow kind."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import AccountingError
from core.ledger import FLOW_KINDS
from tests.helpers_core import MiniEconomy, Plain

approx = pytest.approx
KINDS = sorted(FLOW_KINDS)


def test_flow_table_only_uses_p_c_s():
    assert FLOW_KINDS
    for kind, effects in FLOW_KINDS.items():
        assert len(effects) == 2 and set(effects) <= {"P", "C", "S"}, kind


@pytest.mark.parametrize("kind", KINDS)
def test_net_worth_effect_of_each_flow_kind_on_both_sides(kind):
    m = MiniEconomy()
    payer, payee = Plain(m, "Payer", 10.0), Plain(m, "Payee", 1.0)
    m.open_books()
    m.ledger.transfer(payer, payee, 4.0, kind)
    assert payer.cash == 6.0 and payee.cash == 5.0
    assert m.ledger.flows[kind] == 4.0 and m.ledger.n_transfers == 1
    for agent, sign, effect in ((payer, -1.0, FLOW_KINDS[kind][0]),
                                (payee, 1.0, FLOW_KINDS[kind][1])):
        # P: profit or loss (and an income-statement line); C: capital; S: a swap, neither
        assert agent.pnl == (sign * 4.0 if effect == "P" else 0.0), (kind, agent.name)
        assert agent.capital == (sign * 4.0 if effect == "C" else 0.0), (kind, agent.name)
        assert agent.income.get(kind, 0.0) == (sign * 4.0 if effect == "P" else 0.0)
        assert agent.expected_net_worth == approx(agent.net_worth_0 + (
            0.0 if effect == "S" else sign * 4.0))


def test_profit_flows_net_to_zero_across_the_two_sides():
    # a P/P payment moves profit from one agent to the other: the system's P&L is unchanged
    m = MiniEconomy()
    a, b = Plain(m, "A", 5.0), Plain(m, "B")
    m.open_books()
    for kind in ("interest", "lease_rent", "compute", "opex"):
        m.ledger.transfer(a, b, 1.0, kind)
    assert a.pnl + b.pnl == 0.0 and b.pnl == 4.0


def test_overdraft_refused_for_normal_accounts():
    m = MiniEconomy()
    poor, rich = Plain(m, "Poor", 1.0), Plain(m, "Rich", 0.0)
    with pytest.raises(AccountingError, match=r"interest: Poor pays 2 with only 1 cash"):
        m.ledger.transfer(poor, rich, 2.0, "interest")
    assert poor.cash == 1.0 and rich.cash == 0.0 and poor.pnl == 0.0   # nothing moved
    assert m.ledger.n_transfers == 0
    # within the tolerance is fine
    m.ledger.transfer(poor, rich, 1.0 + 1e-12, "interest")
    assert poor.cash == approx(0.0, abs=1e-11)


def test_outside_accounts_may_go_negative():
    m = MiniEconomy()
    firm = Plain(m, "Firm")
    m.ledger.transfer(m.customers, firm, 7.0, "ai_revenue")
    assert m.customers.cash == -7.0 and firm.cash == 7.0
    assert m.ledger.total() == 0.0


@pytest.mark.parametrize("amount", [-1.0, math.nan, math.inf, -math.inf])
def test_bad_amounts_are_refused(amount):
    m = MiniEconomy()
    a, b = Plain(m, "A", 10.0), Plain(m, "B")
    with pytest.raises(AccountingError, match="not a positive finite number"):
        m.ledger.transfer(a, b, amount, "interest")
    assert a.cash == 10.0


def test_zero_and_self_payments_move_nothing():
    m = MiniEconomy()
    a, b = Plain(m, "A", 10.0), Plain(m, "B")
    assert m.ledger.transfer(a, b, 0.0, "interest") == 0.0
    assert m.ledger.transfer(a, a, 5.0, "interest") == 0.0
    assert a.cash == 10.0 and a.pnl == 0.0 and m.ledger.n_transfers == 0


def test_pay_up_to_pays_what_cash_allows():
    m = MiniEconomy()
    a, b = Plain(m, "A", 3.0), Plain(m, "B")
    assert m.ledger.pay_up_to(a, b, 5.0, "opex") == 3.0
    assert a.cash == 0.0 and b.cash == 3.0
    assert m.ledger.pay_up_to(a, b, 5.0, "opex") == 0.0
    assert m.ledger.pay_up_to(m.suppliers, b, 5.0, "opex") == 5.0   # overdraft: all of it
    assert a.pay(b, 1.0, "opex") == 0.0


@pytest.mark.parametrize("cash", [-1.0, math.nan, math.inf])
def test_open_account_refuses_bad_opening_cash(cash):
    m = MiniEconomy()
    with pytest.raises(AccountingError, match="Bad: opening cash"):
        Plain(m, "Bad", cash)


def test_begin_quarter_resets_the_flow_totals_not_the_cash():
    m = MiniEconomy()
    ledger = m.ledger
    a, b = Plain(m, "A", 2.0), Plain(m, "B")
    ledger.transfer(a, b, 2.0, "compute")
    ledger.begin_quarter()
    assert dict(ledger.flows) == {} and b.cash == 2.0 and ledger.initial_total == 2.0


transfers = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(1e-6, 50.0),
              st.sampled_from(KINDS), st.booleans()),
    min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfers, st.lists(st.floats(0.0, 100.0), min_size=4, max_size=4))
def test_cash_is_conserved_across_random_transfers(moves, opening):
    """Random payments between four firms and two outside accounts: the total never moves,
    no firm goes negative, and each side's P&L and capital follow the flow table."""
    m = MiniEconomy()
    agents = [Plain(m, f"F{i}", c) for i, c in enumerate(opening)]
    agents += [m.customers, m.suppliers]
    m.open_books()
    total0 = m.ledger.total()
    pnl = {a.name: 0.0 for a in m.all_agents}
    capital = dict(pnl)
    for i, j, amount, kind, capped in moves:
        payer, payee = agents[i], agents[j]
        before = payer.cash
        if capped:
            paid = m.ledger.pay_up_to(payer, payee, amount, kind)
            assert paid == approx(amount if payer.overdraft else min(amount, max(before, 0.0)))
        else:
            try:
                paid = m.ledger.transfer(payer, payee, amount, kind)
            except AccountingError:
                assert not payer.overdraft and amount > before
                assert payer.cash == before
                continue
        if payer is payee:
            assert payer.cash == before
            continue
        for agent, sign, effect in ((payer, -1, FLOW_KINDS[kind][0]),
                                    (payee, 1, FLOW_KINDS[kind][1])):
            if effect == "P":
                pnl[agent.name] += sign * paid
            elif effect == "C":
                capital[agent.name] += sign * paid
        assert abs(m.ledger.total() - total0) <= 1e-9 * max(1.0, total0 + 50 * len(moves))
        for a in agents[:4]:
            assert a.cash >= -1e-9
    for a in agents:
        assert a.pnl == approx(pnl[a.name], abs=1e-9)
        assert a.capital == approx(capital[a.name], abs=1e-9)
    assert math.fsum(a.cash for a in m.all_agents) == approx(total0, abs=1e-6)


def test_unknown_flow_kind_is_refused_before_anything_moves():
    m = MiniEconomy()
    a, b = Plain(m, "A", 10.0), Plain(m, "B")
    with pytest.raises(AccountingError, match=r"unknown flow kind 'gift'; known kinds: "):
        m.ledger.transfer(a, b, 4.0, "gift")
    assert a.cash == 10.0 and b.cash == 0.0 and a.pnl == 0.0 and m.ledger.n_transfers == 0
