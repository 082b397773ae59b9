"""Compare page: revenue assumptions side by side over many seeds.

The batch runs through ``experiments.run_batch`` on a process pool (``ui/compare_job.py``);
"crisis" is the project's one rule in ``experiments.crisis``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import solara

from ui import charts, state, theme
from ui import format as fmt
from ui.compare_job import CRISIS_DEFINITION, CompareJob, crisis_table, total_losses
from ui.components import html_table
from ui.live import FigureCard

# column -> (axis label, scale, button text, tooltip unit)
METRICS: dict[str, tuple[str, float, str, str]] = {
    "bubble_index": ("Bubble index", 1.0, "bubble index", "x fundamental value"),
    "ai_revenue": ("AI revenue, USD bn / yr", 4.0, "revenue", "USD bn/yr"),
    "ai_debt_total": ("AI debt, USD bn", 1.0, "AI debt", "USD bn"),
    "cumulative_losses": ("Cumulative losses, USD bn", 1.0, "losses", "USD bn"),
    "bank_capital_ratio_min": ("Weakest bank's capital ratio, %", 100.0, "bank capital", "%"),
    "compute_utilisation": ("Compute utilisation, %", 100.0, "utilisation", "%"),
}
BUTTON_TO_METRIC = {short: key for key, (_l, _s, short, _u) in METRICS.items()}
LIVE_SETTINGS = "my Live settings"


def fan_bands(results: pd.DataFrame, scenario: str, column: str) -> pd.DataFrame:
    """Per quarter: 10th, 50th and 90th percentile of ``column`` over the seeds."""
    d = results[results["scenario"] == scenario]
    values = total_losses(d) if column == "cumulative_losses" else d[column].astype(float)
    out = values.groupby([d["t"], d["quarter"]], sort=True).quantile([0.1, 0.5, 0.9]).unstack()
    out.columns = ["p10", "p50", "p90"]
    return out.reset_index()


def summary(results: pd.DataFrame, scenarios: list[str]) -> list[tuple[str, ...]]:
    """Rows for the page's table, one per scenario."""
    runs = crisis_table(results)
    rows = []
    for s in scenarios:
        r = runs[runs["scenario"] == s]
        if r.empty:
            continue
        rows.append((s, str(len(r)), fmt.pct(r["crisis"].mean(), digits=0),
                     fmt.number(r["peak_bubble_index"].median()),
                     fmt.money(r["final_losses"].median()),
                     fmt.money(r["final_losses"].quantile(0.9)),
                     fmt.number(r["cumulative_defaults"].median(), 1)))
    return rows


def common_range(bands: dict[str, pd.DataFrame], scale: float) -> tuple[float, float]:
    """One y range for all small multiples, from 0 when the data never go below it."""
    lo = min(float(b["p10"].min()) for b in bands.values()) * scale
    hi = max(float(b["p90"].max()) for b in bands.values()) * scale
    return charts.nice_range(min(lo, 0.0), hi)


@solara.component
def ComparePage(job: CompareJob, session: state.LiveSession | None = None):  # noqa: N802
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
            job.custom[LIVE_SETTINGS] = (session.source, session.applied_overrides())
        job.start()
        refresh()

    def set_and_refresh(attr: str) -> Callable[[object], None]:
        def f(v: object) -> None:
            setattr(job, attr, v)
            refresh()
        return f

    with solara.Column(gap="8px", style="max-width:1500px"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<b>Compare revenue assumptions.</b> Each scenario runs once per seed (different "
            "random revenue noise) on a pool of worker processes; charts show the median and "
            "the 10–90% band over seeds."))
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
        if res is None or res.empty:
            if not job.running:
                solara.Info("Pick scenarios and the number of seeds, then press Run.")
            return
        scen = job.ran_scenarios
        solara.ToggleButtonsSingle(value=METRICS[metric.value][2], values=list(BUTTON_TO_METRIC),
                                   on_value=lambda v: metric.set(BUTTON_TO_METRIC[v]),
                                   dense=True)
        label, scale, _short, unit = METRICS[metric.value]
        bands = {s: fan_bands(res, s, metric.value) for s in scen}
        y_range = common_range(bands, scale)
        with solara.Div(classes=["aidb-charts"]):
            for i, s in enumerate(scen):
                FigureCard(charts.fan(bands[s], s, label, theme.scenario_color(s, i), scale,
                                      y_range, unit), height=240)
        solara.HTML(tag="div", unsafe_innerHTML=(
            html_table(["Scenario", "Runs", "Crisis probability", "Peak bubble index",
                        "Final losses (median)", "Final losses (90th pct)",
                        "Defaults (median)"], summary(res, scen), test_id="compare-table",
                       caption="Per scenario (medians over seeds; losses in USD)")
            + "<div style='font-size:12px;color:#333'>Crisis, as every part of the project "
              f"defines it: {html.escape(CRISIS_DEFINITION)}.</div>"))
        with solara.Row(style="flex-wrap:wrap"):
            solara.FileDownload(job.csv, filename="compare_runs.csv",
                                label="Download all runs (CSV)")
            solara.FileDownload(job.parquet, filename="compare_runs.parquet",
                                label="Download all runs (Parquet)")
            solara.FileDownload(job.summary_csv, filename="compare_summary.csv",
                                label="Download per-run summary (CSV)")
