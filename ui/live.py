"""The Live page: the model quarter by quarter, with controls, cards, charts and log.

Layout (``ui/style.py``): a sidebar beside the main area on wide screens; below 900 px the
controls stack above, charts go one per row and the network gives way to a ranked list.
"""

from __future__ import annotations

import html
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import solara

from model import ParamInfo
from ui import charts, network, state, theme
from ui import format as fmt
from ui.components import Chart, CheckboxGroup, Collapsible, NativeSelect, html_table, role_chip
from ui.glossary import glossify
from ui.upload import ScenarioUpload

SPEEDS = {"slow": 1.0, "normal": 0.4, "fast": 0.15, "fastest": 0.0}
SHOW_ME_SPEED = "fast"
# the model's event kinds (core/events.py) in the order the log's filter lists them
EVENT_KINDS = ("default", "distress", "gate", "guarantee", "bank_breach", "fire_sale", "deal",
               "shock", "policy", "circularity", "info")
KIND_LABEL = {"bank_breach": "bank breach", "fire_sale": "fire sale",
              "guarantee": "guarantee call", "gate": "fund gate",
              "circularity": "circular core"}


# ----------------------------------------------------------------------------- signals
@dataclass(frozen=True)
class Signals:
    """The reactive values one browser session shares between its pages.

    ``version`` moves when a new snapshot is published (cards and time charts redraw), then
    ``detail`` (network, event log, inspector: below the fold, so they are sent second);
    ``settings`` when something the sidebar shows changes. ``tick`` moves the first two,
    ``touch`` the third, ``bump`` all. ``playing``/``speed`` drive Play; ``tab`` is the page.
    """

    version: solara.Reactive[int]
    detail: solara.Reactive[int]
    settings: solara.Reactive[int]
    counter: Iterator[int]
    playing: solara.Reactive[bool]
    speed: solara.Reactive[str]
    tab: solara.Reactive[int]

    def tick(self) -> None:
        """A new snapshot (a step): what is on screen first, the rest right after."""
        self.version.set(next(self.counter))
        self.detail.set(next(self.counter))

    def touch(self) -> None:
        """A setting changed (slider, seed, horizon)."""
        self.settings.set(next(self.counter))

    def bump(self) -> None:
        """Both (reset, scenario, upload, Learn's Show me, end of Play)."""
        self.tick()
        self.touch()


# --------------------------------------------------------------------------- cards
def _val(snap: state.Snapshot, col: str, row: int = -1) -> float | None:
    f = snap.frame
    if col not in f.columns or len(f) < abs(row):
        return None
    v = f[col].iloc[row]
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _delta(snap: state.Snapshot, col: str, scale: float = 1.0) -> float | None:
    a, b = _val(snap, col), _val(snap, col, -2)
    return None if a is None or b is None else (a - b) * scale


def _times(x: float | None, k: float) -> float | None:
    return None if x is None else x * k


