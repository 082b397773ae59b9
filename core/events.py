"""The plain-language event log: what happened, to whom, in which quarter."""

from __future__ import annotations

from dataclasses import dataclass

EVENT_KINDS = ("deal", "default", "distress", "gate", "guarantee", "bank_breach", "fire_sale",
               "shock", "info")


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the event log."""

    quarter: str
    t: int
    kind: str
    text: str
    agents: tuple[str, ...] = ()


def quarter_label(t: int) -> str:
    """Label of quarter index ``t`` (0 = 2025Q1)."""
    return f"{2025 + t // 4}Q{t % 4 + 1}"
