"""Clearing of an obligation network: Eisenberg–Noe with Rogers–Veraart default costs.

Phase 9 of a quarter (docs/model.md, "Distress, reorganisation, liquidation") settles
defaults over the whole obligation network at once, so that a default that starves a
creditor of cash can push that creditor into default in the *same* quarter (a second-round
default).

Notation (Eisenberg & Noe 2001; Rogers & Veraart 2013):

* ``L[i, j]`` – nominal liability of node ``i`` to node ``j`` (``liabilities``).
* ``pbar_i = sum_j L[i, j]`` – total obligations of ``i``.
* ``Pi[i, j] = L[i, j] / pbar_i`` – relative liabilities: a defaulter pays its creditors
  pro rata (all claims have equal seniority in the clearing).
* ``e_i`` – external assets: cash plus whatever can be realised outside the network.
* ``p_i`` – what ``i`` actually pays in total; ``(Pi^T p)_i`` is what it receives.

A node is *solvent* when ``e_i + (Pi^T p)_i >= pbar_i`` and then pays in full. A defaulting
node pays all it has, but liquidating in default destroys value: it realises only
``alpha`` of its external assets (fire sales) and ``beta`` of its interbank receipts
(legal costs, delays).  The clearing condition is therefore

    p_i = pbar_i                                 if e_i + (Pi^T p)_i >= pbar_i
    p_i = alpha * e_i + beta * (Pi^T p)_i        otherwise.

With ``alpha = beta = 1`` this is Eisenberg–Noe, ``p = min(pbar, e + Pi^T p)``. Clearing
vectors need not be unique (cycles of obligations, or the discontinuity created by default
costs); creditors are entitled to the *greatest* one, which is what :func:`clear_payments`
returns.

References:
    Eisenberg, L. & Noe, T. H. (2001). Systemic risk in financial systems. Management
    Science 47(2), 236-249.
    Rogers, L. C. G. & Veraart, L. A. M. (2013). Failure and rescue in an interbank
    network. Management Science 59(4), 882-898.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["ClearingResult", "clear_payments"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Up to this many defaulters the sparse subsystem is solved by sparse LU (SuperLU via
# spsolve): exact, single-threaded, sub-millisecond. Above it, GMRES: a random,
# expander-like obligation network makes sparse LU fill in almost completely (measured:
# 5,000 defaulters in a 10,000-node, 100,000-edge network -> 10M LU entries, 5 s with
# spsolve, 5 ms with warm-started GMRES; at 500 defaulters with ~3 links each, LU is
# already the slower one). Dense LAPACK is avoided on the sparse path: it is slower beyond
# a few hundred unknowns, and multi-threaded BLAS stalls badly when other processes
# (parallel model runs) share the cores.
_SPARSE_LU_MAX = 300
# A large dense input that is mostly zeros is cleared on the sparse path (same result).
_DENSE_TO_SPARSE_MIN_N = 200
_DENSE_TO_SPARSE_MAX_DENSITY = 0.1


@dataclass(frozen=True)
class ClearingResult:
    """Outcome of clearing an obligation network.

    Attributes:
        payments: ``p``, total amount each node pays to its creditors (``0 <= p <= pbar``).
        defaulted: True for nodes that cannot meet their obligations in full.
        equity: Residual value after clearing: ``e_i + received_i - p_i`` for solvent
            nodes (clipped at 0 against rounding). Defaulters have equity exactly 0: all
            they realise goes to creditors and the rest is lost as default costs.
        received: ``Pi^T p``, what each node receives from its debtors.
        obligations: ``pbar``, total nominal obligations of each node.
        default_costs: Value destroyed by liquidation in default,
            ``(1 - alpha) e_i + (1 - beta) received_i`` for defaulters, 0 otherwise.
            Value is conserved: ``sum(equity) + sum(default_costs) == sum(e)``, because
            every payment made is received by someone inside the network.
        iterations: Rounds of the greatest-clearing-vector algorithm, i.e. linear solves
            for the defaulters' payments (0 when nobody defaults).
        converged: True when the default set stopped changing within ``max_iter`` rounds
            and every inner solve met ``tol``.
    """

    payments: FloatArray
    defaulted: BoolArray
    equity: FloatArray
    received: FloatArray
    obligations: FloatArray
    default_costs: FloatArray
    iterations: int
    converged: bool

    @property
    def recovery_rate(self) -> FloatArray:
        """Fraction of its obligations each node pays (1 for nodes that owe nothing)."""
        rate = np.ones_like(self.payments)
        owes = self.obligations > 0
        rate[owes] = self.payments[owes] / self.obligations[owes]
        return rate

    @property
    def shortfall(self) -> FloatArray:
        """Unpaid obligations ``pbar - p``: the creditors' losses, by debtor."""
        return self.obligations - self.payments

    def bilateral(
        self, liabilities: npt.ArrayLike | sp.sparray | sp.spmatrix
    ) -> FloatArray | sp.csr_array | sp.csr_matrix:
        """Bilateral payments ``P[i, j] = p_i * L[i, j] / pbar_i``.

        This is what the ledger needs to move cash: node ``i`` pays creditor ``j`` the
        same fraction (its recovery rate) of every claim. Row sums are ``payments`` and
        column sums are ``received``.

        Args:
            liabilities: The matrix that was cleared (dense or scipy.sparse).

        Returns:
            A dense array for dense input; a CSR sparse array (or matrix, matching the
            input's kind) for sparse input.

        Raises:
            ValueError: If the shape does not match the cleared network.
        """
        n = self.payments.shape[0]
        rate = self.recovery_rate
        if sp.issparse(liabilities):
            if liabilities.shape != (n, n):
                raise ValueError(f"liabilities has shape {liabilities.shape}, expected {(n, n)}")
            if isinstance(liabilities, sp.sparray):
                return sp.csr_array(sp.diags_array(rate) @ sp.csr_array(liabilities))
            return sp.csr_matrix(sp.diags(rate) @ sp.csr_matrix(liabilities))
        dense = np.asarray(liabilities, dtype=np.float64)
        if dense.shape != (n, n):
            raise ValueError(f"liabilities has shape {dense.shape}, expected {(n, n)}")
        return dense * rate[:, None]


