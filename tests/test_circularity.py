"""The circular core of AI financing (model/circularity.py): worked examples, properties, and
the model's columns and events."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.coefficients import NETWORK_QUARTERS
from core.ledger import FLOW_KINDS
from model import MODEL_COLUMNS, AIEconomy
from model.circularity import (
    MEASURED_KINDS,
    Circularity,
    circularity,
    describe_change,
    measured_flows,
    payment_network,
)
from model.phases import record_circularity
from tests.helpers_core import MiniEconomy, Plain

COLUMNS = ("circular_core_size", "circular_core_revenue_share", "loop_outside_money")


@dataclass(frozen=True)
class Owner:
    name: str
    role: str


# accounts 0-2: the outside sector; 3-6: four firms; 7: a pass-through pool
CUSTOMERS, INVESTORS, LENDERS, A, B, C, D, POOL = range(8)
OWNERS = (Owner("Customers", "outside"), Owner("Investors", "outside"),
          Owner("Bond investors", "outside"), Owner("A", "chipmaker"), Owner("B", "lab"),
          Owner("C", "hyperscaler"), Owner("D", "lab"), Owner("Pool", "outside"))

# the hand-drawn network: A invests 10 in B, B pays C 8 for compute, C pays A 6 for GPUs (the
# loop A -> B -> C -> A); D pays C 2 for compute but nobody in the loop pays D; customers pay
# B 5, investors put 4 into D, bond investors lend C 3, C pays them 1 of interest
FOUR_FIRMS = {
    (A, B, "equity_issue"): 10.0,
    (B, C, "compute"): 8.0,
    (C, A, "gpu_purchase"): 6.0,
    (D, C, "compute"): 2.0,
    (CUSTOMERS, B, "ai_revenue"): 5.0,
    (INVESTORS, D, "equity_issue"): 4.0,
    (LENDERS, C, "lending"): 3.0,
    (C, LENDERS, "interest"): 1.0,
}


def test_four_firm_loop_worked_by_hand():
    c = circularity(measured_flows(FOUR_FIRMS), OWNERS)
    # D is paid by no core firm, so it is not on the cycle
    assert c.core == ("A", "B", "C")
    assert c.size == 3
    # revenue of the core: A 6 (GPUs, from C) + B 5 (customers) + C 8 (from B) + 2 (from D)
    assert c.revenue == pytest.approx(21.0)
    assert c.revenue_inside == pytest.approx(6.0 + 8.0)
    assert c.revenue_share == pytest.approx(14.0 / 21.0)
    # financing: A's 10 into B circulates; the bond investors' 3 into C comes from outside
    assert c.financing_inside == pytest.approx(10.0)
    assert c.financing_outside == pytest.approx(3.0)
    # outside money = (21 - 14) revenue from outside + 3 new lending = 10 (D's 4 of equity went
    # to D, which is not in the core; the interest is not a measured kind)
    assert c.outside_money == pytest.approx(10.0)
    # a firm paying itself earns nothing and closes no loop
    assert circularity(measured_flows({**FOUR_FIRMS, (A, A, "compute"): 50.0}), OWNERS) == c
    assert circularity({(A, A, "compute"): 50.0}, OWNERS, [{(A, A): 50.0}]).size == 0


def test_a_chain_without_a_cycle_has_no_core():
    chain = {(A, B, "equity_issue"): 10.0, (B, C, "compute"): 8.0, (C, D, "gpu_purchase"): 6.0,
             (CUSTOMERS, B, "ai_revenue"): 5.0}
    c = circularity(measured_flows(chain), OWNERS)
    assert c == Circularity()
    assert (c.size, c.revenue_share, c.outside_money) == (0, 0.0, 0.0)


def test_interest_and_dividends_do_not_close_a_loop():
    # C pays A interest and a dividend: claims serviced, not vendor financing
    flows = {(A, C, "lending"): 10.0, (C, A, "interest"): 1.0, (C, A, "dividend"): 1.0}
    assert circularity(measured_flows(flows), OWNERS).size == 0


def test_the_largest_cycle_wins_and_ties_go_to_more_money():
    two_loops = {(A, B, "compute"): 1.0, (B, A, "compute"): 1.0,
                 (C, D, "compute"): 5.0, (D, C, "gpu_purchase"): 5.0}
    assert circularity(two_loops, OWNERS).core == ("C", "D")
    # a third firm on the first loop makes it the larger one, however little money it carries
    three = {**two_loops, (B, C, "compute"): 0.1, (C, A, "backstop"): 0.1}
    assert circularity(three, OWNERS).core == ("A", "B", "C", "D")


def test_a_loop_that_closes_over_two_quarters_needs_the_window():
    first = {(A, B, "equity_issue"): 10.0}              # A invests in B ...
    second = {(B, A, "compute"): 8.0}                   # ... B spends it with A next quarter
    assert circularity(second, OWNERS).size == 0
    window = [payment_network(first, OWNERS), payment_network(second, OWNERS)]
    c = circularity(second, OWNERS, window)
    # the quarter's flows: A's revenue of 8 is paid by B, a core firm
    assert c.core == ("A", "B")
    assert c.revenue_share == 1.0
    assert c.outside_money == 0.0


def test_a_pass_through_pool_is_seen_as_its_payers_paying_its_payees():
    # B pays 8 and D pays 2 into the spot pool, which pays C 7.5 and A 2.5
    pairs = {(B, POOL, "compute"): 8.0, (D, POOL, "compute"): 2.0,
             (POOL, C, "compute"): 7.5, (POOL, A, "compute"): 2.5}
    flows = measured_flows(pairs, (POOL,))
    assert flows == pytest.approx({(B, C, "compute"): 6.0, (B, A, "compute"): 2.0,
                                   (D, C, "compute"): 1.5, (D, A, "compute"): 0.5})
    # the pool pays 5 with 4 paid in: 1 of it is the pool's own (outside) money
    pairs = {(B, POOL, "compute"): 4.0, (POOL, C, "compute"): 5.0}
    assert measured_flows(pairs, (POOL,)) == pytest.approx(
        {(B, C, "compute"): 4.0, (POOL, C, "compute"): 1.0})
    # a zero entry is no payment
    assert measured_flows({(B, POOL, "compute"): 4.0, (POOL, C, "compute"): 0.0}, (POOL,)) == {
        (B, POOL, "compute"): 4.0}
    # the pool keeps 1 of 5 paid in
    pairs = {(B, POOL, "compute"): 5.0, (POOL, C, "compute"): 4.0}
    assert measured_flows(pairs, (POOL,)) == pytest.approx(
        {(B, C, "compute"): 4.0, (B, POOL, "compute"): 1.0})


def test_describe_change_names_who_joins_and_who_leaves():
    now = Circularity(("A", "B", "C", "D"), revenue=10.0, revenue_inside=3.1)
    assert describe_change((), now) == ("Money goes round a loop: the circular core is A, B, C "
                                        "and D (4 firms); 31% of their revenue comes back "
                                        "around the loop")
    assert describe_change(("A", "B", "E"), now) == (
        "C and D join the circular core, E leaves: now 4 firms; 31% of their revenue comes "
        "back around the loop")
    assert describe_change(("A", "B", "C", "D", "E"), now).startswith(
        "E leaves the circular core: now 4 firms")
    assert describe_change(("A", "B"), Circularity()).startswith("The circular core breaks up")
    many = Circularity(tuple(f"F{i:02}" for i in range(30)), revenue=1.0)
    assert "F00, F01, F02" in describe_change((), many)
    assert "and 19 more (30 firms)" in describe_change((), many)


# --- properties under random flows ---------------------------------------------------------
ROLES = ("outside", "outside", "hyperscaler", "lab", "neocloud", "chipmaker", "spv", "fund")
KINDS = sorted(FLOW_KINDS)


@st.composite
def economies(draw):
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=2, max_size=9))
    owners = tuple(Owner(f"X{i}", role) for i, role in enumerate(roles))
    n = len(owners)
    flows = draw(st.dictionaries(
        st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(KINDS)),
        st.floats(1e-6, 1e3), max_size=40))
    return owners, flows


def _pay(owners, flows):
    return circularity(measured_flows(flows), owners)


@settings(max_examples=300, deadline=None)
@given(economies())
def test_share_is_a_share_and_the_core_is_never_one_firm(economy):
    owners, flows = economy
    c = _pay(owners, flows)
    assert c.size != 1
    assert 0.0 <= c.revenue_share <= 1.0
    assert c.outside_money >= 0.0
    assert c.outside_money == pytest.approx(c.revenue * (1.0 - c.revenue_share)
                                            + c.financing_outside)
    assert all(owners[i].role != "outside" for i in range(len(owners))
               if owners[i].name in c.core)
    if c.size == 0:
        assert c == Circularity()


@settings(max_examples=300, deadline=None)
@given(economies(), st.data())
def test_flows_that_do_not_touch_the_core_leave_it_unchanged(economy, data):
    owners, flows = economy
    before = _pay(owners, flows)
    n = len(owners)
    core = {i for i in range(n) if owners[i].name in before.core}
    outside_core = [i for i in range(n) if i not in core]
    payer = data.draw(st.integers(0, n - 1))
    amount = data.draw(st.floats(1e-6, 1e3))
    extra = dict(flows)
    outside = [i for i in range(n) if owners[i].role == "outside"]
    if outside:                        # a payment to the outside sector, of any kind
        key = (payer, data.draw(st.sampled_from(outside)), data.draw(st.sampled_from(KINDS)))
        extra[key] = extra.get(key, 0.0) + amount
    # a payment of a kind that is not measured, anywhere
    other = sorted(set(KINDS) - MEASURED_KINDS)
    key = (payer, data.draw(st.integers(0, n - 1)), data.draw(st.sampled_from(other)))
    extra[key] = extra.get(key, 0.0) + amount
    if outside_core:                   # end-customer revenue of a firm outside the core
        key = (payer, data.draw(st.sampled_from(outside_core)), "ai_revenue")
        extra[key] = extra.get(key, 0.0) + amount
    after = _pay(owners, extra)
    assert after.core == before.core
    assert after.revenue_share == pytest.approx(before.revenue_share)
    assert after.outside_money == pytest.approx(before.outside_money)


@settings(max_examples=200, deadline=None)
@given(economies(), st.floats(1e-3, 1e3), st.sampled_from(sorted(MEASURED_KINDS)))
def test_outside_payments_into_the_core_are_outside_money(economy, amount, kind):
    owners, flows = economy
    before = _pay(owners, flows)
    if not before.core:
        return
    firm = next(i for i, o in enumerate(owners) if o.name == before.core[0])
    payer = len(owners)                # a new outside-sector account
    after = _pay((*owners, Owner("New customers", "outside")),
                 {**flows, (payer, firm, kind): amount})
    assert after.core == before.core
    assert after.outside_money == pytest.approx(before.outside_money + amount)
    assert after.revenue_share <= before.revenue_share + 1e-12


# --- the model -----------------------------------------------------------------------------
def test_the_record_phase_reads_the_ledger_routes_the_spot_pool_and_logs_the_core():
    m = MiniEconomy()
    chip, lab, cloud = (Plain(m, name) for name in ("Chips", "Lab", "Cloud"))
    m.open_books()
    m.ledger.transfer(m.equity_investors, chip, 20.0, "equity_issue")
    m.ledger.transfer(chip, lab, 10.0, "equity_issue")
    m.ledger.transfer(lab, m.clearing_house, 8.0, "compute")       # spot compute
    m.ledger.transfer(m.clearing_house, cloud, 8.0, "compute")
    m.ledger.transfer(cloud, chip, 6.0, "gpu_purchase")
    m.ledger.transfer(m.customers, lab, 5.0, "ai_revenue")
    record_circularity(m)
    c = m.circularity
    assert c.core == ("Chips", "Cloud", "Lab")
    # revenue 6 (chips) + 8 (cloud, from the lab through the pool) + 5 (lab, customers)
    assert c.revenue_share == pytest.approx(14.0 / 19.0)
    # 5 of customer revenue + 20 of new equity into Chips
    assert c.outside_money == pytest.approx(25.0)
    assert [e.kind for e in m.events] == ["circularity"]
    assert set(m.events[0].agents) == {"Chips", "Cloud", "Lab"}
    # next quarter nobody pays: the loop is still within the window, so nothing is logged
    m.ledger.begin_quarter()
    m.t += 1
    record_circularity(m)
    assert m.circularity.core == c.core and m.circularity.outside_money == 0.0
    assert len(m.events) == 1
    # once the window has passed, the core breaks up, once
    for _ in range(NETWORK_QUARTERS):
        m.ledger.begin_quarter()
        m.t += 1
        record_circularity(m)
    assert m.circularity.size == 0
    assert [e.kind for e in m.events] == ["circularity", "circularity"]
    assert "breaks up" in m.events[-1].text


@pytest.fixture(scope="module")
def baseline_run():
    m = AIEconomy("baseline", rng=0, agent_data=False)
    cores = []
    for _ in range(40):
        m.step()
        cores.append(m.circularity.core)
    return m, cores


def test_columns_exist_and_are_finite(baseline_run):
    m, _ = baseline_run
    df = m.results()
    for col in COLUMNS:
        assert col in MODEL_COLUMNS
        assert df[col].map(math.isfinite).all(), col
    assert (df.circular_core_size >= 2).any() and not (df.circular_core_size == 1).any()
    assert df.circular_core_revenue_share.between(0.0, 1.0).all()
    assert (df.loop_outside_money >= 0.0).all()
    assert df.loop_outside_money.max() > 0.0


def test_baseline_core_holds_nvidia_and_openai_in_2026(baseline_run):
    m, cores = baseline_run
    df = m.results()
    in_2026 = [core for core, q in zip(cores, df.quarter, strict=True) if q.startswith("2026")]
    assert all("Nvidia" in core for core in in_2026)
    assert "OpenAI" in in_2026[0]
    assert list(df.circular_core_size) == [float(len(core)) for core in cores]


def test_an_event_is_logged_exactly_when_the_core_changes(baseline_run):
    m, cores = baseline_run
    changed = [t for t, core in enumerate(cores) if core != (cores[t - 1] if t else ())]
    logged = [e.t for e in m.events if e.kind == "circularity"]
    assert logged == changed
    assert len(changed) >= 2
    first = next(e for e in m.events if e.kind == "circularity")
    assert first.t == 0 and "Nvidia" in first.text and "OpenAI" in first.text
