"""Compare page: scenarios side by side over many seeds, run in a background thread.

The batch is a plain loop over ``AIEconomy(scenario, rng=seed).run(quarters)`` in one
thread of the server process (cancellable between runs), so the page keeps answering while
it runs. Crisis probability uses the project's single definition in
``experiments.crisis`` when that module is importable.
"""

from __future__ import annotations

import contextlib
import html
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import solara

import model as core
from ui import charts, state, theme
from ui import format as fmt
from ui.components import Chart, html_table

METRICS: dict[str, tuple[str, float, str]] = {
    "bubble_index": ("Bubble index", 1.0, "bubble index"),
    "ai_revenue": ("AI revenue, USD bn / yr", 4.0, "revenue"),
    "ai_debt_total": ("AI debt, USD bn", 1.0, "AI debt"),
    "cumulative_losses": ("Cumulative losses, USD bn", 1.0, "losses"),
    "bank_capital_ratio": ("Bank capital ratio, %", 100.0, "bank capital"),
    "compute_utilisation": ("Compute utilisation, %", 100.0, "utilisation"),
}
BUTTON_TO_METRIC = {short: key for key, (_l, _s, short) in METRICS.items()}


def total_losses(frame: pd.DataFrame) -> pd.Series:
    """Cumulative losses per row: the total column, else the sum over bearer columns."""
    if "cumulative_losses" in frame.columns and pd.api.types.is_numeric_dtype(
            frame["cumulative_losses"]):
        return frame["cumulative_losses"].astype(float)
    cols = charts.loss_columns(frame)
    if cols:
        return frame[cols].astype(float).sum(axis=1)
    return pd.Series(0.0, index=frame.index)


def fan_bands(results: pd.DataFrame, scenario: str, column: str) -> pd.DataFrame:
    """Per quarter: 10th, 50th and 90th percentile of ``column`` over the seeds."""
    d = results[results["scenario"] == scenario]
    values = total_losses(d) if column == "cumulative_losses" else d[column].astype(float)
    g = values.groupby([d["t"], d["quarter"]], sort=True)
    out = g.quantile([0.1, 0.5, 0.9]).unstack()
    out.columns = ["p10", "p50", "p90"]
    return out.reset_index()


def crisis_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per run: crisis flag, peak bubble index, final losses, defaults."""
    try:
        from experiments.crisis import crisis_by_run

        runs = crisis_by_run(results.drop(columns=["t"]), by=["scenario", "seed"])
    except ImportError:  # fall back to the same rule, stated on the page
        g = results.groupby(["scenario", "seed"], sort=False)
        runs = g.agg(cumulative_defaults=("defaults", "sum"),
                     min_bank_capital_ratio=("bank_capital_ratio", "min"),
                     peak_bubble_index=("bubble_index", "max")).reset_index()
        runs["crisis"] = (runs["cumulative_defaults"] >= 1) | (runs["min_bank_capital_ratio"]
                                                                < 0.08)
    last = results.sort_values("t").groupby(["scenario", "seed"], sort=False).tail(1)
    losses = pd.Series(total_losses(last).to_numpy(), index=pd.MultiIndex.from_frame(
        last[["scenario", "seed"]]))
    runs["final_losses"] = [losses.get((s, d), np.nan) for s, d in zip(runs["scenario"],
                                                                        runs["seed"],
                                                                        strict=True)]
    return runs


def summary(results: pd.DataFrame, scenarios: list[str]) -> list[tuple]:
    """Rows for the page's table, one per scenario."""
    runs = crisis_table(results)
    rows = []
    for s in scenarios:
        r = runs[runs["scenario"] == s]
        if r.empty:
            continue
        rows.append((
            s,
            len(r),
            fmt.pct(r["crisis"].mean(), digits=0),
            fmt.number(r["peak_bubble_index"].median()),
            fmt.money(r["final_losses"].median()),
            fmt.money(r["final_losses"].quantile(0.9)),
            fmt.number(r["cumulative_defaults"].median(), 1),
        ))
    return rows