def header_cards_html(snap: state.Snapshot) -> str:
    """HTML of the header cards; each says what it counts (hover the title for more)."""
    total = _val(snap, "ai_debt_total")
    share = _val(snap, "off_balance_sheet_share")
    off = None if total is None or share is None else total * share
    on = None if total is None or off is None else total - off
    f = snap.frame
    defaults_total = float(f["defaults"].sum()) if "defaults" in f.columns and len(f) else None
    cap = _val(snap, "bank_capital_ratio_min")
    req = snap.requirement
    jobs = _val(snap, "jobs_displaced")
    cards = [
        ("quarter", "Quarter", snap.quarter or "start (2025Q1)",
         f"{snap.t} of {snap.horizon} quarters", False),
        ("revenue", "AI revenue / yr", fmt.money(_times(_val(snap, "ai_revenue"), 4)),
         f"end customers · {fmt.money(_delta(snap, 'ai_revenue', 4), signed=True)}", False),
        ("capex", "AI capex / yr", fmt.money(_times(_val(snap, "capex"), 4)),
         f"all builders; hyperscalers "
         f"{fmt.money(_times(_val(snap, 'hyperscaler_capex'), 4))}", False),
        ("debt", "AI debt", fmt.money(total),
         f"{fmt.money(on)} on / {fmt.money(off)} off balance sheet", False),
        ("bubble", "Bubble index", fmt.number(_val(snap, "bubble_index")),
         f"1 = no bubble · {fmt.number(_delta(snap, 'bubble_index'), signed=True)}", False),
        ("defaults", "Defaults so far", fmt.count(defaults_total),
         f"{fmt.count(_val(snap, 'defaults'), signed=True)} this quarter",
         bool(defaults_total)),
        ("jobs", "Jobs displaced (assumption)",
         "–" if jobs is None else f"{fmt.number(jobs, 1)}M",
         "revenue x substitution share ÷ wage", False),
        ("capital", "Weakest bank's capital ratio", fmt.pct(cap),
         f"required {fmt.pct(req)} · {fmt.pp(_delta(snap, 'bank_capital_ratio_min'))}",
         cap is not None and cap < req),
    ]
    if "losses_households" in f.columns:
        cards.append(("households", "Households' losses",
                      fmt.money(_val(snap, "losses_households")),
                      "depositors, savers, pensions, insurers", False))
    parts = []
    for key, title, value, sub, alarm in cards:
        parts.append(
            f"<div data-card='{key}' class='aidb-cardbox'>"
            f"<div class='t'>{glossify(html.escape(title))}</div>"
            f"<div class='card-value{' alarm' if alarm else ''}'>{html.escape(value)}</div>"
            f"<div class='s'>{html.escape(sub)}</div></div>")
    return "<div class='aidb-cards'>" + "".join(parts) + "</div>"


def event_log_html(events: tuple[state.Event, ...], kinds: list[str], limit: int = 80) -> str:
    """Newest-first list of plain-language events of the chosen kinds."""
    chosen = [e for e in events if e.kind in kinds]
    rows = []
    seen: set[str] = set()  # each term gets its definition once in the log
    for e in reversed(chosen[-limit:]):
        color = theme.EVENT_COLORS.get(e.kind, theme.GREY)
        rows.append(
            f"<div style='padding:2px 0;border-bottom:1px solid #eee'>"
            f"<span style='color:#333;font-family:monospace'>{html.escape(e.quarter)}</span> "
            f"<span style='border:1px solid {color};border-left:6px solid {color};color:#000;"
            f"border-radius:3px;padding:0 4px;font-size:11px'>"
            f"{html.escape(KIND_LABEL.get(e.kind, e.kind))}</span> "
            f"{glossify(html.escape(fmt.tidy_text(e.text)), seen)}</div>")
    if not rows:
        rows.append("<div style='color:#444'>No events of these kinds yet.</div>")
    more = len(chosen) - limit
    tail = f"<div style='color:#444'>… and {more} older</div>" if more > 0 else ""
    return ("<div data-testid='event-log' tabindex='0' aria-label='Event log' "
            "style='max-height:330px;overflow-y:auto;font-size:13px'>"
            + "".join(rows) + tail + "</div>")


# ------------------------------------------------------------------------ controls
def nice_step(raw: float) -> float:
    """A slider step of 1, 2 or 5 times a power of ten near ``raw``."""
    if raw <= 0:
        return 0.01
    exp = math.floor(math.log10(raw))
    base = raw / 10**exp
    nice = 1 if base < 1.5 else 2 if base < 3.5 else 5 if base < 7.5 else 10
    return round(nice * 10**exp, 12)


def grid_step(lo: float, hi: float) -> float:
    """A round slider step (about 1/100 of the range) with a grid of round numbers.

    Vuetify counts steps from the minimum, so the step must divide it.
    """
    step = nice_step((hi - lo) / 100)
    for candidate in (step, step / 2, step / 5, step / 10):
        k = lo / candidate
        if abs(k - round(k)) < 1e-9:
            return candidate
    return step


def step_digits(step: float) -> int:
    """Decimals needed to show values on a slider of this step."""
    s = f"{step:.12f}".rstrip("0")
    return len(s.split(".")[1]) if "." in s else 0


