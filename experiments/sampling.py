"""Parameter spaces for the analyses: which parameters vary, and over what range.

Used by ``sensitivity`` (SALib designs) and ``discover`` (Latin hypercube samples). The
ranges default to the model's declared ones (``PARAMETER_INFO``); whole-number parameters
are sampled over [min - 0.5, max + 0.5] and rounded, so each whole value is equally
likely; a point that breaks one of the model's cross-parameter rules
(:data:`ORDERED_PAIRS`) is moved onto the rule's boundary.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ORDERED_PAIRS", "Factor", "add_factor_options", "factors_from_args",
           "latin_hypercube", "make_factors", "respect_rules", "scenario_from_args", "to_points",
           "validate_points"]

# Cross-parameter rules of the model a box sample can break: (a, b) means a <= b. A point
# that breaks one is moved onto the boundary (a sampled ``a`` is capped at ``b``, else ``b``
# is raised to ``a``).
ORDERED_PAIRS = (("gpu_economic_life", "gpu_book_life"),)


@dataclass(frozen=True)
class Factor:
    """One uncertain parameter and the range it is sampled over."""

    name: str
    low: float
    high: float
    integer: bool = False

    def bounds(self) -> list[float]:
        """Sampling bounds: whole-number factors get half a step on each side."""
        pad = 0.5 if self.integer else 0.0
        return [self.low - pad, self.high + pad]

    def value(self, x: float) -> float | int:
        """A sampled number as the parameter's value (rounded, inside the range)."""
        if self.integer:
            return int(min(max(math.floor(x + 0.5), self.low), self.high))
        return float(min(max(x, self.low), self.high))


def make_factors(specs: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                 info: Mapping[str, Any] | None = None) -> list[Factor]:
    """Factors from ``NAME`` (declared range) or ``NAME=low:high`` specs, or whole groups.

    Without specs and groups: every parameter of the model with its declared range.

    Raises:
        ValueError: an unknown name or group, or a range outside the declared one.
    """
    if info is None:
        from model import PARAMETER_INFO

        info = PARAMETER_INFO
    known_groups = sorted({i.group for i in info.values()})
    for g in groups or []:
        if g not in known_groups:
            raise ValueError(f"unknown group {g!r}; choose from {', '.join(known_groups)}")
    chosen: dict[str, Factor] = {}
    for i in info.values():
        if (not specs and not groups) or (groups and i.group in groups):
            chosen[i.name] = Factor(i.name, float(i.min), float(i.max), bool(i.integer))
    for spec in specs or []:
        name, _, rng = spec.partition("=")
        name = name.strip()
        if name not in info:
            raise ValueError(f"unknown parameter {name!r}; see python -m experiments params")
        i = info[name]
        low, high = float(i.min), float(i.max)
        if rng:
            try:
                low, high = (float(v) for v in rng.split(":"))
            except ValueError:
                raise ValueError(f"{spec!r}: give a range as NAME=low:high, e.g. "
                                 f"{name}={i.min:g}:{i.max:g}") from None
            if not i.min <= low < high <= i.max:
                raise ValueError(f"{spec!r}: the range must lie inside {name}'s allowed "
                                 f"range [{i.min:g}, {i.max:g}] with low < high")
        chosen[name] = Factor(name, low, high, bool(i.integer))
    if not chosen:
        raise ValueError("no parameters chosen")
    return list(chosen.values())


def respect_rules(point: dict[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """Move ``point`` onto the model's cross-parameter rules (in place; returned)."""
    for low_name, high_name in ORDERED_PAIRS:
        if low_name not in point and high_name not in point:
            continue
        lo = point.get(low_name, base.get(low_name))
        hi = point.get(high_name, base.get(high_name))
        if lo is None or hi is None or lo <= hi:
            continue
        if low_name in point:
            point[low_name] = hi
        else:
            point[high_name] = lo
    return point


def to_points(factors: Sequence[Factor], x: np.ndarray, base: Mapping[str, Any] | None = None,
              ) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Sample rows as distinct model points.

    Returns:
        ``(points, row_point)``: the distinct points (dicts of parameter values, rounded and
        within the rules) and, for each row of ``x``, the index of its point.
    """
    points: list[dict[str, Any]] = []
    index: dict[tuple[float, ...], int] = {}
    row_point = np.empty(len(x), dtype=np.int64)
    for r, row in enumerate(x):
        point = respect_rules({f.name: f.value(v) for f, v in zip(factors, row, strict=True)},
                              base or {})
        key = tuple(float(point[f.name]) for f in factors)
        if key not in index:
            index[key] = len(points)
            points.append(point)
        row_point[r] = index[key]
    return points, row_point


def latin_hypercube(factors: Sequence[Factor], n: int, seed: int = 0) -> np.ndarray:
    """``n`` rows of a Latin hypercube sample over the factors' bounds (scipy.stats.qmc)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(factors), seed=seed).random(n)
    lows, highs = np.array([f.bounds() for f in factors]).T
    return qmc.scale(unit, lows, highs) if len(factors) else unit


def add_factor_options(p: argparse.ArgumentParser, default_help: str) -> None:
    """``--param NAME[=LOW:HIGH]`` and ``--group GROUP`` (which parameters vary)."""
    p.add_argument("--param", action="append", default=None, metavar="NAME[=LOW:HIGH]",
                   help="a parameter to vary, over its declared range or LOW:HIGH "
                        f"(repeatable; default: {default_help})")
    from model.parameters import GROUPS

    p.add_argument("--group", action="append", default=None, metavar="GROUP",
                   help=f"vary every parameter of this group (repeatable): {', '.join(GROUPS)}")


def factors_from_args(args: argparse.Namespace, default_groups: Sequence[str] | None = None,
                      ) -> tuple[list[Factor], Any, dict[str, Any]]:
    """The factors, the scenario with ``--set`` applied, and its full parameter values.

    Raises:
        BatchError: a bad ``--param``/``--group``, or a parameter both varied and ``--set``.
        ParameterError: a bad scenario or ``--set`` value.
    """
    from experiments.runner import BatchError

    groups = args.group or (None if args.param else default_groups)
    try:
        factors = make_factors(args.param, groups)
    except ValueError as exc:
        raise BatchError(f"--param/--group: {exc}") from None
    scenario, base = scenario_from_args(args, [f.name for f in factors])
    return factors, scenario, base


def scenario_from_args(args: argparse.Namespace, varied: Sequence[str],
                       ) -> tuple[Any, dict[str, Any]]:
    """The scenario with ``--set`` applied and its full parameter values.

    Raises:
        BatchError: a parameter both varied and ``--set``.
        ParameterError: a bad scenario or ``--set`` value.
    """
    from experiments.runner import BatchError
    from model import PARAMETER_INFO, load_scenario

    fixed = dict(args.fixed)
    clash = sorted(set(fixed) & set(varied))
    if clash:
        raise BatchError(f"--set {clash[0]}: it is also varied; fix it or vary it, not both")
    scenario = load_scenario(args.scenario, **fixed)
    base = {name: getattr(scenario.params, name) for name in PARAMETER_INFO}
    return scenario, base


def validate_points(scenario: Any, points: Sequence[Mapping[str, Any]]) -> None:
    """Check every point against the model (fast: no model is built).

    Raises:
        ParameterError: naming the first bad point.
    """
    from model import ParameterError, load_scenario

    for point in points:
        try:
            load_scenario(scenario, **point)
        except ParameterError as exc:
            raise ParameterError(f"sample point {dict(point)}: {exc}") from None
