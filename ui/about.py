"""About page: what the model assumes, its quarter in brief, calibration, sources, limits.

Statements about the model describe the code as it is (Eisenberg–Noe clearing, a roster
that starts at end-2024/early-2025); real-world facts are :class:`ui.content.Claim`
objects with their source and date; sources of different stances are named as such.
"""

from __future__ import annotations

import html

import pandas as pd
import solara
import solara.lab

from model import PARAMETER_INFO
from model.calibration import TARGETS, calibration_table
from ui import content as src
from ui import format as fmt
from ui import state
from ui.components import Collapsible, Md, html_table
from ui.content import Claim
from ui.glossary import glossify

MODEL_TEXT = r"""
### What the model is
An agent-based, stock-flow-consistent simulation of the AI-infrastructure build-out and the
debt that pays for it. Hyperscalers (Microsoft, Alphabet, Amazon, Meta, Oracle), AI labs
(OpenAI, Anthropic, xAI), a neocloud (CoreWeave), chipmakers (Nvidia, AMD), off-balance-sheet
SPVs, private-credit funds and banks borrow, lend, lease and invest every quarter. Every
payment moves cash between two balance sheets through one ledger, so no money appears or
vanishes; outside-sector accounts (end customers, bond and equity investors, fund LPs,
suppliers) close the books. Money is in USD billions, one step is one quarter, step 0 is
2025Q1. Starting balance sheets are rounded public figures for end-2024 / early 2025.

### One quarter, in order
1. **Demand**: end-customer AI revenue follows the scenario's revenue assumption with
   noise; labs take a share, cloud AI services the rest. Efficiency gains cut the compute
   each revenue dollar needs.
2. **Compute**: labs pay their take-or-pay compute contracts; providers' utilisation follows.
3. **Operations**: operating costs, power, depreciation (book life vs the shorter economic
   life of GPUs).
4. **Debt service**: interest and principal; floating loans pay the base rate plus a spread.
5. **Investment**: expected growth is adaptive with herding on market sentiment; it sets
   target capacity; capex is limited by power and build lags.
6. **Financing**, pecking order: cash, investment-grade bonds (the spread rises with leverage
   and stress), SPVs off balance sheet, equity (with vendor financing by chipmakers: the
   circular part), GPU-backed loans for neoclouds.
7. **Credit supply**: fund inflows and redemptions follow returns and sentiment, with gates;
   banks lend while their capital ratio is above the requirement.
8. **Markets**: market values, the bubble index (market value of AI equity over the value
   the expected revenue justifies, its discounted earnings), spreads, the used-GPU price
   and rents.
9. **Distress**: agents that cannot pay sell assets, draw lines or default; defaults are
   cleared over the whole obligation network at once with the Eisenberg–Noe algorithm (no
   extra default costs), so second-round defaults happen in the same quarter, and the
   losses are booked to whoever finally bears them.
10. **Record**: results, agent balance sheets and a plain-language event log.

The full equations, as implemented, are in `docs/model.md` of the project.

### Scenarios (revenue assumptions)
Each scenario is a parameter file; its own description follows. Any scenario can take shocks
(efficiency, power crunch, rate shock, chip generation jump). The exact values are the
parameters listed below; every number the Live page shows is a model output for the run on
screen, not a forecast.
"""

LIMITS = """
### Limits
- Starting balance sheets and flows are rounded public figures for end-2024 / early 2025;
  several (private-credit exposures, SPV terms, lab finances) are estimates, not audited
  numbers.
- The agents follow simple rules, not optimisation; expectations are adaptive with herding.
  The results are scenarios to reason with, not forecasts.
- One aggregate "other banks" and a few fund aggregates stand for whole sectors; the rest of
  the economy (wages, consumption, monetary policy reacting to the bust) is outside the model.
- Revenue paths are assumptions: the model asks *what follows if* revenue is this, not what
  revenue will be.
- Jobs displaced is an accounting assumption (revenue × substitution share ÷ wage), not a
  labour-market model.
- Debt in the model is a stock (outstanding at a date); many published figures (such as bond
  issuance per year) are flows. Compare like with like.
"""

