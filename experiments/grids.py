"""Parsing of seed lists, parameter values and grids.

Forms accepted everywhere (CLI and Python):

* seeds: ``"0-99"`` (inclusive range), ``"0,3,5"`` (list), or a mix ``"0-9,20,30-31"``;
  a plain integer ``"7"`` is one seed.
* parameter values: ``"300:2500:9"`` (``start:stop:count``, evenly spaced, both ends
  included), ``"0.1,0.5,0.9"`` (a list) or a single value ``"0.5"``. Numbers stay integers
  when they are written as integers (``"1,2,3"``), otherwise floats; ``true``/``false``
  become booleans; anything else is kept as a string.
* a parameter spec: ``"name=values"`` with values in one of the forms above.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "grid",
    "parse_assignment",
    "parse_param",
    "parse_seeds",
    "parse_value",
    "parse_values",
]

SEEDS_FORM = "'0-99' (range, inclusive), '0,3,5' (list) or a mix such as '0-9,20'"
VALUES_FORM = "'start:stop:count' (e.g. 300:2500:9), 'a,b,c' (e.g. 0.1,0.5,0.9) or one value"


def parse_seeds(text: str | int | Iterable[int]) -> list[int]:
    """Parse a seed specification into a sorted-as-written list of distinct ints.

    Args:
        text: ``"0-99"``, ``"0,3,5"``, ``"0-9,20"``, a single int, or an iterable of ints.

    Returns:
        The seeds in the order written, duplicates removed.

    Raises:
        ValueError: if the text is not in one of the accepted forms.
    """
    if isinstance(text, bool):
        raise ValueError(f"invalid seeds {text!r}: expected {SEEDS_FORM}")
    if isinstance(text, int):
        seeds = [text]
    elif isinstance(text, str):
        seeds = []
        parts = [p.strip() for p in text.split(",")]
        if not text.strip() or any(not p for p in parts):
            raise ValueError(f"invalid seeds {text!r}: expected {SEEDS_FORM}")
        for part in parts:
            lo, sep, hi = part.partition("-")
            try:
                if sep:
                    a, b = int(lo), int(hi)
                    if b < a:
                        raise ValueError
                    seeds.extend(range(a, b + 1))
                else:
                    seeds.append(int(part))
            except ValueError:
                raise ValueError(f"invalid seeds {text!r}: expected {SEEDS_FORM}") from None
    else:
        seeds = []
        for s in text:
            if isinstance(s, bool) or not isinstance(s, int | float) or int(s) != s:
                raise ValueError(f"invalid seed {s!r}: seeds are non-negative integers")
            seeds.append(int(s))
    if any(s < 0 for s in seeds):
        raise ValueError(f"invalid seeds {text!r}: seeds are non-negative integers")
    if not seeds:
        raise ValueError(f"invalid seeds {text!r}: no seeds given")
    return list(dict.fromkeys(seeds))


def parse_value(text: str) -> Any:
    """Convert one textual value to int, float, bool or str (in that order of preference)."""
    s = text.strip()
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(s)
    except ValueError:
        pass
    try:
        value = float(s)
    except ValueError:
        return s
    if not math.isfinite(value):
        raise ValueError(f"invalid value {text!r}: not a finite number")
    return value


def parse_values(text: str) -> list[Any]:
    """Parse ``start:stop:count``, ``a,b,c`` or a single value into a list of values.

    ``start:stop:count`` gives ``count`` evenly spaced floats from ``start`` to ``stop``
    inclusive (integers if start, stop and the step are all integral).

    Raises:
        ValueError: naming the accepted forms.
    """
    s = text.strip()
    if not s:
        raise ValueError(f"empty value: expected {VALUES_FORM}")
    if ":" in s:
        parts = s.split(":")
        if len(parts) != 3:
            raise ValueError(f"invalid range {text!r}: expected {VALUES_FORM}")
        try:
            start, stop = float(parts[0]), float(parts[1])
            count = int(parts[2])
        except ValueError:
            raise ValueError(f"invalid range {text!r}: expected {VALUES_FORM}") from None
        if count < 1 or not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError(f"invalid range {text!r}: count must be >= 1 ({VALUES_FORM})")
        if count == 1:
            values = [start]
        else:
            step = (stop - start) / (count - 1)
            values = [start + i * step for i in range(count - 1)] + [stop]
        integral = all(float(p).is_integer() for p in (start, stop)) and all(
            v.is_integer() for v in values
        ) and "." not in parts[0] + parts[1]
        return [int(v) for v in values] if integral else [float(v) for v in values]
    parts = [p.strip() for p in s.split(",")]
    if any(not p for p in parts):
        raise ValueError(f"invalid list {text!r}: expected {VALUES_FORM}")
    values = [parse_value(p) for p in parts]
    return list(dict.fromkeys(values))


def _split_assignment(text: str, form: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not value.strip():
        raise ValueError(f"invalid {text!r}: expected {form}")
    if not name.isidentifier():
        raise ValueError(f"invalid parameter name {name!r} in {text!r}: expected {form}")
    return name, value


def parse_param(text: str) -> tuple[str, list[Any]]:
    """Parse ``name=start:stop:count`` / ``name=a,b,c`` / ``name=value``."""
    name, value = _split_assignment(text, f"NAME=VALUES with VALUES {VALUES_FORM}")
    return name, parse_values(value)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``name=value`` (one fixed value) as used by ``--set``."""
    name, value = _split_assignment(text, "NAME=VALUE, e.g. herding=0.5")
    return name, parse_value(value)


def grid(axes: Mapping[str, Sequence[Any]] | None = None, **kwaxes: Sequence[Any]) -> list[dict]:
    """Cartesian product of parameter axes as a list of override dicts (grid points).

    ``grid(revenue_ceiling=[300, 900], herding=[0, 1])`` gives four dicts, the last axis
    varying fastest. The result can be passed as ``overrides`` to :func:`run_batch`.
    """
    merged: dict[str, Sequence[Any]] = {**(axes or {}), **kwaxes}
    names = list(merged)
    for name, values in merged.items():
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise TypeError(f"grid axis {name!r} must be a list of values, got {values!r}")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*merged.values())]
