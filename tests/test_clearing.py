"""Tests for core.clearing: Eisenberg–Noe / Rogers–Veraart greatest clearing vector.

Convention: L[i, j] is what node i owes node j, pbar = row sums, Pi = L / pbar (row-wise),
received = Pi^T p. All expected numbers below are worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.clearing as clearing_module
from core.clearing import ClearingResult, clear_payments

# ---------------------------------------------------------------------------------------
# (a) Eisenberg–Noe: a first default causes a second and a third one
# ---------------------------------------------------------------------------------------

# Four nodes. Node 0 owes 8 to node 1 and 8 to node 2 (pbar0 = 16); node 1 owes 10 to
# node 2 (pbar1 = 10); node 2 owes 4 to node 0 and 6 to node 3 (pbar2 = 10); node 3 is
# an end creditor that owes nothing. External assets e = (2, 3, 0.5, 0).
CASCADE_L = np.array(
    [
        [0.0, 8.0, 8.0, 0.0],
        [0.0, 0.0, 10.0, 0.0],
        [4.0, 0.0, 0.0, 6.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
)
CASCADE_E = np.array([2.0, 3.0, 0.5, 0.0])


def test_cascade_eisenberg_noe_hand_computed() -> None:
    # Round 1, everybody pays in full, p = (16, 10, 10, 0):
    #   node 0: e + received = 2 + 0.4*10 = 6 < 16   -> DEFAULTS
    #   node 1: 3 + 0.5*16 = 11 >= 10                 -> fine
    #   node 2: 0.5 + 0.5*16 + 10 = 18.5 >= 10        -> fine
    #   solve for D = {0}: p0 = 2 + 0.4*p2 = 2 + 4 = 6.
    # Round 2, p = (6, 10, 10, 0):
    #   node 1: 3 + 0.5*6 = 6 < 10                    -> DEFAULTS (second round)
    #   node 2: 0.5 + 0.5*6 + 10 = 13.5 >= 10         -> fine
    #   solve for D = {0, 1}: p0 = 2 + 0.4*10 = 6, p1 = 3 + 0.5*6 = 6.
    # Round 3, p = (6, 6, 10, 0):
    #   node 2: 0.5 + 0.5*6 + 6 = 9.5 < 10            -> DEFAULTS (third round)
    #   solve for D = {0, 1, 2}:
    #     p0 = 2   + 0.4*p2
    #     p1 = 3   + 0.5*p0
    #     p2 = 0.5 + 0.5*p0 + p1 = 3.5 + p0
    #   => p0 = 2 + 0.4*(3.5 + p0) => 0.6*p0 = 3.4 => p0 = 17/3
    #      p1 = 3 + 17/6 = 35/6,   p2 = 3.5 + 17/3 = 55/6.
    # Round 4: the default set does not grow -> stop after 3 solves.
    res = clear_payments(CASCADE_L, CASCADE_E)
    np.testing.assert_allclose(res.payments, [17 / 3, 35 / 6, 55 / 6, 0.0], rtol=1e-12)
    assert res.defaulted.tolist() == [True, True, True, False]
    assert res.iterations == 3
    assert res.converged
    # received = Pi^T p: node0 0.4*p2 = 11/3; node1 0.5*p0 = 17/6;
    # node2 0.5*p0 + p1 = 26/3; node3 0.6*p2 = 5.5.
    np.testing.assert_allclose(res.received, [11 / 3, 17 / 6, 26 / 3, 5.5], rtol=1e-12)
    # Defaulters have zero equity; node 3 ends with all that was left: 5.5 = sum(e).
    np.testing.assert_allclose(res.equity, [0.0, 0.0, 0.0, 5.5], atol=1e-12)
    np.testing.assert_allclose(res.obligations, [16.0, 10.0, 10.0, 0.0])
    np.testing.assert_allclose(res.shortfall, [16 - 17 / 3, 10 - 35 / 6, 10 - 55 / 6, 0.0])
    np.testing.assert_allclose(res.recovery_rate, [17 / 48, 35 / 60, 55 / 60, 1.0])
    assert not res.default_costs.any()


def test_cascade_stops_early_with_max_iter() -> None:
    # After one round only node 0 is known to default: p = (6, 10, 10, 0), not converged.
    res = clear_payments(CASCADE_L, CASCADE_E, max_iter=1)
    assert res.iterations == 1
    assert not res.converged
    np.testing.assert_allclose(res.payments, [6.0, 10.0, 10.0, 0.0])


def test_bilateral_payments_match_hand_numbers() -> None:
    res = clear_payments(CASCADE_L, CASCADE_E)
    pay = res.bilateral(CASCADE_L)
    # Node 0 pays its recovery rate (17/3)/16 on both claims: 17/6 to node 1 and node 2.
    np.testing.assert_allclose(pay[0], [0.0, 17 / 6, 17 / 6, 0.0])
    # Node 2 pays 0.4 and 0.6 of p2 = 55/6: 11/3 to node 0 and 5.5 to node 3.
    np.testing.assert_allclose(pay[2], [11 / 3, 0.0, 0.0, 5.5])
    np.testing.assert_allclose(pay.sum(axis=1), res.payments)
    np.testing.assert_allclose(pay.sum(axis=0), res.received)
    sparse_pay = res.bilateral(sp.csr_array(CASCADE_L))
    assert isinstance(sparse_pay, sp.csr_array)
    np.testing.assert_allclose(sparse_pay.toarray(), pay)
    matrix_pay = res.bilateral(sp.csr_matrix(CASCADE_L))
    assert sp.issparse(matrix_pay) and not isinstance(matrix_pay, sp.sparray)
    np.testing.assert_allclose(matrix_pay.toarray(), pay)
    with pytest.raises(ValueError, match="shape"):
        res.bilateral(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="shape"):
        res.bilateral(sp.csr_array((3, 3)))


# ---------------------------------------------------------------------------------------
# (b) Rogers–Veraart: default costs create a default that frictionless clearing avoids
# ---------------------------------------------------------------------------------------

# Chain 0 -> 1 -> 2: node 0 owes node 1 10, node 1 owes node 2 10; e = (8, 3, 0).
CHAIN_L = np.array([[0.0, 10.0, 0.0], [0.0, 0.0, 10.0], [0.0, 0.0, 0.0]])
CHAIN_E = np.array([8.0, 3.0, 0.0])


def test_chain_without_costs_node1_survives() -> None:
    # Node 0: 8 < 10 -> defaults, pays p0 = 8. Node 1: 3 + 8 = 11 >= 10 -> pays in full,
    # keeps equity 1. Node 2 receives 10. Total equity 1 + 10 = 11 = sum(e).
    res = clear_payments(CHAIN_L, CHAIN_E)
    np.testing.assert_allclose(res.payments, [8.0, 10.0, 0.0])
    assert res.defaulted.tolist() == [True, False, False]
    np.testing.assert_allclose(res.equity, [0.0, 1.0, 10.0])
    assert res.iterations == 1


def test_chain_with_costs_node1_defaults_too() -> None:
    # alpha = 0.5, beta = 0.9.
    # Round 1: node 0 has 8 < 10 -> defaults; realises alpha*8 = 4 (no receipts): p0 = 4.
    # Round 2: node 1 has 3 + 4 = 7 < 10 -> DEFAULTS (it would have survived on 8);
    #          p1 = alpha*3 + beta*4 = 1.5 + 3.6 = 5.1.
    # Round 3: nothing new. Default costs: node 0 (1-0.5)*8 = 4; node 1 0.5*3 + 0.1*4 = 1.9.
    # Node 2 receives 5.1. Conservation: 5.1 + 4 + 1.9 = 11 = sum(e).
    res = clear_payments(CHAIN_L, CHAIN_E, alpha=0.5, beta=0.9)
    np.testing.assert_allclose(res.payments, [4.0, 5.1, 0.0])
    assert res.defaulted.tolist() == [True, True, False]
    np.testing.assert_allclose(res.default_costs, [4.0, 1.9, 0.0])
    np.testing.assert_allclose(res.equity, [0.0, 0.0, 5.1])
    assert res.iterations == 2
    assert res.converged
    assert res.equity.sum() + res.default_costs.sum() == pytest.approx(CHAIN_E.sum())


# ---------------------------------------------------------------------------------------
# (c) No default: everybody pays in full
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.5, 0.5), (0.0, 0.0)])
def test_no_default_pays_in_full(alpha: float, beta: float) -> None:
    # Node 0 owes 5 to node 1, node 1 owes 3 to node 0, e = (2, 0).
    # Node 0: 2 + 3 = 5 >= 5 (exactly break-even: NOT a default, whatever the costs).
    # Node 1: 0 + 5 >= 3. Equity: node 0 2 + 3 - 5 = 0, node 1 5 - 3 = 2 = sum(e).
    res = clear_payments([[0.0, 5.0], [3.0, 0.0]], [2.0, 0.0], alpha=alpha, beta=beta)
    np.testing.assert_array_equal(res.payments, [5.0, 3.0])
    assert not res.defaulted.any()
    np.testing.assert_allclose(res.equity, [0.0, 2.0])
    assert res.iterations == 0
    assert res.converged


def test_zero_obligation_nodes_pay_nothing_and_never_default() -> None:
    # Node 1 owes nothing and has nothing: it cannot default. Node 0 owes it 4, has 1.
    res = clear_payments(np.array([[0.0, 4.0], [0.0, 0.0]]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(res.payments, [1.0, 0.0])
    assert res.defaulted.tolist() == [True, False]
    np.testing.assert_allclose(res.equity, [0.0, 1.0])


def test_empty_network() -> None:
    res = clear_payments(np.zeros((0, 0)), np.zeros(0))
    assert res.payments.shape == (0,)
    assert res.converged


# ---------------------------------------------------------------------------------------
# (d) Greatest vs least clearing vector
# ---------------------------------------------------------------------------------------


def _phi(l_mat: np.ndarray, e: np.ndarray, p: np.ndarray, alpha: float, beta: float):
    """The clearing map Phi(p) (Rogers–Veraart), for checking fixed points by hand."""
    pbar = l_mat.sum(axis=1)
    rate = np.divide(p, pbar, out=np.zeros_like(p), where=pbar > 0)
    received = l_mat.T @ rate
    solvent = e + received >= pbar
    return np.where(solvent, pbar, alpha * e + beta * received)


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.5, 0.5)])
def test_cycle_returns_greatest_clearing_vector(alpha: float, beta: float) -> None:
    # 0 owes 1 10 and 1 owes 0 10, no external assets. Both p = (10, 10) (each receives
    # exactly what it owes) and p = (0, 0) (each receives nothing, realises nothing)
    # solve the clearing condition; with alpha = beta = 1 so does every (t, t).
    # Creditors are entitled to the greatest: (10, 10), nobody defaults.
    l_mat = np.array([[0.0, 10.0], [10.0, 0.0]])
    e = np.zeros(2)
    np.testing.assert_array_equal(_phi(l_mat, e, np.zeros(2), alpha, beta), [0.0, 0.0])
    np.testing.assert_array_equal(_phi(l_mat, e, np.full(2, 10.0), alpha, beta), [10.0, 10.0])
    res = clear_payments(l_mat, e, alpha=alpha, beta=beta)
    np.testing.assert_array_equal(res.payments, [10.0, 10.0])
    assert not res.defaulted.any()


def test_greatest_not_least_closed_cycle_with_defaulting_outsider() -> None:
    # Closed cycle 0 -> 1 -> 2 -> 0 of 10 each, no external assets; node 3 owes node 0 5
    # and has nothing. Node 3 pays 0 in every clearing vector (it receives nothing). The
    # cycle then clears at any common level t in [0, 10]: least (0, 0, 0, 0), greatest
    # (10, 10, 10, 0) where each cycle node receives exactly the 10 it owes.
    l_mat = np.zeros((4, 4))
    l_mat[0, 1] = l_mat[1, 2] = l_mat[2, 0] = 10.0
    l_mat[3, 0] = 5.0
    e = np.zeros(4)
    least = np.zeros(4)
    np.testing.assert_array_equal(_phi(l_mat, e, least, 1.0, 1.0), least)
    res = clear_payments(l_mat, e)
    np.testing.assert_allclose(res.payments, [10.0, 10.0, 10.0, 0.0])
    assert res.defaulted.tolist() == [False, False, False, True]
    np.testing.assert_allclose(res.equity, 0.0)


def test_greatest_not_self_fulfilling_default_with_costs() -> None:
    # 0 owes 1 10, 1 owes 0 10, e = (1, 1), alpha = beta = 0.5.
    # Good equilibrium: both pay 10, each has 1 + 10 >= 10 -> solvent, equity 1 each.
    # Bad (self-fulfilling) one: both default, p = 0.5*1 + 0.5*p_other -> p = (1, 1);
    # consistent since each then has 1 + 1 = 2 < 10. Creditors get the greatest: (10, 10).
    l_mat = np.array([[0.0, 10.0], [10.0, 0.0]])
    e = np.ones(2)
    bad = np.ones(2)
    np.testing.assert_allclose(_phi(l_mat, e, bad, 0.5, 0.5), bad)
    res = clear_payments(l_mat, e, alpha=0.5, beta=0.5)
    np.testing.assert_array_equal(res.payments, [10.0, 10.0])
    assert not res.defaulted.any()
    np.testing.assert_allclose(res.equity, [1.0, 1.0])


# ---------------------------------------------------------------------------------------
# (e) Dense and sparse inputs give identical results
# ---------------------------------------------------------------------------------------


def _random_network(rng: np.random.Generator, n: int, density: float, buffer: float):
    mask = rng.random((n, n)) < density
    np.fill_diagonal(mask, False)
    l_mat = np.where(mask, rng.lognormal(0.0, 1.0, (n, n)), 0.0)
    pbar = l_mat.sum(axis=1)
    inflow = l_mat.sum(axis=0)
    e = np.maximum(pbar - inflow, 0.0) + rng.uniform(0, buffer, n) * pbar
    e[rng.random(n) < 0.1] *= 0.1
    return l_mat, e


def _assert_same(a: ClearingResult, b: ClearingResult) -> None:
    np.testing.assert_array_equal(a.defaulted, b.defaulted)
    np.testing.assert_allclose(a.payments, b.payments, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a.equity, b.equity, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a.received, b.received, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a.default_costs, b.default_costs, rtol=1e-10, atol=1e-10)
    assert a.iterations == b.iterations
    assert a.converged and b.converged


@pytest.mark.parametrize(
    "to_sparse",
    [sp.csr_array, sp.csc_array, sp.coo_array, sp.csr_matrix, sp.lil_matrix, sp.dok_array],
)
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.7, 0.9)])
def test_dense_and_sparse_identical(to_sparse, alpha: float, beta: float) -> None:
    rng = np.random.default_rng(7)
    l_mat, e = _random_network(rng, 60, 0.1, 0.1)
    dense = clear_payments(l_mat, e, alpha=alpha, beta=beta)
    sparse = clear_payments(to_sparse(l_mat), e, alpha=alpha, beta=beta)
    assert dense.defaulted.sum() > 0
    _assert_same(dense, sparse)
    assert isinstance(dense.payments, np.ndarray)
    assert isinstance(sparse.payments, np.ndarray)


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.7, 0.9)])
def test_sparse_iterative_path_matches_dense(monkeypatch, alpha: float, beta: float) -> None:
    # Force every sparse default set through GMRES (normally only sets > 300 nodes).
    rng = np.random.default_rng(11)
    l_mat, e = _random_network(rng, 300, 0.03, 0.05)
    dense = clear_payments(l_mat, e, alpha=alpha, beta=beta)
    monkeypatch.setattr(clearing_module, "_SPARSE_LU_MAX", 0)
    sparse = clear_payments(sp.csr_array(l_mat), e, alpha=alpha, beta=beta)
    assert dense.defaulted.sum() > 10
    np.testing.assert_array_equal(dense.defaulted, sparse.defaulted)
    np.testing.assert_allclose(dense.payments, sparse.payments, rtol=1e-8, atol=1e-8)


def test_large_mostly_zero_dense_input_matches_sparse() -> None:
    # A dense input with >= 200 nodes and <= 10% nonzeros is cleared on the sparse path.
    rng = np.random.default_rng(5)
    l_mat, e = _random_network(rng, 250, 0.04, 0.05)
    _assert_same(clear_payments(l_mat, e), clear_payments(sp.csr_array(l_mat), e))
    assert isinstance(clear_payments(l_mat, e).bilateral(l_mat), np.ndarray)


def test_duplicate_coo_entries_are_summed() -> None:
    # Two COO entries for (0, 1) of 4 and 6 mean node 0 owes node 1 10 in total.
    coo = sp.coo_array(([4.0, 6.0], ([0, 0], [1, 1])), shape=(2, 2))
    res = clear_payments(coo, [7.0, 0.0])
    np.testing.assert_allclose(res.payments, [7.0, 0.0])
    np.testing.assert_allclose(res.obligations, [10.0, 0.0])


# ---------------------------------------------------------------------------------------
# (f) Property tests on random networks
# ---------------------------------------------------------------------------------------


@st.composite
def networks(draw):
    n = draw(st.integers(min_value=1, max_value=10))
    amounts = st.one_of(st.just(0.0), st.just(0.0), st.floats(min_value=0.0, max_value=100.0))
    l_mat = np.array(draw(st.lists(amounts, min_size=n * n, max_size=n * n))).reshape(n, n)
    np.fill_diagonal(l_mat, 0.0)
    e = np.array(draw(st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=n, max_size=n)))
    return l_mat, e


costs = st.floats(min_value=0.0, max_value=1.0)
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _scale(l_mat: np.ndarray, e: np.ndarray) -> float:
    return max(1.0, float(l_mat.sum()), float(e.sum()))


@PROPERTY_SETTINGS
@given(net=networks(), alpha=costs, beta=costs, sparse=st.booleans())
def test_clearing_properties(net, alpha: float, beta: float, sparse: bool) -> None:
    l_mat, e = net
    tol = 1e-10
    res = clear_payments(sp.csr_array(l_mat) if sparse else l_mat, e, alpha=alpha, beta=beta)
    np.testing.assert_allclose(res.obligations, l_mat.sum(axis=1), rtol=1e-12)
    pbar = res.obligations  # exactly what the solver used (summation order may differ)
    scale = _scale(l_mat, e)
    assert res.converged
    # 0 <= p <= pbar.
    assert np.all(res.payments >= 0.0)
    assert np.all(res.payments <= pbar)
    # Non-defaulters pay exactly what they owe and can afford it (up to the tolerance).
    ok = ~res.defaulted
    np.testing.assert_array_equal(res.payments[ok], pbar[ok])
    assert np.all(e[ok] + res.received[ok] >= pbar[ok] - tol * np.maximum(1.0, pbar[ok]))
    # Defaulters owe something, cannot pay it, and pay alpha e + beta received.
    d = res.defaulted
    assert np.all(pbar[d] > 0)
    assert np.all(e[d] + res.received[d] < pbar[d])
    np.testing.assert_allclose(
        res.payments[d], alpha * e[d] + beta * res.received[d], rtol=1e-9, atol=1e-9 * scale
    )
    # received is consistent with the payments actually made.
    rate = np.divide(res.payments, pbar, out=np.zeros_like(pbar), where=pbar > 0)
    np.testing.assert_allclose(res.received, l_mat.T @ rate, rtol=1e-9, atol=1e-9 * scale)
    # Value conservation: every payment made is received inside the network, so
    # sum(e) = sum(equity) + sum(default costs); with alpha = beta = 1 there are no costs
    # and sum(equity) = sum(external assets) exactly (defaulters' equity is 0 because
    # they pay out all they have).
    assert np.all(res.equity >= 0.0)
    assert np.all(res.default_costs >= 0.0)
    assert res.equity.sum() + res.default_costs.sum() == pytest.approx(
        e.sum(), rel=1e-9, abs=1e-9 * scale
    )
    if alpha == 1.0 and beta == 1.0:
        assert res.default_costs.sum() == 0.0
        assert res.equity.sum() == pytest.approx(e.sum(), rel=1e-9, abs=1e-9 * scale)


@PROPERTY_SETTINGS
@given(net=networks(), a1=costs, a2=costs, b1=costs, b2=costs)
def test_payments_monotone_in_default_costs(net, a1, a2, b1, b2) -> None:
    # Lower recovery (higher default costs) can only lower the greatest clearing vector.
    l_mat, e = net
    hi = clear_payments(l_mat, e, alpha=max(a1, a2), beta=max(b1, b2))
    lo = clear_payments(l_mat, e, alpha=min(a1, a2), beta=min(b1, b2))
    assert np.all(lo.payments <= hi.payments + 1e-9 * _scale(l_mat, e))
    assert np.all(lo.defaulted >= hi.defaulted)


@PROPERTY_SETTINGS
@given(net=networks())
def test_eisenberg_noe_is_greatest_fixed_point(net) -> None:
    # Phi is monotone, so Picard iteration from pbar stays above every clearing vector and
    # decreases to the greatest one; iteration from 0 increases to the least one. Our
    # vector must be a fixed point of Phi, lie above the least, and below every Picard
    # iterate from pbar.
    l_mat, e = net
    res = clear_payments(l_mat, e)
    scale = _scale(l_mat, e)
    pbar = l_mat.sum(axis=1)
    np.testing.assert_allclose(
        _phi(l_mat, e, res.payments, 1.0, 1.0), res.payments, rtol=1e-9, atol=1e-9 * scale
    )
    down, up = pbar.copy(), np.zeros_like(pbar)
    for _ in range(300):
        down = np.minimum(pbar, _phi(l_mat, e, down, 1.0, 1.0))
        up = np.minimum(pbar, _phi(l_mat, e, up, 1.0, 1.0))
        assert np.all(down >= res.payments - 1e-9 * scale)
        assert np.all(up <= res.payments + 1e-9 * scale)


# ---------------------------------------------------------------------------------------
# (g) Bad input
# ---------------------------------------------------------------------------------------

GOOD_L = np.array([[0.0, 1.0], [2.0, 0.0]])
GOOD_E = np.array([1.0, 1.0])


@pytest.mark.parametrize(
    ("liabilities", "external_assets", "kwargs", "message"),
    [
        ([[0.0, -1.0], [2.0, 0.0]], GOOD_E, {}, "negative entries"),
        (sp.csr_array(np.array([[0.0, -1.0], [2.0, 0.0]])), GOOD_E, {}, "negative entries"),
        (np.ones((2, 3)), GOOD_E, {}, "square"),
        (sp.csr_array(np.ones((2, 3))), GOOD_E, {}, "square"),
        (np.ones(4), GOOD_E, {}, "square"),
        (np.ones((2, 2, 2)), GOOD_E, {}, "square"),
        ([[0.0, np.nan], [2.0, 0.0]], GOOD_E, {}, "NaN or infinite"),
        ([[0.0, np.inf], [2.0, 0.0]], GOOD_E, {}, "NaN or infinite"),
        (sp.csr_array(np.array([[0.0, np.inf], [2.0, 0.0]])), GOOD_E, {}, "NaN or infinite"),
        ([[1.0, 1.0], [2.0, 0.0]], GOOD_E, {}, "diagonal"),
        ([["a", "b"], ["c", "d"]], GOOD_E, {}, "numeric"),
        (GOOD_L, [1.0, 1.0, 1.0], {}, r"external_assets must have shape \(2,\)"),
        (GOOD_L, [[1.0, 1.0]], {}, "external_assets must have shape"),
        (GOOD_L, [1.0, np.nan], {}, "external_assets contains NaN"),
        (GOOD_L, [1.0, np.inf], {}, "external_assets contains NaN"),
        (GOOD_L, [1.0, -0.5], {}, "external_assets contains negative"),
        (GOOD_L, ["x", "y"], {}, "external_assets must be numeric"),
        (GOOD_L, GOOD_E, {"alpha": -0.1}, "alpha must be in"),
        (GOOD_L, GOOD_E, {"alpha": 1.1}, "alpha must be in"),
        (GOOD_L, GOOD_E, {"alpha": np.nan}, "alpha must be in"),
        (GOOD_L, GOOD_E, {"beta": -1e-9}, "beta must be in"),
        (GOOD_L, GOOD_E, {"beta": 2.0}, "beta must be in"),
        (GOOD_L, GOOD_E, {"tol": 0.0}, "tol must be"),
        (GOOD_L, GOOD_E, {"tol": -1e-6}, "tol must be"),
        (GOOD_L, GOOD_E, {"tol": np.nan}, "tol must be"),
        (GOOD_L, GOOD_E, {"max_iter": 0}, "max_iter"),
    ],
)
def test_bad_input_raises(liabilities, external_assets, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        clear_payments(liabilities, external_assets, **kwargs)
