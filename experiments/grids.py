"""Parsing of seed lists, parameter values and grids.

Forms accepted everywhere (CLI and Python):

* seeds: ``"0-99"`` (inclusive range), ``"0,3,5"`` (list), or a mix ``"0-9,20,30-31"``;
  a plain integer ``"7"`` is one seed. In Python also an int (numpy ints included), a
  ``range`` or any iterable of ints. Seeds are kept as ranges (:class:`SeedSet`), so
  ``"0-999999999"`` is counted without building a list.
* parameter values: ``"300:2500:9"`` (``start:stop:count``, evenly spaced, both ends
  included), ``"0.1,0.5,0.9"`` (a list) or a single value ``"0.5"``. Numbers stay integers
  when they are written as integers (``"1,2,3"``), otherwise floats. Parameters are
  numbers: ``true`` or ``abc`` is an error, not a boolean or a string.
* a parameter spec: ``"name=values"`` with values in one of the forms above.
"""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Axis",
    "SeedSet",
    "grid",
    "parse_assignment",
    "parse_axis",
    "parse_param",
    "parse_seeds",
    "parse_value",
    "parse_values",
]

SEEDS_FORM = "'0-99' (range, inclusive), '0,3,5' (list) or a mix such as '0-9,20'"
VALUES_FORM = "'start:stop:count' (e.g. 300:2500:9), 'a,b,c' (e.g. 0.1,0.5,0.9) or one value"