@solara.component
def ParameterControl(info: ParamInfo, value: state.Value,  # noqa: N802
                     on_change: Callable[[str, state.Value], None]):
    """One slider/switch built from a ParamInfo (range, unit and label from the model)."""
    unit = f" ({info.unit})" if info.unit else ""
    if state.is_switch(info):
        ShockControl(info, value, on_change)
        return
    integer = state.is_integer(info)
    lo, hi = float(info.min), float(info.max)
    step = 1.0 if integer else grid_step(lo, hi)
    shown = str(int(value)) if integer else fmt.number(value, step_digits(step))
    with solara.Column(gap="0px", style="margin-bottom:2px"):
        # the slider carries the label (its accessible name); the value and unit sit below
        if integer:
            solara.SliderInt(info.label, value=int(value), min=int(lo), max=int(hi),
                             on_value=lambda v: on_change(info.name, int(v)))
        else:
            def moved(v: float) -> None:
                # the slider snaps a value between its steps (an uploaded 1575 on a step of
                # 10) and reports it: that is not the user moving it, so keep the value
                if abs(float(v) - float(value)) > 0.75 * step:
                    on_change(info.name, float(v))

            solara.SliderFloat(info.label, value=float(value), min=lo, max=hi, step=step,
                               on_value=moved)
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b style='font-size:13px' data-param='{html.escape(info.name)}'>{shown}</b>"
            f"<span style='font-size:12px;color:#333'>{html.escape(unit)}</span>"),
            attributes={"title": info.description}, style="margin:-14px 0 0 4px")


@solara.component
def ShockControl(info: ParamInfo, value: state.Value,  # noqa: N802
                 on_change: Callable[[str, state.Value], None]):
    """A shock timed by quarter: a switch (off = -1) and, when on, the quarter it hits."""
    on = float(value) >= 0
    label = info.label.removesuffix(" quarter")
    last, set_last = solara.use_state(int(value) if on else state.SHOCK_DEFAULT_QUARTER)

    def toggle(v: bool) -> None:
        on_change(info.name, int(last) if v else -1)

    def move(q: int) -> None:
        set_last(int(q))
        on_change(info.name, int(q))

    with solara.Column(gap="0px"):
        solara.Switch(label=label + (f": hits {fmt.quarter(int(value))}" if on else ": off"),
                      value=on, on_value=toggle)
        if on:
            solara.SliderInt(f"{label}: quarter", value=int(value), min=0, max=int(info.max),
                             on_value=move)


@solara.component
def ParamGroup(title: str, items: tuple[ParamInfo, ...],  # noqa: N802
               values: dict[str, state.Value], on_change: Callable[[str, state.Value], None],
               expand: bool = False):
    """A collapsible group of parameter controls; closed groups render no controls."""
    open_, set_open = solara.use_state(expand)
    solara.Button(("▾ " if open_ else "▸ ") + title, text=True, on_click=lambda: set_open(
        not open_), style="justify-content:flex-start;text-transform:none;font-weight:600",
        attributes={"aria-expanded": "true" if open_ else "false"})
    if open_:
        with solara.Column(gap="0px", style="padding-left:6px"):
            for info in items:
                ParameterControl(info, values.get(info.name, info.default), on_change)


@solara.component
def RunBar(session: state.LiveSession, signals: Signals):  # noqa: N802
    """Step / Play / Reset and the speed: first in the sidebar, sticky on phones."""
    playing = signals.playing

    def do_step() -> None:
        session.step()
        if session.done:
            signals.bump()  # Play turns off at the horizon, errors show here
        else:
            signals.tick()

    def do_play() -> None:
        if session.stop_at is not None and session.model is not None \
                and session.model.t >= session.stop_at:
            session.stop_at = None  # a chapter's quarter is reached: Play goes on
        playing.set(True)

    def do_reset() -> None:
        playing.set(False)
        session.reset()
        session.highlight = session.highlight_note = None
        session.stop_at = None
        signals.bump()

    with solara.Div(classes=["aidb-runbar"]):
        solara.Button("Step", on_click=do_step, disabled=playing.value or session.failed,
                      color="primary", icon_name="mdi-step-forward")
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), icon_name="mdi-pause")
        else:
            solara.Button("Play", on_click=do_play, icon_name="mdi-play",
                          disabled=session.model is None or session.failed
                          or session.model.t >= session.horizon)
        solara.Button("Reset", on_click=do_reset, icon_name="mdi-restore",
                      color="warning" if session.pending() else None)
    solara.ToggleButtonsSingle(value=signals.speed.value, values=list(SPEEDS),
                               on_value=signals.speed.set, dense=True)