# Where the story comes from, with each source's stance named.
STORY: tuple[Claim, ...] = (
    Claim("The project started from an article arguing that AI debt is building up a financial "
          "crisis and that capitalist ownership of AI is the root of the problem.", src.WSWS),
    Claim("Circular vendor financing among AI firms has been criticised by heterodox "
          "economists.", src.STORM),
    Claim("Investment banks put the financing need of the build-out at trillions of dollars, "
          "much of it met from the hyperscalers' own cash flow.", src.MS),
    Claim("Central-bank researchers see limited run risk in private credit because funds "
          "use little leverage and lock up investors' money.", src.FED_PC_RISKS),
    Claim("The clearing of defaults follows Eisenberg and Noe's algorithm.", src.EN),
    Claim("Colours follow the Okabe–Ito palette, which stays distinguishable for common "
          "forms of colour blindness.", src.OKABE_ITO),
)


def scenarios_html() -> str:
    """Each packaged scenario with the description its file gives (the model's own words)."""
    items = "".join(f"<li><b>{html.escape(name)}</b>: "
                    f"{html.escape(state.scenario_description(name))}</li>"
                    for name in state.scenario_names())
    return f"<ul>{items}</ul>"


def frame_html(df: pd.DataFrame, test_id: str = "") -> str:
    """A DataFrame as a compact table (numbers rounded for reading)."""
    rows = []
    for rec in df.itertuples(index=False, name=None):
        cells: list[object] = []
        for v in rec:
            if isinstance(v, bool):
                cells.append("pass" if v else "FAIL")
            elif isinstance(v, float):
                cells.append(fmt.number(v, 2 if abs(v) < 10 else 0))
            else:
                cells.append(v)
        rows.append(cells)
    return html_table([str(c) for c in df.columns], rows, align_right_from=99, test_id=test_id)


def parameter_rows() -> list[tuple[str, ...]]:
    """One row per parameter: name, label, default, range, unit, group."""
    return [(i.name, i.label, f"{i.default:g}", f"{i.min:g} to {i.max:g}", i.unit, i.group)
            for i in PARAMETER_INFO.values()]


def targets_table() -> pd.DataFrame:
    """The calibration targets with their sources, without running the model."""
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
    task = solara.lab.use_task(lambda: pd.DataFrame(calibration_table()), dependencies=None,
                               raise_error=False)
    if task.finished and task.value is not None:
        table = task.value
        if "pass" in table.columns:
            solara.HTML(tag="div", unsafe_innerHTML=(
                f"<b>{int(table['pass'].sum())} of {len(table)} targets met</b> (model value "
                "= mean over 10 seeds, 2025Q1-2029Q4)."))
        solara.HTML(tag="div", unsafe_innerHTML=frame_html(table, "calibration-table"))
        return
    solara.HTML(tag="div", unsafe_innerHTML=frame_html(targets_table(), "calibration-targets"))
    with solara.Row(style="align-items:center;flex-wrap:wrap"):
        solara.Button("Check the model against these targets (10 runs, a few seconds)",
                      on_click=task, disabled=task.pending, color="primary")
        if task.pending:
            solara.SpinnerSolara(size="40px")
    if task.error:
        solara.Error(f"The calibration table could not be computed: {task.exception}")


@solara.component
def AboutPage():  # noqa: N802
    """Assumptions, the quarter in brief, calibration with sources, parameters, limits."""
    with solara.Column(style="max-width:1000px", gap="8px", classes=["aidb-prose"]):
        solara.HTML(tag="div", unsafe_innerHTML=glossify(_md(MODEL_TEXT) + scenarios_html()))
        Md("### Calibration: targets, model values and sources")
        CalibrationTable()
        Md(LIMITS)
        with Collapsible("All parameters (name, label, default, range, unit, group)"):
            solara.HTML(tag="div", unsafe_innerHTML=html_table(
                ["Name", "Label", "Default", "Range", "Unit", "Group"], parameter_rows(),
                align_right_from=2))
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<h3>Sources and their stances</h3><p>"
            + " ".join(src.claim_html(c) for c in STORY) + "</p>"
            + src.sources_html(STORY)
            + f"<p class='aidb-src'>{html.escape('Runs locally; no telemetry. Code: MIT licence.')}"
              "</p>"))


def _md(text: str) -> str:
    from ui.components import md_html

    return md_html(text)
