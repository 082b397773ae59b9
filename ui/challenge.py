"""The regulator's challenge: keep households' losses under a target with real policy levers.

The student gets a hidden revenue assumption and the levers a regulator has (capital
requirement and countercyclical buffer, limits on SPV leverage or consolidation of SPVs,
redemption gate rules, a lender-of-last-resort budget, buffer usability). Every lever is a
model parameter (group "policy" of ``PARAMETER_INFO``); levers set before the first round
are overrides of the model, later changes go through ``AIEconomy.apply_policy`` (effective
from the next quarter). At the end the hidden assumption and the challenge number are
revealed, and counterfactual runs show what each lever did.

Determinism: the hidden value is drawn with ``random.Random(challenge number)``; the model
runs with ``rng=challenge number``; so the same number replays the same challenge.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from model import MODEL_COLUMNS, PARAMETER_INFO, AIEconomy, ParamInfo
from ui import state

SCENARIO = "baseline"
LOW_SCENARIO, HIGH_SCENARIO = "bust", "baseline"  # the hidden value lies between these two
ROUNDS = 5
QUARTERS_PER_ROUND = 8
TARGET_BN = 25.0  # households' losses over the ten years, USD bn
LEVERS = ("bank_capital_requirement", "countercyclical_buffer", "spv_max_debt_share",
          "consolidate_spvs", "redemption_gate", "lolr_budget", "buffer_usability")
HOUSEHOLDS = "losses_households"
FALLBACK_LOSSES = "losses_outside"
# Score: most points for keeping households' losses under the target, the rest for not
# choking the build-out (AI capex relative to doing nothing).
LOSS_POINTS, INVESTMENT_POINTS = 70, 30

Schedule = tuple[tuple[int, tuple[tuple[str, float], ...]], ...]


def levers() -> list[ParamInfo]:
    """The policy levers the model has: its "policy" group, plus the named ones it has."""
    found = [i for i in PARAMETER_INFO.values() if i.group == "policy"]
    found += [PARAMETER_INFO[n] for n in LEVERS
              if n in PARAMETER_INFO and PARAMETER_INFO[n] not in found]
    return sorted(found, key=lambda i: LEVERS.index(i.name) if i.name in LEVERS else 99)


def losses_column() -> str:
    """The households' losses column (an older model: losses of outside investors)."""
    return HOUSEHOLDS if HOUSEHOLDS in MODEL_COLUMNS else FALLBACK_LOSSES


def can_change_mid_run() -> bool:
    """Whether the model lets levers change during a run (``AIEconomy.apply_policy``)."""
    return callable(getattr(AIEconomy, "apply_policy", None))


def hidden_revenue(seed: int) -> tuple[str, float]:
    """The hidden revenue assumption of a challenge: (parameter name, value).

    The main revenue parameter, drawn uniformly between its values in the bust and the
    baseline scenarios with ``random.Random(seed)``.
    """
    info = state.main_revenue_parameter()
    lo = float(state.scenario_values(LOW_SCENARIO).get(info.name, info.min))
    hi = float(state.scenario_values(HIGH_SCENARIO).get(info.name, info.max))
    lo, hi = min(lo, hi), max(lo, hi)
    value = random.Random(seed).uniform(lo, hi)
    return info.name, round(value, 0) if info.unit.startswith("USD") else value


def build(seed: int, initial: Mapping[str, float]) -> AIEconomy:
    """The challenge's model: baseline with the hidden revenue and the opening levers."""
    name, value = hidden_revenue(seed)
    return AIEconomy(SCENARIO, rng=seed, agent_data=False, **{name: value, **initial})


def replay(seed: int, schedule: Schedule, quarters: int) -> pd.DataFrame:
    """Run a challenge with a lever schedule ((quarter, changes), ...) to ``quarters``."""
    initial = dict(next((dict(ch) for t, ch in schedule if t == 0), {}))
    m = build(seed, initial)
    later = {t: dict(ch) for t, ch in schedule if t > 0}
    while m.t < quarters:
        if m.t in later and can_change_mid_run():
            m.apply_policy(**later[m.t])  # type: ignore[attr-defined]
        m.step()
    return m.results()


def without(schedule: Schedule, lever: str) -> Schedule:
    """The schedule with every change of one lever removed."""
    out = []
    for t, changes in schedule:
        kept = tuple((k, v) for k, v in changes if k != lever)
        if kept:
            out.append((t, kept))
    return tuple(out)


