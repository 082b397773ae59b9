"""Numbers for people: ``1.52T``, ``124B``, ``-56 bp``, ``12.5%``, ``2027Q3``.

Money in the model is USD bn, so ``money(1520)`` is ``"1.52T"`` and ``money(0.4)`` is
``"400M"``. Every function returns ``"–"`` for missing values (None, NaN, inf).
"""

from __future__ import annotations

import math
import re

DASH = "–"


def _bad(x: object) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _sig(x: float) -> str:
    """Three significant digits without trailing zeros (1.52, 12.5, 124)."""
    ax = abs(x)
    if ax >= 100:
        s = f"{x:.0f}"
    elif ax >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.2f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def money(bn: float | None, signed: bool = False) -> str:
    """Format USD bn as ``1.52T`` / ``124B`` / ``400M`` (optionally with a sign)."""
    if _bad(bn):
        return DASH
    x = float(bn)  # type: ignore[arg-type]
    sign = "+" if signed and x > 0 else ""
    ax = abs(x)
    if ax >= 1000:
        body = _sig(x / 1000) + "T"
    elif ax >= 1:
        body = _sig(x) + "B"
    elif ax >= 0.001:
        body = _sig(x * 1000) + "M"
    elif x == 0:
        body = "0"
    else:
        return "<1M" if x > 0 else "-<1M"
    return sign + body


def bp(rate: float | None, signed: bool = False) -> str:
    """Format a rate given as a fraction (0.0075) as basis points (``75 bp``)."""
    if _bad(rate):
        return DASH
    v = round(float(rate) * 1e4) + 0  # type: ignore[arg-type]
    sign = "+" if signed and v > 0 else ""
    return f"{sign}{v:d} bp"


def pct(share: float | None, signed: bool = False, digits: int = 1) -> str:
    """Format a fraction (0.125) as a percentage (``12.5%``)."""
    if _bad(share):
        return DASH
    v = round(float(share) * 100, digits) + 0.0  # type: ignore[arg-type]  # no -0.0
    sign = "+" if signed and v > 0 else ""
    return f"{sign}{v:.{digits}f}%"


def pp(delta: float | None) -> str:
    """Format a change of a fraction in percentage points (``-1.2 pp``, never ``-0.0 pp``)."""
    if _bad(delta):
        return DASH
    v = round(float(delta) * 100, 1) + 0.0  # type: ignore[arg-type]  # + 0.0: no -0.0
    sign = "+" if v > 0 else ""
    return f"{sign}{v:.1f} pp"


def number(x: float | None, digits: int = 2, signed: bool = False) -> str:
    """Format a plain number with a fixed number of decimals."""
    if _bad(x):
        return DASH
    v = round(float(x), digits) + 0.0  # type: ignore[arg-type]  # no -0.0
    sign = "+" if signed and v > 0 else ""
    return f"{sign}{v:.{digits}f}"


def count(n: float | None, signed: bool = False) -> str:
    """Format a count (``3``, ``+1``), or people in millions when large (``15.2M``)."""
    if _bad(n):
        return DASH
    v = float(n)  # type: ignore[arg-type]
    sign = "+" if signed and v > 0 else ""
    if abs(v) >= 1e6:
        return f"{sign}{v / 1e6:.1f}M"
    if abs(v) >= 1e4:
        return f"{sign}{v / 1e3:.0f}k"
    return f"{sign}{v:.0f}"


_ZERO_BN = re.compile(r"(?<![\d.])-?0\.0B\b")
_ZERO_PCT = re.compile(r"(?<![\d.])-0(\.0+)?%")


def tidy_text(text: str) -> str:
    """Clean the numbers in a model sentence: ``0.0B`` -> ``<0.1B``, ``-0%`` -> ``0%``."""
    return _ZERO_PCT.sub(lambda m: m.group(0)[1:], _ZERO_BN.sub("<0.1B", text))


def quarter(t: int, start_year: int = 2025) -> str:
    """Label of quarter index ``t`` (0 = 2025Q1)."""
    return f"{start_year + t // 4}Q{t % 4 + 1}"


def spread_to_fraction(value: float | None) -> float | None:
    """Credit spreads may come as fractions (0.0075) or in bp (75): return a fraction."""
    if _bad(value):
        return None
    v = float(value)  # type: ignore[arg-type]
    return v / 1e4 if abs(v) >= 1 else v
