"""Per-browser-session state of the Live page: settings, the model, and snapshots.

One :class:`LiveSession` is created per browser session inside the ``Page`` component
(``solara.use_memo``), never at module level, so two tabs never share a model. The page
renders only from immutable :class:`Snapshot` objects that are swapped in after each step,
so a render never sees a model half-way through a quarter.

Rule shown to the user: picking a scenario (or uploading one) restarts the model at once;
sliders, shock toggles and the seed are *pending* until Reset rebuilds the model.
Everything is read through the model's public API (``model``'s ``__init__``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import shutil
import tempfile
import threading
import tomllib
import weakref
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from model import (
    PARAMETER_INFO,
    SCENARIOS,
    AIEconomy,
    ParameterError,
    Parameters,
    ParamInfo,
    load_scenario,
)

SLIDER_GROUPS = ("revenue", "financing", "technology", "shocks", "policy", "labour")
# The parameters shown first (others go under "More parameters"; the policy levers have
# their own group). A test checks that every name here is a model parameter.
MAIN_LEVERS = {
    "revenue": ("revenue_2030", "revenue_ceiling_multiple", "revenue_uncertainty",
                "compute_price_decline"),
    "financing": ("herding", "gpu_economic_life", "spv_appetite", "lp_redemption_sensitivity",
                  "base_rate"),
}
GROUP_TITLES = {
    "revenue": "Revenue assumptions",
    "financing": "Financing and technology",
    "shocks": "Shocks",
    "policy": "Policy (regulator's levers)",
    "more": "More parameters",
}
DEFAULT_HORIZON = 40
MAX_QUARTERS = 80
SHOCK_DEFAULT_QUARTER = 10  # 2027Q3

Value = float | int | bool


def main_revenue_parameter() -> ParamInfo:
    """The main revenue assumption: the first "revenue" parameter in USD bn (per year)."""
    for info in PARAMETER_INFO.values():
        if info.group == "revenue" and info.unit.startswith("USD bn"):
            return info
    return next(i for i in PARAMETER_INFO.values() if i.group == "revenue")


def is_integer(info: ParamInfo) -> bool:
    """Whether a parameter takes whole numbers (quarters, lives)."""
    return bool(info.integer)


def is_switch(info: ParamInfo) -> bool:
    """A shock timed by a quarter where -1 (below 0) means off: shown as a switch + slider."""
    return info.group == "shocks" and info.name.endswith("_quarter") and float(info.min) < 0


def is_editable(info: ParamInfo) -> bool:
    """Whether a parameter gets a control (numeric, in a user-facing group)."""
    return info.group in SLIDER_GROUPS and isinstance(info.default, bool | int | float)


def editable_parameters() -> dict[str, list[ParamInfo]]:
    """Editable parameters for the sidebar: main levers, shocks, policy, then the rest."""
    groups: dict[str, list[ParamInfo]] = {"revenue": [], "financing": [], "shocks": [],
                                          "policy": [], "more": []}
    used: set[str] = set()
    for g, names in MAIN_LEVERS.items():
        for n in names:
            if n in PARAMETER_INFO and is_editable(PARAMETER_INFO[n]):
                groups[g].append(PARAMETER_INFO[n])
                used.add(n)
    for info in PARAMETER_INFO.values():
        if info.name in used or not is_editable(info):
            continue
        key = info.group if info.group in ("shocks", "policy") else "more"
        groups[key].append(info)
    return {g: items for g, items in groups.items() if items}


def parameter_values(params: Parameters, editable_only: bool = True) -> dict[str, Value]:
    """Values of the (editable) parameters in a parameter set."""
    values = dataclasses.asdict(params)
    return {name: values[name] for name, info in PARAMETER_INFO.items()
            if is_editable(info) or not editable_only}


@functools.lru_cache(maxsize=64)
def _scenario_values(scenario: str, stamp: float) -> tuple[tuple[str, Value], ...]:
    return tuple(parameter_values(load_scenario(scenario).params).items())


def scenario_values(scenario: str) -> dict[str, Value]:
    """Values of every editable parameter in a scenario (name or TOML path)."""
    stamp = os.path.getmtime(scenario) if os.path.isfile(scenario) else 0.0
    return dict(_scenario_values(scenario, stamp))


@functools.lru_cache(maxsize=64)
def scenario_description(scenario: str) -> str:
    """The description a scenario file gives itself ("" if none)."""
    try:
        return load_scenario(scenario).description
    except (ValueError, OSError):
        return ""


def scenario_names() -> list[str]:
    """The packaged scenarios, boom first (the order of the story)."""
    order = {"boom": 0, "baseline": 1, "bust": 2}
    return sorted(SCENARIOS, key=lambda n: order.get(n, 9))


# ------------------------------------------------------------------------------ uploads
_KNOWN_LIST = re.compile(r"\s*\(known parameters: [^)]*\)")


def check_scenario_text(filename: str, text: str) -> str | None:
    """A file that sets nothing is refused with an example (the model would run defaults)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None  # the model's loader says what is wrong, with line and column
    if not data.get("parameters"):
        info = main_revenue_parameter()
        return (f"{filename} sets no parameters: add a [parameters] table, e.g. "
                f"{info.name} = {info.default:g}.")
    return None