@dataclass(frozen=True)
class LeverEffect:
    """What one lever did: the outcome with and without the student's use of it."""

    lever: str
    label: str
    losses_without: float
    capex_without: float


@dataclass(frozen=True)
class Score:
    """The end of a challenge, explained."""

    seed: int
    revenue_name: str
    revenue_value: float
    losses: float
    target: float
    passed: bool
    losses_no_action: float
    capex: float
    capex_no_action: float
    points: int
    effects: tuple[LeverEffect, ...]


def score(seed: int, schedule: Schedule, frame: pd.DataFrame) -> Score:
    """Score a finished challenge and measure each lever against counterfactual runs."""
    col = losses_column()
    quarters = len(frame)
    losses = float(frame[col].iloc[-1])
    capex = float(frame["capex"].sum())
    base = replay(seed, (), quarters)
    losses0, capex0 = float(base[col].iloc[-1]), float(base["capex"].sum())
    used = sorted({k for _t, ch in schedule for k, _v in ch})
    effects = []
    for lever in used:
        f = replay(seed, without(schedule, lever), quarters)
        effects.append(LeverEffect(lever, PARAMETER_INFO[lever].label, float(f[col].iloc[-1]),
                                   float(f["capex"].sum())))
    loss_part = 1.0 if losses <= TARGET_BN else TARGET_BN / max(losses, 1e-9)
    invest_part = min(1.0, capex / capex0) if capex0 > 0 else 1.0
    points = round(LOSS_POINTS * loss_part + INVESTMENT_POINTS * invest_part)
    name, value = hidden_revenue(seed)
    return Score(seed, name, value, losses, TARGET_BN, losses <= TARGET_BN, losses0, capex,
                 capex0, points, tuple(effects))


@dataclass
class Challenge:
    """One student's challenge: the running model, the lever schedule and the levers now."""

    seed: int
    values: dict[str, float] = field(default_factory=dict)
    schedule: list[tuple[int, tuple[tuple[str, float], ...]]] = field(default_factory=list)
    model: AIEconomy | None = None
    result: Score | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        if not self.values:
            self.values = {i.name: float(i.default) for i in levers()}

    @property
    def t(self) -> int:
        """Quarters played."""
        return 0 if self.model is None else self.model.t

    @property
    def round(self) -> int:
        """The round about to be played (1-based); ROUNDS + 1 when finished."""
        return self.t // QUARTERS_PER_ROUND + 1

    @property
    def finished(self) -> bool:
        """Whether all rounds are played."""
        return self.t >= ROUNDS * QUARTERS_PER_ROUND

    def set_lever(self, name: str, value: float) -> None:
        """Move a lever (applies when the next round starts)."""
        self.values = {**self.values, name: float(value)}

    def _changes(self) -> tuple[tuple[str, float], ...]:
        applied = self._applied()
        return tuple((k, v) for k, v in self.values.items() if applied.get(k) != v)

    def play_round(self) -> bool:
        """Apply the levers and run one round (eight quarters); False with ``error`` set."""
        if self.finished:
            return False
        changes = self._changes()
        try:
            if self.model is None:
                self.model = build(self.seed, dict(changes))
            elif changes:
                if not can_change_mid_run():
                    self.error = ("This version of the model cannot change levers during a "
                                  "run: the levers stay as set before round 1.")
                    self.values.update(self._applied())
                    changes = ()
                else:
                    self.model.apply_policy(**dict(changes))  # type: ignore[attr-defined]
        except ValueError as exc:  # ParameterError: a lever outside its range
            self.error = str(exc)
            return False
        if changes:
            self.schedule.append((self.t, changes))
        for _ in range(QUARTERS_PER_ROUND):
            self.model.step()
        if self.finished:
            self.result = score(self.seed, tuple(self.schedule), self.model.results())
        return True

    def _applied(self) -> dict[str, float]:
        """Lever values in force: defaults, then every change in the schedule."""
        applied: dict[str, float] = {i.name: float(i.default) for i in levers()}
        for _t, ch in self.schedule:
            applied.update(dict(ch))
        return applied

    def frame(self) -> pd.DataFrame:
        """Results so far (empty before round 1)."""
        return pd.DataFrame() if self.model is None else self.model.results()
