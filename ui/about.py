"""About page: what the model assumes, its equations in brief, calibration, limits."""

from __future__ import annotations

import html
import importlib
from typing import Any

import pandas as pd
import solara
import solara.lab

from ui import format as fmt
from ui import state
from ui.components import Md, html_table

ASSUMPTIONS = r"""
### What the model is
An agent-based, stock-flow-consistent simulation of the AI-infrastructure build-out and the
debt that pays for it. Hyperscalers (Microsoft, Alphabet, Amazon, Meta, Oracle), AI labs
(OpenAI, Anthropic, xAI), a neocloud (CoreWeave), chipmakers (Nvidia, AMD), off-balance-sheet
SPVs, private-credit funds and banks borrow, lend, lease and invest every quarter. Every
payment moves cash between two balance sheets through one ledger, so no money appears or
vanishes; outside-sector accounts (end customers, bond and equity investors, fund LPs,
suppliers) close the books. Money is in USD billions, one step is one quarter, step 0 is 2025Q1.

### One quarter, in order
1. **Demand**: end-customer AI revenue follows the scenario's logistic path with noise,
   `R(t) = R_ceiling/4 / (1 + exp(-k (t - t_mid))) x (1 + sigma z_t)`; labs take a share,
   cloud AI services the rest. Efficiency gains cut the compute each revenue dollar needs.
2. **Compute**: labs pay their take-or-pay compute contracts; providers' utilisation follows.
3. **Operations**: opex, power, depreciation (book life vs the shorter economic life of GPUs).
4. **Debt service**: interest and principal; floating loans pay the base rate plus a spread.
5. **Investment**: expected growth `g_e(t) = lambda g_e(t-1) + (1-lambda) dln R + h (S - 1)`
   (adaptive, plus herding on sentiment `S`) sets target capacity; capex is limited by power
   and build lags (GPUs 1-2 quarters, buildings 6-8).
6. **Financing**, pecking order: cash, IG bonds (spread rises with leverage and stress), SPVs
   off balance sheet, equity (with vendor financing by chipmakers: the circular part),
   GPU-backed loans for neoclouds.
7. **Credit supply**: fund inflows and redemptions follow returns and sentiment, with gates;
   banks lend while their capital ratio is above the requirement.
8. **Markets**: value = revenue x a normal multiple x a growth premium x sentiment;
   `bubble index = value / (normal multiple x revenue)`; spreads, used-GPU price, rent.
9. **Distress**: agents that cannot pay sell assets, draw lines or default; defaults are
   cleared over the whole obligation network (Eisenberg-Noe with default costs, as in
   Rogers-Veraart), so second-round defaults happen in the same quarter, and the losses are
   booked to whoever finally bears them.
10. **Record**: results, agent balance sheets and a plain-language event log.

The full equations, as implemented, are in `docs/model.md` of the project.

### Scenarios ("revenue assumptions")
**boom**: AI replaces labour at scale; revenue near $2T a year by 2030. **baseline**: strong
growth that still falls short of what the capex needs (about $800B a year by 2030).
**bust**: revenue plateaus near $300B a year and an efficiency shock hits in 2027Q3.
Any scenario can take shocks: efficiency, power crunch, rate shock, chip generation jump.
"""

LIMITS = """
### Limits
- Starting balance sheets and flows are rounded public figures from late 2025; several
  (private-credit exposures, SPV terms, lab finances) are estimates, not audited numbers.
- The agents follow simple rules, not optimisation; expectations are adaptive with herding.
  The results are scenarios to reason with, not forecasts.
- One aggregate "other banks" and a few fund aggregates stand for whole sectors; the rest of
  the economy (wages, consumption, monetary policy reacting to the bust) is outside the model.
- Revenue paths are assumptions: the model asks *what follows if* revenue is this, not what
  revenue will be.
- Jobs displaced is a rough accounting identity (revenue x substitution share / wage), not
  a labour-market model.
"""

CALIBRATION_NAMES = ("calibration_table", "calibration_report", "calibration_targets",
                     "calibration")