def clean_message(text: str, path: str, filename: str) -> str:
    """A model message about an upload, without the server's temp path or the full name list.

    The page says "Could not use NAME: ..." already; the model's "did you mean" stays.
    """
    text = text.replace(path + ": ", "").replace(path, filename)
    return _KNOWN_LIST.sub("", text.replace(os.path.dirname(path) + os.sep, ""))


# ---------------------------------------------------------------------------- snapshot
class Event(Protocol):
    """What the page reads of a model event (``AIEconomy.events``)."""

    quarter: str
    t: int
    kind: str
    text: str


@dataclass(frozen=True)
class AgentView:
    """What the page shows of one agent after a quarter."""

    name: str
    role: str
    status: str
    total_assets: float
    leverage: float


ExposureRow = tuple[str, str, str, float]  # debtor, creditor, kind, amount (USD bn)


@dataclass(frozen=True)
class CoreView:
    """The model's circular core after a quarter (``AIEconomy.circularity``).

    ``firms``: the names of the firms in the loop (sorted; empty without a loop);
    ``revenue_share``: the share of their revenue paid by other firms of the loop;
    ``outside_money``: revenue and new financing from outside the loop, USD bn a quarter.
    """

    firms: tuple[str, ...] = ()
    revenue_share: float = 0.0
    outside_money: float = 0.0


@dataclass(frozen=True)
class Snapshot:
    """What the page shows after a quarter: read-only copies of model output."""

    t: int
    quarter: str
    frame: pd.DataFrame
    events: tuple[Event, ...]
    exposures: pd.DataFrame
    agents: tuple[AgentView, ...]
    sheets: dict[str, list[tuple[str, dict[str, dict[str, float]]]]]
    requirement: float
    params: dict[str, Value]
    scenario_label: str
    horizon: int
    build: int
    core: CoreView = CoreView()

    @functools.cached_property
    def exposure_rows(self) -> tuple[ExposureRow, ...]:
        """``exposures`` as plain tuples (cheaper to filter than the frame, every step)."""
        ex = self.exposures
        return tuple((str(d), str(c), str(k), float(a)) for d, c, k, a in zip(
            ex["debtor"].tolist(), ex["creditor"].tolist(), ex["kind"].tolist(),
            ex["amount"].tolist(), strict=True))


