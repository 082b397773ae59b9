"""The plan of a batch: which runs (scenario x grid point x seed), checked and counted.

A plan is built from the arguments of :func:`experiments.run_batch` without listing its
runs: its size is a product of three counts, so a plan of a billion runs is refused in
microseconds instead of filling memory. Runs are generated lazily, scenario by scenario.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.errors import BatchError
from experiments.grids import SeedSet

__all__ = [
    "MAX_POINTS",
    "MAX_RUNS",
    "BatchPlan",
    "RunSpec",
    "check_size",
    "make_plan",
    "model_max_quarters",
    "normalize_overrides",
    "run_key",
    "whole_number",
]

MAX_RUNS = 1_000_000  # a larger plan needs yes=True (--yes) or an explicit max_runs
MAX_POINTS = 10_000  # grid points: beyond this, validation alone takes minutes
DEFAULT_MAX_QUARTERS = 400  # the model's own limit in AIEconomy.run


def model_max_quarters() -> int:
    """The longest run the model accepts (``model.MAX_QUARTERS`` if it exports one)."""
    import model

    return int(getattr(model, "MAX_QUARTERS", DEFAULT_MAX_QUARTERS))


def whole_number(name: str, value: Any, lo: int, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]``; booleans, floats and strings are refused.

    Raises:
        BatchError: naming the argument and the allowed range.
    """
    allowed = f"a whole number >= {lo}" if hi is None else f"a whole number in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise BatchError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    if value < lo or (hi is not None and value > hi):
        raise BatchError(f"{name} must be {allowed}, got {value}")
    return int(value)


def run_key(scenario: str, seed: int, overrides: Mapping[str, Any]) -> str:
    """Canonical identity of a run (stored with each block; used by resume)."""
    return json.dumps([scenario, int(seed), dict(sorted(overrides.items()))], default=str)


def _point_key(point: Mapping[str, Any]) -> str:
    return json.dumps(dict(sorted(point.items())), default=str)


@dataclass(frozen=True)
class RunSpec:
    """One run: scenario, seed and the index of its grid point."""

    scenario: str
    seed: int
    point: int
    key: str


@dataclass(frozen=True)
class BatchPlan:
    """Scenarios x grid points x seeds, each run ``quarters`` long."""

    scenarios: tuple[str, ...]
    seeds: SeedSet
    points: tuple[dict[str, Any], ...]
    quarters: int
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        cols = tuple(dict.fromkeys(name for p in self.points for name in p))
        object.__setattr__(self, "columns", cols)

    @property
    def n_runs(self) -> int:
        """Number of runs in the plan (counted, not listed)."""
        return len(self.scenarios) * len(self.points) * len(self.seeds)

    def size_text(self) -> str:
        """``"2 scenarios x 9 grid points x 1,000 seeds = 18,000 runs"``."""
        return (f"{len(self.scenarios)} scenario(s) x {len(self.points):,} grid point(s) x "
                f"{len(self.seeds):,} seed(s) = {self.n_runs:,} runs")

    def runs(self) -> Iterator[RunSpec]:
        """Every run, scenario by scenario, grid point by point, seed by seed (lazily)."""
        for scenario in self.scenarios:
            for i, point in enumerate(self.points):
                for seed in self.seeds:
                    yield RunSpec(scenario, seed, i, run_key(scenario, seed, point))

    def holds_key(self, key: str) -> bool:
        """Whether a stored run key belongs to this plan (used to verify stored blocks)."""
        try:
            scenario, seed, point = json.loads(key)
        except (ValueError, TypeError):
            return False
        if scenario not in self.scenarios or seed not in self.seeds:
            return False
        return isinstance(point, dict) and _point_key(point) in self._point_keys()

    def _point_keys(self) -> frozenset[str]:
        cached = self.__dict__.get("_pk")
        if cached is None:
            cached = frozenset(_point_key(p) for p in self.points)
            object.__setattr__(self, "_pk", cached)
        return cached