def clear_payments(
    liabilities: npt.ArrayLike | sp.sparray | sp.spmatrix,
    external_assets: npt.ArrayLike,
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    tol: float = 1e-10,
    max_iter: int | None = None,
) -> ClearingResult:
    """Greatest clearing vector of an obligation network (Eisenberg–Noe / Rogers–Veraart).

    Algorithm: Rogers & Veraart's Greatest Clearing Vector Algorithm, which for
    ``alpha = beta = 1`` is Eisenberg & Noe's fictitious default algorithm. Start from
    ``p = pbar`` (everyone pays in full) and an empty default set ``D``. Each round:

    1. ``D <- D ∪ {i : pbar_i > e_i + (Pi^T p)_i}`` (nodes that cannot pay given what the
       others currently pay);
    2. if ``D`` did not grow, stop: ``p`` is the greatest clearing vector;
    3. otherwise keep ``p_i = pbar_i`` off ``D`` and solve the linear system for the
       defaulters, ``(I - beta Pi_DD^T) p_D = alpha e_D + beta Pi_{ND,D}^T pbar_ND``.

    ``p`` only decreases and ``D`` only grows, so there are at most ``n`` rounds. In
    practice there are as many rounds as waves of contagion (typically 2-6 with
    Eisenberg-Noe, more with default costs), each ending in an exact solve. A plain
    fixed-point iteration ``p <- Phi(p)`` instead converges only in the limit, at the rate
    of the spectral radius of ``Pi_DD``, which approaches 1 when money cycles among the
    defaulters.

    The defaulters' system is never singular. It would be singular (with ``beta = 1``)
    only if some set of defaulters owed everything to itself (a closed class of
    ``Pi_DD``). Such a set cannot enter default: its members receive back everything they
    pay each other, so summing their default conditions ``pbar_i > e_i + received_i``
    over the set, with the previous round's payments (equal to ``pbar`` for newcomers and
    at most ``e + received`` for earlier defaulters), gives ``0 > sum e + receipts from
    outside >= 0``. So ``I - beta Pi_DD^T`` is a nonsingular M-matrix.

    Solver choice: dense LAPACK for dense input (meant for small networks, such as the
    model's agents; a dense input with at least 200 nodes and at most 10% nonzeros is
    converted to CSR and takes the sparse path). For sparse input, sparse LU
    (``scipy.sparse.linalg.spsolve``) for default sets of up to 300 nodes, and above that
    GMRES (``scipy.sparse.linalg.gmres``) warm-started at the previous round's payments
    (an upper bound), with ``spsolve`` as a fallback should GMRES not converge. Sparse LU
    is not used for large sets because the LU factors of a random, expander-like network
    fill in almost completely (seconds for 5,000 defaulters). Only the default set is
    ever factorised, never the whole network, and ``Pi^T p`` is one sparse matrix-vector
    product per round, so a 10,000-node, 100,000-edge network clears in milliseconds.

    Args:
        liabilities: ``L[i, j]`` = what node ``i`` owes node ``j``; a square dense array
            or any scipy.sparse matrix/array, non-negative, finite, zero diagonal.
        external_assets: ``e_i >= 0``, value each node holds outside the network.
        alpha: Fraction of external assets a defaulter realises, in ``[0, 1]``.
        beta: Fraction of interbank receipts a defaulter realises, in ``[0, 1]``.
        tol: Relative tolerance, ``> 0``. A node defaults only when its shortfall exceeds
            ``tol * max(1, pbar_i)`` (so that exact break-even is not turned into default
            by rounding, which matters with default costs); also the relative residual
            required of iterative inner solves.
        max_iter: Maximum rounds of the algorithm; default ``n`` (always enough).

    Returns:
        The :class:`ClearingResult`. Nodes with zero obligations pay nothing and never
        default.

    Raises:
        ValueError: If the liabilities are not a square matrix, contain negative, NaN or
            infinite entries or a nonzero diagonal; if ``external_assets`` has the wrong
            length or contains negative, NaN or infinite values; if ``alpha`` or ``beta``
            is outside ``[0, 1]``; if ``tol <= 0``; or if ``max_iter < 1``.
    """
    mat, e, is_sparse = _validate(liabilities, external_assets, alpha, beta, tol, max_iter)
    n = e.shape[0]
    if not is_sparse and n >= _DENSE_TO_SPARSE_MIN_N:
        nnz = np.count_nonzero(mat)
        if nnz <= _DENSE_TO_SPARSE_MAX_DENSITY * n * n:
            mat, is_sparse = sp.csr_array(mat), True
    if max_iter is None:
        max_iter = max(n, 1)

    pbar, pi_t = _relative_liabilities_transposed(mat, is_sparse)
    owes = pbar > 0
    threshold = tol * np.maximum(1.0, pbar)

    p = pbar.copy()
    defaulted = np.zeros(n, dtype=bool)
    iterations = 0
    solves_ok = True
    while True:
        received = pi_t @ p
        # Default set only grows (the algorithm's monotonicity; the union guards against
        # rounding noise flipping a defaulter back).
        new_default = defaulted | (owes & (pbar - e - received > threshold))
        if np.array_equal(new_default, defaulted):
            converged = solves_ok
            break
        if iterations >= max_iter:
            converged = False
            break
        defaulted = new_default
        p_d, ok = _solve_defaulters(pi_t, e, p, defaulted, alpha, beta, tol, is_sparse)
        solves_ok &= ok
        idx = np.flatnonzero(defaulted)
        # Payments are bounded by [0, previous round] in exact arithmetic; clip rounding.
        p[idx] = np.clip(p_d, 0.0, p[idx])
        iterations += 1

    equity = np.where(defaulted, 0.0, np.maximum(e + received - p, 0.0))
    if alpha == 1.0 and beta == 1.0:
        costs = np.zeros(n)
    else:
        costs = np.where(defaulted, (1.0 - alpha) * e + (1.0 - beta) * received, 0.0)
    return ClearingResult(
        payments=p,
        defaulted=defaulted,
        equity=equity,
        received=received,
        obligations=pbar,
        default_costs=costs,
        iterations=iterations,
        converged=converged,
    )