@dataclass
class CompareJob:
    """A background batch of runs for the Compare page (one per browser session)."""

    scenarios: list[str] = field(default_factory=lambda: ["boom", "baseline", "bust"])
    seeds: int = 10
    quarters: int = 40
    running: bool = False
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    message: str | None = None
    error: str | None = None
    results: pd.DataFrame | None = None
    ran_scenarios: list[str] = field(default_factory=list)
    listener: Callable[[], None] | None = None
    custom: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        """Tell the page (if it is showing) that something changed."""
        fn = self.listener
        if fn is not None:
            with contextlib.suppress(Exception):  # the Compare tab may be closed
                fn()

    def start(self, run_fn: Callable[[str, int, int], pd.DataFrame] | None = None,
              background: bool = True) -> bool:
        """Start the batch (returns False with ``error`` set if the settings are bad)."""
        if self.running:
            return False
        if not self.scenarios:
            self.error = "Pick at least one scenario."
            return False
        if not 1 <= self.seeds <= 1000 or not 1 <= self.quarters <= state.MAX_QUARTERS:
            self.error = "Seeds must be 1-1000 and quarters 1-80."
            return False
        self.error, self.message = None, None
        self._cancel = threading.Event()
        self.running, self.done, self.total = True, 0, len(self.scenarios) * self.seeds
        self.seconds = 0.0
        plan = [(s, seed) for s in self.scenarios for seed in range(self.seeds)]
        custom = dict(self.custom)

        def run_default(scenario: str, seed: int, quarters: int) -> pd.DataFrame:
            source, overrides = custom.get(scenario, (scenario, {}))
            return core.AIEconomy(source, rng=seed, **overrides).run(quarters)

        fn = run_fn or run_default
        if background:
            self._thread = threading.Thread(target=self._work, args=(plan, fn, list(
                self.scenarios), self.quarters, self._cancel), daemon=True, name="aidb-compare")
            self._thread.start()
        else:
            self._work(plan, fn, list(self.scenarios), self.quarters, self._cancel)
        return True

    def cancel(self) -> None:
        """Stop after the run in progress; the runs done so far are kept."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background thread ends (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self, plan: list[tuple[str, int]], fn: Callable, scenarios: list[str],
              quarters: int, cancel: threading.Event) -> None:
        frames = []
        t0 = last = time.perf_counter()
        try:
            for scenario, seed in plan:
                if cancel.is_set():
                    break
                df = fn(scenario, seed, quarters).reset_index(drop=True)
                df.insert(0, "t", range(len(df)))
                df.insert(0, "seed", seed)
                df.insert(0, "scenario", scenario)
                frames.append(df)
                self.done += 1
                now = time.perf_counter()
                self.seconds = now - t0
                if now - last > 0.25:
                    last = now
                    self.notify()
            if frames:
                res = pd.concat(frames, ignore_index=True)
                # "quarter" right after the run identifiers, as experiments.crisis expects
                cols = ["scenario", "seed", "quarter", "t"] + [
                    c for c in res.columns if c not in ("scenario", "seed", "quarter", "t")]
                self.results = res[cols]
                self.ran_scenarios = [s for s in scenarios if s in set(res["scenario"])]
            if cancel.is_set():
                self.message = f"Cancelled after {self.done} of {self.total} runs."
            else:
                self.message = f"{self.done} runs in {self.seconds:.1f} s."
        except Exception as exc:  # shown on the page, never a traceback
            self.error = f"The batch stopped: {exc}"
        finally:
            self.running = False
            self.seconds = time.perf_counter() - t0
            self.notify()

    def csv(self) -> bytes:
        """All runs, one row per run and quarter."""
        if self.results is None:
            return b""
        return self.results.to_csv(index=False).encode("utf-8")

    def parquet(self) -> bytes:
        """All runs as Parquet (smaller, typed; read with pandas.read_parquet)."""
        if self.results is None:
            return b""
        buf = io.BytesIO()
        self.results.to_parquet(buf, index=False)
        return buf.getvalue()

    def summary_csv(self) -> bytes:
        """One row per run: crisis, peak bubble index, final losses."""
        if self.results is None:
            return b""
        return crisis_table(self.results).to_csv(index=False).encode("utf-8")


LIVE_SETTINGS = "my Live settings"


@solara.component
def ComparePage(job: CompareJob, session: Any = None):  # noqa: N802
    """Pick scenarios and seeds, run in the background, see fan charts and a table.

    ``session`` (the Live page's LiveSession) adds the choice "my Live settings": its
    scenario or uploaded file with the slider values applied at its last Reset.
    """
    tick = solara.use_reactive(0)
    metric = solara.use_reactive("bubble_index")

    def refresh() -> None:
        tick.set(tick.value + 1)

    job.listener = refresh
    _ = tick.value  # reading the value subscribes this component to refresh()

    def cleanup():
        def detach():
            if job.listener is refresh:
                job.listener = None
        return detach

    solara.use_effect(cleanup, [])

    def run() -> None:
        job.custom = {}
        if session is not None and session.model is not None:
            base = state.scenario_values(session.source)
            applied = {k: v for k, v in session.applied.items() if base.get(k) != v}
            job.custom[LIVE_SETTINGS] = (session.source, applied)
        job.start()
        refresh()

    def set_and_refresh(attr: str) -> Callable[[Any], None]:
        def f(v: Any) -> None:
            setattr(job, attr, v)
            refresh()
        return f

    with solara.Column(gap="8px", style="max-width:1500px"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<b>Compare revenue assumptions.</b> Each scenario runs once per seed (different "
            "random revenue noise); charts show the median and the 10–90% band over seeds."))
        with solara.Row(style="align-items:center;flex-wrap:wrap", gap="16px"):
            choices = state.scenario_names() + ([LIVE_SETTINGS] if session is not None else [])
            solara.ToggleButtonsMultiple(value=[s for s in job.scenarios if s in choices],
                                         values=choices, on_value=set_and_refresh("scenarios"))
            with solara.Column(gap="0px", style="min-width:220px"):
                solara.SliderInt(f"Seeds per scenario: {job.seeds}", value=job.seeds, min=5,
                                 max=100, on_value=set_and_refresh("seeds"),
                                 disabled=job.running)
                solara.SliderInt(f"Quarters: {job.quarters}", value=job.quarters, min=8,
                                 max=state.MAX_QUARTERS, on_value=set_and_refresh("quarters"),
                                 disabled=job.running)
            solara.Button("Run", on_click=run, disabled=job.running, color="primary",
                          icon_name="mdi-play")
            solara.Button("Cancel", on_click=job.cancel, disabled=not job.running,
                          icon_name="mdi-stop")
        if job.running or job.total:
            share = 100.0 * job.done / job.total if job.total else 0.0
            solara.ProgressLinear(share if job.running else False)
            rate = job.done / job.seconds if job.seconds > 0 else 0.0
            left = (job.total - job.done) / rate if rate > 0 else None
            text = (f"Running: {job.done} of {job.total} runs"
                    + (f", about {left:.0f} s left" if left is not None else "")
                    if job.running else (job.message or ""))
            solara.HTML(tag="div", unsafe_innerHTML=f"<span data-testid='compare-status'>"
                        f"{html.escape(text)}</span>")
        if job.error:
            solara.Error(job.error)
        res = job.results
        if res is None or res.empty or (job.running and job.results is None):
            if not job.running:
                solara.Info("Pick scenarios and the number of seeds, then press Run.")
            return
        scen = job.ran_scenarios
        solara.ToggleButtonsSingle(value=METRICS[metric.value][2], values=list(BUTTON_TO_METRIC),
                                   on_value=lambda v: metric.set(BUTTON_TO_METRIC[v]), dense=True)
        label, scale, _short = METRICS[metric.value]
        bands = {s: fan_bands(res, s, metric.value) for s in scen}
        lo = min(float(b["p10"].min()) for b in bands.values()) * scale
        hi = max(float(b["p90"].max()) for b in bands.values()) * scale
        pad = (hi - lo) * 0.05 or 1.0
        y_range = (min(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad)
        with solara.Columns([1] * len(scen), gutters_dense=True):
            for i, s in enumerate(scen):
                Chart(f"fan-{s.replace(' ', '-')}", charts.fan(bands[s], s, metric.value, label,
                                             theme.scenario_color(s, i), scale, y_range),
                      height=260)
        rows = summary(res, scen)
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<b>Per scenario</b> (medians over seeds)" + html_table(
                ["Scenario", "Runs", "Crisis probability", "Peak bubble index",
                 "Final losses (median)", "Final losses (90th pct)", "Defaults (median)"],
                rows, test_id="compare-table")
            + "<div style='font-size:12px;color:#555'>Crisis: in some quarter a default, or "
              "the weakest bank's capital ratio below 8%, or a private-credit fund gating "
              "redemptions; the bubble index deflating alone is not a crisis "
              "(experiments/crisis.py).</div>"))
        with solara.Row():
            solara.FileDownload(job.csv, filename="compare_runs.csv",
                                label="Download all runs (CSV)")
            solara.FileDownload(job.parquet, filename="compare_runs.parquet",
                                label="Download all runs (Parquet)")
            solara.FileDownload(job.summary_csv, filename="compare_summary.csv",
                                label="Download per-run summary (CSV)")
