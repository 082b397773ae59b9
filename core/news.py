"""Words and numbers for the event log: amounts people read, never "-0%" or "0.0B"."""

from __future__ import annotations


def fmt_bn(amount: float) -> str:
    """USD bn for a sentence: "1.5T", "124B", "3.2B", "<0.1B"."""
    a = abs(amount)
    sign = "-" if amount < 0 and a >= 0.05 else ""
    if a >= 1000:
        return f"{sign}{a / 1000:.2f}T"
    if a >= 100:
        return f"{sign}{a:.0f}B"
    if a >= 0.05:
        return f"{sign}{a:.1f}B"
    return "<0.1B"


def fmt_share(share: float) -> str:
    """A share as a whole percentage, clipped to [0, 100%], with no negative zero."""
    pct = round(min(1.0, max(0.0, share)) * 100)
    return f"{pct + 0:d}%"