def _relative_liabilities_transposed(
    mat: FloatArray | sp.csr_array, is_sparse: bool
) -> tuple[FloatArray, FloatArray | sp.csr_array]:
    """Return ``pbar`` and ``Pi^T`` (CSR when sparse), so that receipts are ``Pi^T p``.

    ``Pi[i, j] = L[i, j] / pbar_i`` is computed by division (not via ``1 / pbar``, which
    overflows for subnormal obligations); rows of nodes that owe nothing stay zero.
    """
    if is_sparse:
        pbar = np.asarray(mat.sum(axis=1), dtype=np.float64).ravel()
        row_of_entry = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
        pi = sp.csr_array((mat.data / pbar[row_of_entry], mat.indices, mat.indptr), mat.shape)
        return pbar, sp.csr_array(pi.T)
    pbar = mat.sum(axis=1)
    pi = np.divide(mat, pbar[:, None], out=np.zeros_like(mat), where=pbar[:, None] > 0)
    # Row-major Pi^T: the solver gathers its rows (receipts of the defaulters).
    return pbar, np.ascontiguousarray(pi.T)


def _solve_defaulters(
    pi_t: FloatArray | sp.csr_array,
    e: FloatArray,
    p: FloatArray,
    defaulted: BoolArray,
    alpha: float,
    beta: float,
    tol: float,
    is_sparse: bool,
) -> tuple[FloatArray, bool]:
    """Solve ``(I - beta Pi_DD^T) p_D = alpha e_D + beta Pi_{ND,D}^T p_ND``.

    Solvent nodes pay in full, so their payments enter the right-hand side as known
    inflows; the defaulters' payments depend on each other through ``Pi_DD``.

    Returns:
        The defaulters' payments (in the order of ``np.flatnonzero(defaulted)``) and
        whether the solve met the tolerance.
    """
    idx = np.flatnonzero(defaulted)
    k = idx.shape[0]
    p_solvent = np.where(defaulted, 0.0, p)
    rows = pi_t[idx]  # receipts of the defaulters, from everybody
    rhs = alpha * e[idx] + beta * (rows @ p_solvent)
    if not is_sparse:
        return np.linalg.solve(np.eye(k) - beta * rows[:, idx], rhs), True
    sub = rows[:, idx]  # receipts of defaulters from defaulters
    a = sp.csr_array(sp.eye_array(k, format="csr") - beta * sub)
    if k <= _SPARSE_LU_MAX:
        x = spla.spsolve(a.tocsc(), rhs)
        return np.atleast_1d(np.asarray(x, dtype=np.float64)), True
    # Warm start at the previous round's payments, an upper bound of the solution.
    x, info = _gmres(a, rhs, p[idx], tol)
    if info == 0:
        return np.asarray(x, dtype=np.float64), True
    # Not converged (very ill-conditioned: money almost never leaks out of the default
    # set). Fall back to an exact sparse LU solve, slow on large sets but correct.
    x = np.atleast_1d(np.asarray(spla.spsolve(a.tocsc(), rhs), dtype=np.float64))
    return x, bool(np.all(np.isfinite(x)))