def _is_int(x: object) -> bool:
    """A whole number: int or numpy int, but not a bool (True is not the seed 1)."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


class SeedSet(Sequence[int]):
    """Distinct non-negative seeds held as sorted inclusive ranges.

    Counting, membership and the compact text form cost nothing per seed, so a plan of a
    billion seeds can be checked (and refused) without building a list.
    """

    __slots__ = ("_ends", "_len", "_ranges")

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for lo, hi in sorted((int(a), int(b)) for a, b in ranges):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self._ranges = tuple((lo, hi) for lo, hi in merged)
        ends, total = [], 0
        for lo, hi in self._ranges:
            total += hi - lo + 1
            ends.append(total)
        self._ends = tuple(ends)
        self._len = total

    @classmethod
    def parse(cls, spec: str | int | Iterable[int] | SeedSet) -> SeedSet:
        """Build from any accepted seed form (see the module docstring).

        Raises:
            ValueError: naming the accepted forms.
        """
        if isinstance(spec, SeedSet):
            return spec
        if isinstance(spec, str):
            seeds = cls(_parse_seed_text(spec))
        elif _is_int(spec):
            seeds = cls([(int(spec), int(spec))])
        elif isinstance(spec, range) and spec.step == 1:
            seeds = cls([(spec.start, spec.stop - 1)] if len(spec) else [])
        elif isinstance(spec, Iterable) and not isinstance(spec, bytes | Mapping):
            seeds = cls((s, s) for s in _checked_seeds(spec))
        else:
            raise ValueError(f"invalid seeds {spec!r}: expected {SEEDS_FORM}, an int or "
                             "a list of ints")
        if seeds._ranges and seeds._ranges[0][0] < 0:
            raise ValueError(f"invalid seeds {spec!r}: seeds are non-negative integers")
        if not seeds._len:
            raise ValueError(f"invalid seeds {spec!r}: no seeds given")
        return seeds

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        for lo, hi in self._ranges:
            yield from range(lo, hi + 1)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("seed index out of range")
        k = bisect.bisect_right(self._ends, i)
        before = self._ends[k - 1] if k else 0
        return self._ranges[k][0] + i - before

    def __contains__(self, seed: object) -> bool:
        if not _is_int(seed):
            return False
        k = bisect.bisect_right(self._ranges, (int(seed), math.inf)) - 1
        return k >= 0 and self._ranges[k][0] <= seed <= self._ranges[k][1]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SeedSet):
            return self._ranges == other._ranges
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._ranges)

    def __repr__(self) -> str:
        return f"SeedSet({self.compact()!r})"

    def compact(self) -> str:
        """The text form, ranges collapsed: ``"0-99,200"``."""
        return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self._ranges)


def _parse_seed_text(text: str) -> list[tuple[int, int]]:
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"invalid seeds {text!r}: expected {SEEDS_FORM}")
    ranges = []
    for part in parts:
        lo, sep, hi = part.partition("-")
        try:
            a, b = (int(lo), int(hi)) if sep else (int(part), int(part))
        except ValueError:
            raise ValueError(f"invalid seeds {text!r}: expected {SEEDS_FORM}") from None
        if b < a:
            raise ValueError(f"invalid seeds {text!r}: range {part} runs backwards; "
                             f"expected {SEEDS_FORM}")
        ranges.append((a, b))
    return ranges


def _checked_seeds(values: Iterable[Any]) -> list[int]:
    out = []
    for s in values:
        if not _is_int(s):
            raise ValueError(f"invalid seed {s!r} ({type(s).__name__}): seeds are "
                             "non-negative integers")
        out.append(int(s))
    return out


def parse_seeds(text: str | int | Iterable[int]) -> list[int]:
    """Parse a seed specification into a sorted list of distinct ints.

    Args:
        text: ``"0-99"``, ``"0,3,5"``, ``"0-9,20"``, an int, or an iterable of ints.

    Returns:
        The seeds, ascending, duplicates removed. Use :meth:`SeedSet.parse` for plans
        too large to list.

    Raises:
        ValueError: if the text is not in one of the accepted forms.
    """
    return list(SeedSet.parse(text))


def parse_value(text: str) -> int | float:
    """Convert one textual value to an int (written as a whole number) or a finite float.

    Raises:
        ValueError: for anything else (``"true"`` is not a number, nor is ``"nan"``).
    """
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        pass
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"invalid value {text!r}: expected a number") from None
    if not math.isfinite(value):
        raise ValueError(f"invalid value {text!r}: not a finite number")
    return value


def _parse_range(text: str) -> tuple[float, float, int, bool]:
    """``start:stop:count`` -> (start, stop, count, written as integers)."""
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise ValueError(f"invalid range {text!r}: expected {VALUES_FORM}")
    try:
        start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ValueError(f"invalid range {text!r}: expected {VALUES_FORM}") from None
    if count < 1 or not (math.isfinite(start) and math.isfinite(stop)):
        raise ValueError(f"invalid range {text!r}: count must be >= 1 ({VALUES_FORM})")
    integral = start.is_integer() and stop.is_integer() and "." not in parts[0] + parts[1]
    return start, stop, count, integral


def _list_parts(text: str) -> list[str]:
    s = text.strip()
    if not s:
        raise ValueError(f"empty value: expected {VALUES_FORM}")
    parts = [p.strip() for p in s.split(",")]
    if any(not p for p in parts):
        raise ValueError(f"invalid list {text!r}: expected {VALUES_FORM}")
    return parts


def count_values(text: str) -> int:
    """How many values :func:`parse_values` would give, without building them."""
    if ":" in text:
        return _parse_range(text)[2]
    return len(_list_parts(text))


def parse_values(text: str) -> list[int | float]:
    """Parse ``start:stop:count``, ``a,b,c`` or a single value into a list of numbers.

    ``start:stop:count`` gives ``count`` evenly spaced floats from ``start`` to ``stop``
    inclusive (integers if start, stop and the step are all integral).

    Raises:
        ValueError: naming the accepted forms.
    """
    if ":" in text:
        start, stop, count, integral = _parse_range(text)
        if count == 1:
            values = [start]
        else:
            step = (stop - start) / (count - 1)
            values = [start + i * step for i in range(count - 1)] + [stop]
        if integral and all(v.is_integer() for v in values):
            return [int(v) for v in values]
        return [float(v) for v in values]
    values = [parse_value(p) for p in _list_parts(text)]
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Axis:
    """One grid axis from the command line, checked but not yet expanded."""

    name: str
    text: str
    size: int

    def values(self) -> list[int | float]:
        """The axis values (see :func:`parse_values`)."""
        return parse_values(self.text)


def _split_assignment(text: str, form: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not value.strip():
        raise ValueError(f"invalid {text!r}: expected {form}")
    if not name.isidentifier():
        raise ValueError(f"invalid parameter name {name!r} in {text!r}: expected {form}")
    return name, value


PARAM_FORM = f"NAME=VALUES with VALUES {VALUES_FORM}"


def parse_axis(text: str) -> Axis:
    """Parse ``name=start:stop:count`` / ``name=a,b,c`` / ``name=value`` without expanding."""
    name, value = _split_assignment(text, PARAM_FORM)
    if ":" not in value:
        parse_values(value)  # a list is short (typed by hand): check every value now
    return Axis(name, value, count_values(value))


def parse_param(text: str) -> tuple[str, list[int | float]]:
    """Parse ``name=start:stop:count`` / ``name=a,b,c`` / ``name=value``."""
    name, value = _split_assignment(text, PARAM_FORM)
    return name, parse_values(value)


def parse_assignment(text: str) -> tuple[str, int | float]:
    """Parse ``name=value`` (one fixed number) as used by ``--set``."""
    name, value = _split_assignment(text, "NAME=VALUE, e.g. herding=0.5")
    try:
        return name, parse_value(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def grid(axes: Mapping[str, Sequence[Any]] | None = None, **kwaxes: Sequence[Any]) -> list[dict]:
    """Cartesian product of parameter axes as a list of override dicts (grid points).

    ``grid(revenue_2030=[300, 900], herding=[0, 1])`` gives four dicts, the last axis
    varying fastest. The result can be passed as ``overrides`` to :func:`run_batch`.
    """
    merged: dict[str, Sequence[Any]] = {**(axes or {}), **kwaxes}
    names = list(merged)
    for name, values in merged.items():
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise TypeError(f"grid axis {name!r} must be a list of values, got {values!r}")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*merged.values())]