@solara.component
def Controls(session: state.LiveSession, signals: Signals):  # noqa: N802
    """Sidebar: run buttons, scenario, upload, sliders by group, seed.

    It subscribes to ``signals.settings`` only, so a plain step does not redraw it.
    """
    _ = signals.settings.value  # subscribe: redraw when a setting changes
    groups = state.editable_parameters()
    open_groups = ("revenue",)

    def change(name: str, value: state.Value) -> None:
        session.set_value(name, value)
        signals.touch()

    def pick(name: str | None) -> None:
        if name and (name != session.scenario or session.scenario_path):
            signals.playing.set(False)
            session.choose_scenario(name)
            session.highlight = session.highlight_note = None
            session.stop_at = None
            signals.bump()

    def upload(name: str, data: bytes) -> None:
        signals.playing.set(False)
        session.load_upload(name, data)
        signals.bump()

    def reject(message: str) -> None:
        session.reject_upload(message)
        signals.bump()

    with solara.Column(gap="6px", classes=["aidb-side"]):
        RunBar(session, signals)
        if session.error:
            solara.Error(session.error, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML="<b>Scenario</b> <span style='font-size:12px;"
                    "color:#444'>(switching restarts at 2025Q1)</span>")
        # with an uploaded scenario no packaged one is selected; mandatory=True would make
        # the front end select the first button by itself (and switch to it)
        solara.ToggleButtonsSingle(
            value=None if session.scenario_path else session.scenario,
            values=state.scenario_names(), on_value=pick, dense=True,
            mandatory=not session.scenario_path)
        if session.scenario_path:
            solara.Text(f"Using {session.scenario_label}", style="font-size:12px")
        desc = state.scenario_description(session.source)
        if desc:
            solara.HTML(tag="div", unsafe_innerHTML=glossify(html.escape(desc)),
                        style="font-size:12px;color:#333")
        ScenarioUpload(on_file=upload, on_reject=reject)
        solara.SliderInt(f"Play until quarter {session.horizon}", value=session.horizon, min=8,
                         max=state.MAX_QUARTERS,
                         on_value=lambda v: (session.set_horizon(v), signals.bump()))
        pending = session.pending()
        if pending:
            solara.Warning(f"Applies on Reset: {', '.join(pending)}.", dense=True, icon=False)
        else:
            solara.Text("Sliders, shocks and seed apply when you press Reset.",
                        style="font-size:12px;color:#444")
        for g, items in groups.items():
            ParamGroup(state.GROUP_TITLES[g], tuple(items), session.values, change,
                       g in open_groups)
        solara.InputText("Seed (random draws)", value=str(session.seed),
                         on_value=lambda v: (session.set_seed(v), signals.touch()),
                         continuous_update=False)


# -------------------------------------------------------------------------- panels
@solara.component
def EventLog(events: tuple[state.Event, ...]):  # noqa: N802
    """Plain-language event log with a filter by kind."""
    present = sorted({e.kind for e in events},
                     key=lambda k: EVENT_KINDS.index(k) if k in EVENT_KINDS else 99)
    hidden, set_hidden = solara.use_state(["info"])
    chosen = [k for k in present if k not in hidden]
    with solara.Column(classes=["aidb-panel"], gap="4px"):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Event log</b> (newest first)")
        if present:
            CheckboxGroup.element(
                label="Show events of these kinds", value=chosen, options=present,
                labels={k: KIND_LABEL.get(k, k) for k in present},
                on_value=lambda v: set_hidden([k for k in present if k not in v]))
        solara.HTML(tag="div", unsafe_innerHTML=event_log_html(events, chosen))


def contract_rows(snap: state.Snapshot, chosen: str) -> list[tuple[str, str, str]]:
    """The agent's largest contracts now: counterparty in plain words, kind, amount."""
    mine = sorted((r for r in snap.exposure_rows if chosen in (r[0], r[1])),
                  key=lambda r: -r[3])[:12]
    return [(f"{chosen} owes {c}" if d == chosen else f"{d} owes {chosen}",
             network.KIND_LABELS.get(k, k), fmt.money(amt)) for d, c, k, amt in mine]