def _gmres(a: sp.csr_array, rhs: FloatArray, x0: FloatArray, tol: float) -> tuple[FloatArray, int]:
    """GMRES with relative tolerance ``tol`` (``rtol`` since SciPy 1.12, ``tol`` before)."""
    try:
        return spla.gmres(a, rhs, x0=x0, rtol=tol, atol=0.0, restart=50, maxiter=1000)
    except TypeError:  # pragma: no cover - SciPy < 1.12
        return spla.gmres(a, rhs, x0=x0, tol=tol, atol=0.0, restart=50, maxiter=1000)


def _validate(
    liabilities: npt.ArrayLike | sp.sparray | sp.spmatrix,
    external_assets: npt.ArrayLike,
    alpha: float,
    beta: float,
    tol: float,
    max_iter: int | None,
) -> tuple[FloatArray | sp.csr_array, FloatArray, bool]:
    """Check inputs and return ``(L, e, is_sparse)``, ``L`` as float CSR or ndarray."""
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not (np.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    if not (np.isfinite(tol) and tol > 0.0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    if max_iter is not None and max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter!r}")

    is_sparse = sp.issparse(liabilities)
    if is_sparse:
        mat = sp.csr_array(liabilities, dtype=np.float64)
        mat.sum_duplicates()
        shape = mat.shape
        values = mat.data
    else:
        try:
            mat = np.asarray(liabilities, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"liabilities must be a numeric matrix: {exc}") from exc
        shape = mat.shape
        values = mat
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"liabilities must be a square matrix, got shape {shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("liabilities contains NaN or infinite entries")
    if np.any(values < 0):
        raise ValueError("liabilities contains negative entries (an obligation is >= 0)")
    diag = mat.diagonal()
    if np.any(diag != 0):
        raise ValueError("liabilities has a nonzero diagonal: a node cannot owe itself")

    n = shape[0]
    try:
        e = np.asarray(external_assets, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"external_assets must be numeric: {exc}") from exc
    if e.shape != (n,):
        raise ValueError(f"external_assets must have shape ({n},), got {e.shape}")
    if not np.all(np.isfinite(e)):
        raise ValueError("external_assets contains NaN or infinite values")
    if np.any(e < 0):
        raise ValueError("external_assets contains negative values")
    e = e.copy()

    return mat, e, is_sparse