def find_calibration() -> Any:
    """The model's calibration-table function, whatever its final name (None if absent)."""
    try:
        core = importlib.import_module("model")
    except ImportError:
        return None
    for name in CALIBRATION_NAMES:
        obj = getattr(core, name, None)
        if callable(obj):
            return obj
    try:
        mod = importlib.import_module("model.calibration")
    except ImportError:
        return None
    for name in CALIBRATION_NAMES:
        obj = getattr(mod, name, None)
        if callable(obj):
            return obj
    return None


def frame_html(df: pd.DataFrame, test_id: str = "") -> str:
    """A DataFrame as a compact table (numbers rounded for reading)."""
    rows = []
    for rec in df.itertuples(index=False, name=None):
        cells = []
        for v in rec:
            if isinstance(v, bool):
                cells.append("pass" if v else "FAIL")
            elif isinstance(v, float):
                cells.append(fmt.number(v, 2 if abs(v) < 10 else 0))
            else:
                cells.append(v)
        rows.append(cells)
    return html_table([str(c) for c in df.columns], rows, align_right_from=99, test_id=test_id)


def parameter_rows() -> list[tuple]:
    """One row per parameter: name, label, default, range, unit, group."""
    rows = []
    for info in state.parameter_info().values():
        rows.append((info.name, info.label, f"{info.default:g}",
                     f"{info.min:g} to {info.max:g}", info.unit, info.group))
    return rows


def targets_table() -> pd.DataFrame | None:
    """The calibration targets with their sources, without running the model."""
    try:
        from model.calibration import TARGETS
    except ImportError:
        return None
    rows = []
    for t in TARGETS:
        high = "" if t.high == float("inf") else f"{t.high:,.0f}"
        rows.append({"target": t.name,
                     "range": f"{t.low:,.0f}-{high}" if high else f">= {t.low:,.0f}",
                     "scenario": t.scenario, "source": t.source})
    return pd.DataFrame(rows)


@solara.component
def CalibrationTable():  # noqa: N802
    """Targets and sources at once; the model's values (10 seeds) computed on request."""
    fn = find_calibration()
    task = solara.lab.use_task(lambda: pd.DataFrame(fn()), dependencies=None,
                               raise_error=False)
    if fn is None:
        solara.Info("The model's calibration table is not available in this version.")
        return
    if task.finished and task.value is not None:
        table = task.value
        passed = int(table["pass"].sum()) if "pass" in table.columns else None
        if passed is not None:
            solara.HTML(tag="div", unsafe_innerHTML=(
                f"<b>{passed} of {len(table)} targets met</b> (model value = mean over 10 "
                "seeds, 2025Q1-2029Q4)."))
        solara.HTML(tag="div", unsafe_innerHTML=frame_html(table, "calibration-table"))
        return
    targets = targets_table()
    if targets is not None:
        solara.HTML(tag="div", unsafe_innerHTML=frame_html(targets, "calibration-targets"))
    with solara.Row(style="align-items:center"):
        solara.Button("Check the model against these targets (10 runs, a few seconds)",
                      on_click=task, disabled=task.pending, color="primary")
        if task.pending:
            solara.SpinnerSolara(size="40px")
    if task.error:
        solara.Error(f"The calibration table could not be computed: {task.exception}")


@solara.component
def AboutPage():  # noqa: N802
    """Assumptions, equations in brief, calibration with sources, parameters, limits."""
    with solara.Column(style="max-width:1000px", gap="8px"):
        Md(ASSUMPTIONS)
        Md("### Calibration: targets, model values and sources")
        CalibrationTable()
        Md(LIMITS)
        with solara.Details("All parameters (name, label, default, range, unit, group)"):
            solara.HTML(tag="div", unsafe_innerHTML=html_table(
                ["Name", "Label", "Default", "Range", "Unit", "Group"], parameter_rows(),
                align_right_from=2))
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<small>Sources of the story: N. Beams, <i>AI debt grows and financial risks "
            "increase</i>, WSWS, 29 Dec 2025, citing the Financial Times and S. Storm (INET). "
            "Calibration figures: company filings, JPMorgan, Morgan Stanley, McKinsey, Bain, "
            "Moody's, the Federal Reserve and LBNL, late 2025. Code: MIT licence. "
            f"{html.escape('Runs locally; no telemetry.')}</small>"))
