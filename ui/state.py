"""Per-browser-session state of the Live page: settings, the model, and snapshots.

One :class:`LiveSession` is created per browser session inside the ``Page`` component
(``solara.use_memo``), never at module level, so two tabs never share a model. The page
renders only from immutable :class:`Snapshot` objects that are swapped in after each step,
so a render never sees a model half-way through a quarter.

Rule shown to the user: picking a scenario (or uploading one) restarts the model at once;
sliders, shock toggles and the seed are *pending* until Reset rebuilds the model.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import model as core

SLIDER_GROUPS = ("revenue", "financing", "technology", "shocks")
MAIN_LEVERS = {
    "revenue": ("revenue_ceiling", "revenue_growth", "compute_price_decline"),
    "financing": ("herding", "gpu_economic_life", "spv_appetite", "lp_redemption_sensitivity",
                  "bank_capital_requirement", "base_rate"),
}
GROUP_TITLES = {
    "revenue": "Revenue assumptions",
    "financing": "Financing and technology",
    "shocks": "Shocks",
    "more": "More parameters",
}
DEFAULT_HORIZON = 40
MAX_QUARTERS = 80
SHOCK_DEFAULT_QUARTER = 10  # 2027Q3
MAX_UPLOAD_BYTES = 100_000


def parameter_info() -> dict[str, Any]:
    """``PARAMETER_INFO`` of the model (name -> ParamInfo)."""
    return dict(core.PARAMETER_INFO)


def is_integer(info: Any) -> bool:
    """Whether a parameter takes whole numbers (quarters, lives)."""
    return bool(getattr(info, "integer", False)) or (
        isinstance(info.default, int) and not isinstance(info.default, bool))


def is_switch(info: Any) -> bool:
    """A shock timed by a quarter where -1 (below 0) means off: shown as a switch + slider."""
    return info.group == "shocks" and info.name.endswith("_quarter") and float(info.min) < 0


def is_editable(info: Any) -> bool:
    """Whether a parameter gets a control (numeric or bool, in a user-facing group)."""
    if info.group not in SLIDER_GROUPS:
        return False
    return isinstance(info.default, bool | int | float)


def editable_parameters() -> dict[str, list[Any]]:
    """Editable parameters for the sidebar: main levers, shocks, then the rest."""
    infos = parameter_info()
    groups: dict[str, list[Any]] = {"revenue": [], "financing": [], "shocks": [], "more": []}
    used: set[str] = set()
    for g, names in MAIN_LEVERS.items():
        for n in names:
            if n in infos and is_editable(infos[n]):
                groups[g].append(infos[n])
                used.add(n)
    for info in infos.values():
        if info.name in used or not is_editable(info):
            continue
        groups["shocks" if info.group == "shocks" else "more"].append(info)
    return {g: items for g, items in groups.items() if items}


def scenario_values(scenario: str) -> dict[str, Any]:
    """Values of every editable parameter in a scenario (name or TOML path)."""
    loaded = core.load_scenario(scenario)
    params = getattr(loaded, "params", loaded)
    out = {}
    for name, info in parameter_info().items():
        if is_editable(info) and hasattr(params, name):
            out[name] = getattr(params, name)
    return out


@functools.lru_cache(maxsize=64)
def scenario_description(scenario: str) -> str:
    """The description a scenario file gives itself ("" if none)."""
    try:
        return str(getattr(core.load_scenario(scenario), "description", "") or "")
    except (ValueError, OSError):
        return ""


def scenario_names() -> list[str]:
    """The packaged scenarios, boom first (the order of the story)."""
    names = list(core.SCENARIOS)
    order = {"boom": 0, "baseline": 1, "bust": 2}
    return sorted(names, key=lambda n: order.get(n, 9))


@dataclass(frozen=True)
class Snapshot:
    """What the page shows after a quarter: read-only copies of model output."""

    t: int
    quarter: str
    frame: pd.DataFrame
    events: tuple[Any, ...]
    exposures: pd.DataFrame
    agents: tuple[dict, ...]
    sheets: dict[str, list[tuple[str, dict]]]
    requirement: float | None
    scenario_label: str
    horizon: int
    build: int


@dataclass
class LiveSession:
    """Settings and model of one browser session (see module docstring)."""

    scenario: str = "baseline"
    seed: int = 0
    horizon: int = DEFAULT_HORIZON
    values: dict[str, Any] = field(default_factory=dict)
    applied: dict[str, Any] = field(default_factory=dict)
    applied_seed: int = 0
    scenario_path: str | None = None
    scenario_label: str = "baseline"
    error: str | None = None
    notice: str | None = None
    highlight: str | None = None
    highlight_note: str | None = None
    model: Any = None
    snapshot: Snapshot | None = None
    builds: int = 0
    failed: bool = False

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self._sheets: dict[str, list[tuple[str, dict]]] = {}
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
        infos = parameter_info()
        out = [infos[k].label for k, v in self.values.items()
               if k in infos and self.applied.get(k) != v]
        if self.seed != self.applied_seed:
            out.append("seed")
        return out

    def set_value(self, name: str, value: Any) -> None:
        """Change a slider / toggle; it applies on the next Reset."""
        self.values = {**self.values, name: value}

    def set_seed(self, seed: Any) -> None:
        """Change the seed (applies on Reset); a bad value sets ``error``."""
        try:
            s = int(seed)
        except (TypeError, ValueError):
            self.error = f"Seed must be a whole number, got {seed!r}."
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

    def overrides(self) -> dict[str, Any]:
        """Slider values that differ from the scenario's own values."""
        base = scenario_values(self.source)
        return {k: v for k, v in self.values.items() if base.get(k) != v}

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

    def load_upload(self, filename: str, data: bytes) -> bool:
        """Validate an uploaded scenario TOML; on success switch to it and restart."""
        if not filename.lower().endswith(".toml"):
            self.error = f"{filename}: please upload a scenario .toml file."
            return False
        if len(data) > MAX_UPLOAD_BYTES:
            self.error = (f"{filename} is {len(data) / 1e6:.1f} MB; a scenario file is a few "
                          f"lines (limit {MAX_UPLOAD_BYTES // 1000} kB).")
            return False
        # one folder per upload (the model reads the file by path); the previous one goes
        folder = tempfile.mkdtemp(prefix="aidb-upload-")
        path = os.path.join(folder, os.path.basename(filename) or "scenario.toml")
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            values = scenario_values(path)
            core.AIEconomy(path, rng=self.seed)  # builds: catches errors beyond parameters
        except Exception as exc:  # a user file: any failure is reported, never raised
            self.error = f"Could not use {filename}: {exc}"
            shutil.rmtree(folder, ignore_errors=True)
            return False
        old = self.scenario_path
        self.scenario_path, self.scenario_label = path, f"{filename} (uploaded)"
        self.values = values
        ok = self.reset()
        if old and old != self.scenario_path:
            shutil.rmtree(os.path.dirname(old), ignore_errors=True)
        return ok

    # --------------------------------------------------------------------- model
    def reset(self) -> bool:
        """Rebuild the model from the current settings (quarter 0)."""
        try:
            m = core.AIEconomy(self.source, rng=self.seed, **self.overrides())
        except ValueError as exc:  # ParameterError is a ValueError
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
            if self.failed:
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
        n = max(0, quarter - self.model.t)
        if n:
            self.step(n)

    @property
    def done(self) -> bool:
        """Whether Play has reached the horizon (or the model stopped on an error)."""
        return self.model is None or self.failed or self.model.t >= self.horizon

    def _record_sheets(self) -> None:
        m = self.model
        label = m.quarter_label or "start"
        for a in m.finance_agents:
            try:
                sheet = a.balance_sheet()
            except Exception:  # an agent without a sheet should not break the page
                continue
            self._sheets.setdefault(a.name, []).append((label, sheet))

    def _snap(self) -> Snapshot:
        m = self.model
        frame = m.results()
        try:
            exposures = m.exposures()
        except Exception:
            exposures = pd.DataFrame(columns=["debtor", "creditor", "kind", "amount"])
        agents = tuple(
            {
                "name": a.name,
                "role": getattr(a, "role", "outside"),
                "status": getattr(a, "status", "active"),
                "total_assets": _safe_float(getattr(a, "total_assets", None)),
                "cash": _safe_float(getattr(a, "cash", None)),
                "debt": _safe_float(getattr(a, "debt", None)),
                "equity": _safe_float(getattr(a, "equity", None)),
                "leverage": _safe_float(getattr(a, "leverage", None)),
            }
            for a in m.finance_agents
        )
        return Snapshot(
            t=m.t,
            quarter=m.quarter_label,
            frame=frame,
            events=tuple(getattr(m, "events", ())),
            exposures=exposures,
            agents=agents,
            sheets={k: list(v) for k, v in self._sheets.items()},
            requirement=capital_requirement(m.params),
            scenario_label=self.scenario_label,
            horizon=self.horizon,
            build=self.builds,
        )

    def show_me(self, scenario: str, quarter: int, chart: str | None,
                overrides: dict[str, Any] | None = None) -> bool:
        """Set up a Learn chapter: scenario (+ overrides), play to ``quarter``, highlight."""
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
        self.run_to(quarter)
        self.highlight = chart
        return True


def capital_requirement(params: Any) -> float | None:
    """The banks' minimum capital ratio from the parameters, whatever its exact name."""
    for name in ("bank_capital_requirement", "bank_capital_min", "min_capital_ratio",
                 "capital_requirement"):
        v = getattr(params, name, None)
        if isinstance(v, int | float):
            return float(v)
    for f in dataclasses.fields(params) if dataclasses.is_dataclass(params) else ():
        if "capital" in f.name and isinstance(getattr(params, f.name), float):
            return float(getattr(params, f.name))
    return None


def _safe_float(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None