def normalize_overrides(overrides: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
                        ) -> list[dict[str, Any]]:
    """Turn ``overrides`` into a list of grid points (dicts).

    * ``None`` or ``{}``: one point, the scenario's own parameters;
    * a dict of scalars: one point with these fixed values;
    * a list of dicts: one point per dict (use :func:`experiments.grid` for products).

    A dict whose values are lists is refused (ambiguous): write ``grid(name=[...])``.
    """
    if overrides is None:
        return [{}]
    if isinstance(overrides, Mapping):
        for name, value in overrides.items():
            if isinstance(value, list | tuple | set | range):
                raise TypeError(
                    f"overrides[{name!r}] is a list: pass fixed values as a dict of scalars, "
                    f"or grid points as a list of dicts, e.g. experiments.grid({name}=[...])"
                )
        points = [dict(overrides)]
    elif isinstance(overrides, str | bytes) or not isinstance(overrides, Sequence):
        raise BatchError(f"overrides must be None, a dict or a list of dicts, got "
                         f"{type(overrides).__name__}")
    else:
        points = [dict(p) for p in overrides]
    if not points:
        raise BatchError("overrides is an empty list: give at least one grid point ({} is one)")
    for p in points:
        for name in p:
            if not isinstance(name, str) or not name.isidentifier():
                raise BatchError(f"invalid parameter name {name!r} in overrides")
    return points


def _scenario_list(scenarios: Any) -> tuple[str, ...]:
    items = [scenarios] if isinstance(scenarios, str | os.PathLike) else scenarios
    if isinstance(items, bytes | Mapping) or not isinstance(items, Iterable):
        raise BatchError(f"scenarios must be a name, a TOML path or a list of them, "
                         f"got {scenarios!r}")
    names = []
    for s in items:
        if not isinstance(s, str | os.PathLike):
            raise BatchError(f"a scenario is a name or a TOML path, got {s!r} "
                             f"({type(s).__name__})")
        names.append(os.fspath(s))
    if not names:
        raise BatchError("no scenarios given")
    return tuple(dict.fromkeys(names))


def make_plan(scenarios: Any, seeds: Any, overrides: Any, quarters: Any) -> BatchPlan:
    """Check the arguments that define the runs and return the plan.

    Raises:
        BatchError: a bad scenario list, seed list, overrides or quarters.
        TypeError: overrides given as a dict of lists (see :func:`normalize_overrides`).
    """
    names = _scenario_list(scenarios)
    try:
        seed_set = SeedSet.parse(seeds)
    except ValueError as exc:
        raise BatchError(str(exc)) from None
    points = tuple(normalize_overrides(overrides))
    q = whole_number("quarters", quarters, 1, model_max_quarters())
    return BatchPlan(names, seed_set, points, q)


def check_size(n_runs: int, n_points: int, *, yes: bool = False,
               max_runs: int | None = None, what: str = "") -> None:
    """Refuse a plan over :data:`MAX_RUNS` runs or :data:`MAX_POINTS` grid points.

    ``yes`` accepts any size; ``max_runs`` accepts a plan up to that many runs.

    Raises:
        BatchError: one line with the size and how to go on.
    """
    if yes:
        return
    size = what or f"{n_runs:,} runs"
    if max_runs is not None:
        if n_runs > max_runs:
            raise BatchError(f"the plan has {size}, more than max_runs={max_runs:,}: "
                             "make it smaller or raise max_runs")
        return
    if n_runs > MAX_RUNS:
        raise BatchError(f"the plan has {size}, more than {MAX_RUNS:,}: make it smaller, "
                         "or confirm with --yes (Python: yes=True or max_runs=N)")
    if n_points > MAX_POINTS:
        raise BatchError(f"the plan has {n_points:,} grid points, more than {MAX_POINTS:,} "
                         f"({size}): make the grid coarser, or confirm with --yes "
                         "(Python: yes=True or max_runs=N)")


def product(sizes: Sequence[int]) -> int:
    """The number of points of a grid with these axis sizes."""
    return math.prod(sizes) if sizes else 1