@solara.component
def Inspector(snap: state.Snapshot):  # noqa: N802
    """Balance sheet of any agent: lines over time (stacked) and the current table."""
    names = [a.name for a in snap.agents]
    chosen, set_chosen = solara.use_state(names[0] if names else "")
    if chosen not in names and names:
        chosen = names[0]
    agent = next((a for a in snap.agents if a.name == chosen), None)
    history = snap.sheets.get(chosen, [])
    with solara.Column(classes=["aidb-panel"], gap="4px"):
        with solara.Row(style="align-items:center;flex-wrap:wrap"):
            NativeSelect.element(label="Agent", value=chosen, options=names,
                                 on_value=set_chosen)
        if agent is None or not history:
            solara.Text("No balance sheet recorded yet.")
            return
        fig = charts.balance_sheet(history, chosen)
        _q, sheet = history[-1]
        assets = sheet.get("assets", {})
        liabs = sheet.get("liabilities", {})
        ta = sum(assets.values())
        tl = sum(v for k, v in liabs.items() if k != "equity")
        rows = [(charts.line_label(k), fmt.money(v), "") for k, v in assets.items()]
        rows += [(charts.line_label(k), "", fmt.money(v)) for k, v in liabs.items()
                 if k != "equity"]
        rows.append(("Total", fmt.money(ta), fmt.money(tl)))
        rows.append(("Equity (assets − liabilities)", "", fmt.money(ta - tl)))
        with solara.Div(classes=["aidb-two"]):
            FigureCard(fig, height=300, below_fold=True)
            with solara.Column(gap="4px"):
                crow = contract_rows(snap, chosen)
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<div style='font-size:13px'>{role_chip(agent.role)} · status "
                    f"<b>{html.escape(agent.status)}</b> · debt / assets "
                    f"{fmt.pct(agent.leverage)}</div>"
                    + html_table(["Line (USD)", "Asset", "Liability"], rows,
                                 test_id="sheet-table")
                    + (html_table(["Contract now", "Kind", "Amount (USD)"], crow, 2)
                       if crow else "")))


def FigureCard(fig: charts.Figure, height: int = 280, highlight: bool = False,  # noqa: N802
               look_here: str | None = None, below_fold: bool = False):
    """A :class:`charts.Figure` in a card: title, chart, legend and caption."""
    return Chart(fig.key, fig.option, height=height, highlight=highlight,
                 title=fig.title, legend=charts.legend_html(fig.legend),
                 caption=glossify(html.escape(fig.caption)), look_here=look_here,
                 below_fold=below_fold)


# ----------------------------------------------------------------------------- page
@solara.component
def LivePage(session: state.LiveSession, signals: Signals,  # noqa: N802
             on_back: Callable[[], None], on_next: Callable[[], None], chapters: int):
    """The Live page: sidebar and main area, each redrawn only by its own signal."""
    playing = signals.playing

    def player():
        if not playing.value:
            return None
        stop = threading.Event()
        build = session.builds

        def loop():
            try:
                while not stop.is_set() and not session.done and session.builds == build:
                    t0 = time.perf_counter()
                    ok = session.step(build=build)
                    if stop.is_set() or not ok:
                        break
                    signals.tick()
                    pause = SPEEDS.get(signals.speed.value, 0.4) - (time.perf_counter() - t0)
                    if pause > 0:
                        stop.wait(pause)
            finally:
                if not stop.is_set():
                    signals.bump()
                    playing.set(False)

        threading.Thread(target=loop, daemon=True, name="aidb-play").start()
        return stop.set

    solara.use_effect(player, [playing.value])

    with solara.Div(classes=["aidb-live"]):
        Controls(session, signals)
        MainArea(session, signals, on_back, on_next, chapters)


