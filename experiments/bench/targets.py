"""Speed and memory targets of the benchmarks, each judged with a plain-words explanation.

Every benchmark calls :func:`judge` for each target it measures: it prints one line
("met" or "MISSED"), and for a miss what the number means and its likely cause; the
verdicts are kept so ``python -m experiments.bench`` can list them all at the end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Verdict", "busy_machine_note", "judge", "verdicts"]


@dataclass(frozen=True)
class Verdict:
    """One measured target."""

    bench: str
    name: str
    value: float
    target: float
    unit: str
    met: bool
    meaning: str
    higher_is_better: bool = False

    @property
    def sign(self) -> str:
        """The comparison the target asks for."""
        return ">=" if self.higher_is_better else "<="


_VERDICTS: list[Verdict] = []


def verdicts() -> list[Verdict]:
    """Every verdict judged so far in this process."""
    return list(_VERDICTS)


def busy_machine_note() -> str:
    """A sentence on how busy the machine is (load average against its cores)."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux
        return ""
    cores = os.cpu_count() or 1
    if load > 0.75 * cores:
        return (f"The machine was busy while measuring (load average {load:.1f} on {cores} "
                "cores): other programs took CPU time, so re-run on a quiet machine before "
                "reading much into this.")
    return f"(Load average {load:.1f} on {cores} cores: the machine was fairly quiet.)"


def judge(bench: str, name: str, value: float, target: float, unit: str, *,
          higher_is_better: bool = False, meaning: str = "", causes: str = "") -> Verdict:
    """Print whether ``value`` meets ``target`` and, if not, what that means and why.

    Args:
        bench: benchmark name (core, batch, clearing, ...).
        name: what is measured, e.g. "default run / Boltzmann example".
        value: the measurement.
        target: the target.
        unit: unit for printing ("x", "ms", "runs/s").
        higher_is_better: True for throughputs.
        meaning: what a miss means, in plain words.
        causes: likely causes of a miss, in plain words (a busy-machine note is added).
    """
    met = value >= target if higher_is_better else value <= target
    v = Verdict(bench, name, float(value), float(target), unit, met, meaning, higher_is_better)
    _VERDICTS.append(v)
    print(f"  target {name}: {value:.3g}{unit} ({v.sign} {target:g}{unit}): "
          f"{'met' if met else 'MISSED'}")
    if not met:
        for text in (f"What it means: {meaning}" if meaning else "",
                     f"Likely cause: {causes}" if causes else "", busy_machine_note()):
            if text:
                print(f"    {text}")
    return v