@dataclass
class LiveSession:
    """Settings and model of one browser session (see module docstring)."""

    scenario: str = "baseline"
    seed: int = 0
    horizon: int = DEFAULT_HORIZON
    values: dict[str, Value] = field(default_factory=dict)
    applied: dict[str, Value] = field(default_factory=dict)
    applied_seed: int = 0
    scenario_path: str | None = None
    scenario_label: str = "baseline"
    error: str | None = None
    notice: str | None = None
    highlight: str | None = None
    highlight_note: str | None = None
    stop_at: int | None = None  # Play stops here (a Learn chapter), else at the horizon
    chapter: int = 0  # the Learn chapter the reader is on
    chapter_active: bool = False  # a chapter's Show me set up the Live page
    model: AIEconomy | None = None
    snapshot: Snapshot | None = None
    builds: int = 0
    failed: bool = False

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self._remove_upload: weakref.finalize | None = None  # the current upload's folder
        self._sheets: dict[str, list[tuple[str, dict[str, dict[str, float]]]]] = {}
        if not self.values:
            self.values = scenario_values(self.scenario)
        self.reset()

    # ------------------------------------------------------------------ settings
    @property
    def source(self) -> str:
        """What ``AIEconomy`` is built from: a scenario name or an uploaded TOML path."""
        return self.scenario_path or self.scenario

    def pending(self) -> list[str]:
        """Labels of settings changed since the last Reset."""
        out = [PARAMETER_INFO[k].label for k, v in self.values.items()
               if k in PARAMETER_INFO and self.applied.get(k) != v]
        if self.seed != self.applied_seed:
            out.append("seed")
        return out

    def set_value(self, name: str, value: Value) -> None:
        """Change a slider / toggle; it applies on the next Reset."""
        self.values = {**self.values, name: value}

    def set_seed(self, seed: object) -> None:
        """Change the seed (applies on Reset); a bad value sets ``error``."""
        if isinstance(seed, bool) or not isinstance(seed, int | str | float):
            self.error = f"Seed must be a whole number of 0 or more, got {seed!r}."
            return
        try:
            s = int(str(seed).strip())
        except ValueError:
            self.error = f"Seed must be a whole number of 0 or more, got {seed!r}."
            return
        if s < 0:
            self.error = f"Seed must be 0 or more, got {s}."
            return
        self.error = None
        self.seed = s

    def set_horizon(self, quarters: int) -> None:
        """Quarters that Play runs to (and the width of the time axis)."""
        self.horizon = max(4, min(MAX_QUARTERS, int(quarters)))
        if self.snapshot is not None:
            self.snapshot = dataclasses.replace(self.snapshot, horizon=self.horizon)

    def overrides(self) -> dict[str, Value]:
        """Slider values that differ from the scenario's own values."""
        base = scenario_values(self.source)
        return {k: v for k, v in self.values.items() if base.get(k) != v}

    def applied_overrides(self) -> dict[str, Value]:
        """The overrides of the model now running (the values at its last Reset)."""
        base = scenario_values(self.source)
        return {k: v for k, v in self.applied.items() if base.get(k) != v}

    def choose_scenario(self, name: str) -> bool:
        """Switch to a packaged scenario: sliders take its values, the model restarts."""
        try:
            values = scenario_values(name)
        except (ValueError, OSError) as exc:
            self.error = str(exc)
            return False
        self.scenario, self.scenario_path, self.scenario_label = name, None, name
        self.values = values
        return self.reset()

    def reject_upload(self, message: str) -> None:
        """An upload refused before reading (too big, or the transfer failed)."""
        self.error = message

    def load_upload(self, filename: str, data: bytes) -> bool:
        """Validate an uploaded scenario TOML; on success switch to it and restart."""
        name = os.path.basename(filename) or "scenario.toml"
        if not name.lower().endswith(".toml"):
            self.error = f"{name}: please upload a scenario .toml file."
            return False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.error = f"{name} is not a UTF-8 text file."
            return False
        problem = check_scenario_text(name, text)
        if problem:
            self.error = problem
            return False
        # one folder per upload (the model reads the file by path); it goes when the next
        # upload replaces it, or at the latest when the session goes or the server stops
        folder = tempfile.mkdtemp(prefix="aidb-upload-")
        remove = weakref.finalize(self, shutil.rmtree, folder, True)
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            values = scenario_values(path)
            AIEconomy(path, rng=self.seed)  # builds: catches errors beyond parameters
        except Exception as exc:  # a user file: any failure is reported, never raised
            self.error = f"Could not use {name}: {clean_message(str(exc), path, name)}"
            remove()
            return False
        self.scenario_path, self.scenario_label = path, f"{name} (uploaded)"
        self.values = values
        ok = self.reset()
        previous, self._remove_upload = self._remove_upload, remove
        if previous is not None:
            previous()
        return ok

    # --------------------------------------------------------------------- model
    def reset(self) -> bool:
        """Rebuild the model from the current settings (quarter 0)."""
        try:
            m = AIEconomy(self.source, rng=self.seed, **self.overrides())
        except ParameterError as exc:
            self.error = str(exc)
            return False
        with self.lock:
            self.model = m
            self.notice = None
            self.failed = False
            self.applied = dict(self.values)
            self.applied_seed = self.seed
            self.error = None
            self.builds += 1
            self._sheets = {}
            self._record_sheets()
            self.snapshot = self._snap()
        return True

    def step(self, n: int = 1, build: int | None = None) -> bool:
        """Advance ``n`` quarters (up to MAX_QUARTERS) and publish a new snapshot.

        ``build`` (Play passes the build it started on) makes a step that races with a
        Reset do nothing instead of stepping the fresh model. An exception inside the model
        stops it with a message in ``error``; returns False then.
        """
        with self.lock:
            if build is not None and build != self.builds:
                return False
            m = self.model
            if m is None or self.failed:
                return False
            try:
                for _ in range(n):
                    if m.t >= MAX_QUARTERS:
                        self.notice = (f"The model stops at {MAX_QUARTERS} quarters: "
                                       "press Reset.")
                        break
                    m.step()
                    self._record_sheets()
            except Exception as exc:  # shown in the page, never a traceback
                self.failed = True
                self.error = (f"The model stopped in quarter {m.t + 1}: "
                              f"{type(exc).__name__}: {exc}. Press Reset to start again.")
            self.snapshot = self._snap()
            return not self.failed

    def run_to(self, quarter: int) -> None:
        """Step until ``quarter`` quarters are done (no intermediate snapshots)."""
        if self.model is not None and quarter > self.model.t:
            self.step(quarter - self.model.t)

    @property
    def target(self) -> int:
        """The quarter Play runs to: a chapter's quarter while one plays, else the horizon."""
        return self.stop_at if self.stop_at is not None else self.horizon

    @property
    def done(self) -> bool:
        """Whether Play has reached its target (or the model stopped on an error)."""
        return self.model is None or self.failed or self.model.t >= self.target

    def _record_sheets(self) -> None:
        m = self.model
        if m is None:
            return
        label = m.quarter_label or "start"
        for a in m.finance_agents:
            self._sheets.setdefault(a.name, []).append((label, a.balance_sheet()))

    def _snap(self) -> Snapshot:
        m = self.model
        assert m is not None
        agents = tuple(AgentView(a.name, a.role, a.status, float(a.total_assets),
                                 float(a.leverage)) for a in m.finance_agents)
        return Snapshot(
            t=m.t,
            quarter=m.quarter_label,
            frame=m.results(),
            events=tuple(m.events),
            exposures=m.exposures(),
            agents=agents,
            sheets={k: list(v) for k, v in self._sheets.items()},
            requirement=float(m.params.bank_capital_requirement),
            params=parameter_values(m.params, editable_only=False),
            scenario_label=self.scenario_label,
            horizon=self.horizon,
            build=self.builds,
            core=CoreView(tuple(m.circularity.core), float(m.circularity.revenue_share),
                          float(m.circularity.outside_money)),
        )

    def show_me(self, scenario: str, quarter: int, chart: str | None,
                overrides: dict[str, Value] | None = None) -> bool:
        """Set up a Learn chapter: scenario (+ overrides) at its start, Play to ``quarter``.

        The caller starts Play; the reader watches the model reach the chapter's quarter.
        """
        try:
            values = scenario_values(scenario)
        except ValueError as exc:
            self.error = str(exc)
            return False
        self.scenario, self.scenario_path, self.scenario_label = scenario, None, scenario
        self.values = {**values, **(overrides or {})}
        if not self.reset():
            return False
        self.horizon = max(self.horizon, quarter)
        self.stop_at = quarter
        self.highlight = chart
        return True