@solara.component
def TourBar(session: state.LiveSession, on_back: Callable[[], None],  # noqa: N802
            on_next: Callable[[], None], chapters: int):
    """"Back to chapter N / Next" while a Learn chapter is active."""
    n = session.chapter + 1
    with solara.Div(classes=["aidb-tour"], attributes={"data-testid": "tour-bar"}):
        solara.HTML(tag="span", unsafe_innerHTML=f"<b>Tour, chapter {n} of {chapters}</b>")
        solara.Button(f"Back to chapter {n}", on_click=on_back, icon_name="mdi-arrow-left",
                      outlined=True, dense=True)
        if n < chapters:
            solara.Button("Next chapter", on_click=on_next, icon_name="mdi-arrow-right",
                          outlined=True, dense=True)


@solara.component
def MainArea(session: state.LiveSession, signals: Signals,  # noqa: N802
             on_back: Callable[[], None], on_next: Callable[[], None], chapters: int):
    """Cards, charts, network, event log and inspector: redrawn on every new snapshot."""
    _ = signals.version.value  # subscribe: redraw on every new snapshot
    snap = session.snapshot
    with solara.Column(gap="4px", classes=["aidb-main"]):
        if session.chapter_active:
            TourBar(session, on_back, on_next, chapters)
        if snap is None:
            solara.Info("No model yet: fix the settings on the left and press Reset.")
            return
        if session.notice:
            solara.Info(session.notice, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=header_cards_html(snap))
        if session.highlight == "network":
            NetworkRow(snap, session)
            LiveCharts(snap, session.highlight, session.highlight_note)
        else:
            LiveCharts(snap, session.highlight, session.highlight_note)
        DetailArea(session, signals)


@solara.component
def DetailArea(session: state.LiveSession, signals: Signals):  # noqa: N802
    """Network, event log and inspector: redrawn on ``signals.detail``, after the charts."""
    _ = signals.detail.value  # subscribe
    snap = session.snapshot
    if snap is None:
        return
    with solara.Column(gap="4px"):
        if session.highlight != "network":
            NetworkRow(snap, session)
        with Collapsible("Balance sheet inspector: pick any agent"):
            Inspector(snap)


@solara.component
def NetworkRow(snap: state.Snapshot, session: state.LiveSession):  # noqa: N802
    """The exposure network (a ranked list on phones) beside the event log."""
    outside = solara.use_reactive(False)
    fig = network.network(snap.exposure_rows, snap.agents, core=snap.core,
                          show_outside=outside.value)
    with solara.Div(classes=["aidb-network-row"]):
        with solara.Column(gap="2px"):
            with solara.Div(classes=["aidb-network"]):
                FigureCard(fig, height=460, highlight=session.highlight == "network",
                           look_here=session.highlight_note,
                           below_fold=session.highlight != "network")
                solara.Checkbox(label="Show outside sector (bond investors, depositors)",
                                value=outside)
            rows = network.ranked_exposures(snap.exposure_rows, snap.agents, snap.core)
            loop = glossify(html.escape(network.core_sentence(snap.core)))
            solara.HTML(tag="div", classes=["aidb-exposures"], unsafe_innerHTML=html_table(
                ["Debtor", "Creditor", "What", "Amount (USD)"], rows, align_right_from=3,
                test_id="exposure-list", caption="Largest exposures: who owes whom")
                + f"<p style='font-size:12px'>{loop}</p>")
        EventLog(snap.events)


@solara.component
def LiveCharts(snap: state.Snapshot, highlight: str | None,  # noqa: N802
               note: str | None = None):
    """The seven time charts, two per row (one on phones); the highlighted one goes first."""
    ev, h = snap.events, snap.horizon
    specs = {
        "revenue": lambda: charts.revenue_capex(snap.frame, ev, h),
        "bubble": lambda: charts.bubble(snap.frame, ev, h),
        "debt": lambda: charts.debt_stack(snap.frame, ev, h),
        "financing": lambda: charts.financing(snap.frame, ev, h),
        "losses": lambda: charts.losses(snap.frame, ev, h),
        "credit": lambda: charts.credit(snap.frame, snap.requirement, ev, h),
        "utilisation": lambda: charts.utilisation(snap.frame, ev, h),
    }
    order = list(specs)
    if highlight in specs:
        order.remove(highlight)
        order.insert(0, highlight)
    with solara.Div(classes=["aidb-charts"]):
        for key in order:
            FigureCard(specs[key](), highlight=key == highlight,
                       look_here=note if key == highlight else None)
