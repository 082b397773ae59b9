"""The regulator's challenge: keep households' losses under a target with real policy levers.

The student gets a hidden revenue assumption and the levers a regulator has (capital
requirement and countercyclical buffer, limits on SPV leverage or consolidation of SPVs,
redemption gate rules, a lender-of-last-resort budget, buffer usability). Every lever is a
model parameter (group "policy" of ``PARAMETER_INFO``); levers set before the first round
are overrides of the model, later changes (in any round) go through
``AIEconomy.apply_policy`` (effective from the next quarter, logged as a "policy" event). A
value outside a lever's range is refused with the model's own message and the lever keeps
its value. At the end the hidden assumption and the challenge number are revealed, and
counterfactual runs show what each lever did.

Determinism: the hidden value is drawn with ``random.Random(challenge number)``; the model
runs with ``rng=challenge number``; so the same number replays the same challenge.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from model import PARAMETER_INFO, AIEconomy, ParameterError, ParamInfo, make_parameters
from ui import state

SCENARIO = "baseline"
# The hidden revenue lies between the lowest value the model allows and the bust scenario's:
# revenue disappoints, by how much is hidden. Calibrated with ui/challenge_calibration.py
# (docs/app.md): between the bust and the baseline, households lose nothing in three draws
# of four whatever the regulator does, so the game would be won by doing nothing.
HIGH_SCENARIO = "bust"
ROUNDS = 5
QUARTERS_PER_ROUND = 8
# Households' losses over the ten years, USD bn: over 200 draws doing nothing misses it in
# 66%, a regulator who gates fund redemptions from round 1 meets it in 80% (docs/app.md).
TARGET_BN = 2.0
# the order the levers are shown in (the levers themselves are the model's "policy" group)
LEVERS = ("bank_capital_requirement", "countercyclical_buffer", "spv_max_debt_share",
          "consolidate_spvs", "redemption_gate", "lolr_budget", "buffer_usability")
LOSSES = "losses_households"  # depositors, retail fund investors, pension funds, insurers
# Score: most points for keeping households' losses under the target, the rest for not
# choking the build-out (AI capex relative to doing nothing).
LOSS_POINTS, INVESTMENT_POINTS = 70, 30

Schedule = tuple[tuple[int, tuple[tuple[str, float], ...]], ...]


def levers() -> list[ParamInfo]:
    """The policy levers: the model's "policy" parameters (``AIEconomy.apply_policy``)."""
    found = [i for i in PARAMETER_INFO.values() if i.group == "policy"]
    return sorted(found, key=lambda i: LEVERS.index(i.name) if i.name in LEVERS
                  else len(LEVERS))


def check_lever(name: str, value: float) -> float:
    """A lever's value as the model will take it; ``ParameterError`` names field and range."""
    if name not in PARAMETER_INFO or PARAMETER_INFO[name].group != "policy":
        raise ParameterError(f"{name!r} is not a policy lever; policy levers: "
                             f"{', '.join(i.name for i in levers())}")
    return float(make_parameters({name: value}).as_dict()[name])


def revenue_band() -> tuple[str, float, float]:
    """The main revenue parameter and the band its hidden value is drawn from (lo, hi)."""
    info = state.main_revenue_parameter()
    hi = float(state.scenario_values(HIGH_SCENARIO).get(info.name, info.max))
    return info.name, float(info.min), hi


def hidden_revenue(seed: int) -> tuple[str, float]:
    """The hidden revenue assumption of a challenge: (parameter name, value).

    The main revenue parameter, drawn uniformly over :func:`revenue_band` with
    ``random.Random(seed)``.
    """
    name, lo, hi = revenue_band()
    value = random.Random(seed).uniform(lo, hi)
    return name, round(value, 0) if PARAMETER_INFO[name].unit.startswith("USD") else value


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
        if m.t in later:
            m.apply_policy(**later[m.t])
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
    col = LOSSES
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
    name, value = hidden_revenue(seed)
    return Score(seed, name, value, losses, TARGET_BN, losses <= TARGET_BN, losses0, capex,
                 capex0, points(losses, capex, capex0), tuple(effects))


def points(losses: float, capex: float, capex_no_action: float) -> int:
    """The score out of 100.

    ``LOSS_POINTS`` for households' losses under the target (in proportion when over it),
    ``INVESTMENT_POINTS`` for AI capex kept relative to doing nothing.
    """
    loss_part = 1.0 if losses <= TARGET_BN else TARGET_BN / max(losses, 1e-9)
    invest_part = min(1.0, capex / capex_no_action) if capex_no_action > 0 else 1.0
    return round(LOSS_POINTS * loss_part + INVESTMENT_POINTS * invest_part)


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

    def set_lever(self, name: str, value: float) -> bool:
        """Move a lever (applies when the next round starts).

        A value the model refuses (outside the lever's range) sets ``error`` and leaves the
        lever as it was; returns False then.
        """
        try:
            checked = check_lever(name, value)
        except ParameterError as exc:
            self.error = f"{exc}. The lever keeps its value."
            return False
        self.error = None
        self.values = {**self.values, name: checked}
        return True

    def _changes(self) -> tuple[tuple[str, float], ...]:
        applied = self._applied()
        return tuple((k, v) for k, v in self.values.items() if applied.get(k) != v)

    def play_round(self) -> bool:
        """Apply the levers and run one round (eight quarters); False with ``error`` set."""
        if self.finished:
            return False
        self.error = None
        changes = self._changes()
        try:
            if self.model is None:
                self.model = build(self.seed, dict(changes))
            elif changes:
                self.model.apply_policy(**dict(changes))
        except ParameterError as exc:  # a lever outside its range: nothing is played
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

    def moves(self) -> list[tuple[int, str, float, float]]:
        """Every lever change so far: (quarter it applies from, lever, old value, new value)."""
        now: dict[str, float] = {i.name: float(i.default) for i in levers()}
        out = []
        for t, changes in self.schedule:
            for name, value in changes:
                out.append((t, name, now[name], value))
                now[name] = value
        return out

    def frame(self) -> pd.DataFrame:
        """Results so far (empty before round 1)."""
        return pd.DataFrame() if self.model is None else self.model.results()
