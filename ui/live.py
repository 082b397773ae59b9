"""The Live page: the model quarter by quarter, with controls, cards, charts and log."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara

from ui import charts, state, theme
from ui import format as fmt
from ui.components import Chart, html_table, role_chip

SPEEDS = {"slow": 1.0, "normal": 0.4, "fast": 0.15, "fastest": 0.0}
EVENT_KINDS = ("default", "distress", "gate", "guarantee", "bank_breach", "fire_sale", "deal",
               "shock", "info")
KIND_LABEL = {"bank_breach": "bank breach", "fire_sale": "fire sale", "guarantee": "guarantee call"}
CHART_NOTES = {
    "revenue": "the red band is capex not covered by AI revenue.",
    "bubble": "the bubble index is market value over the value a normal multiple would give.",
    "debt": "stacked debt by type; the dashed purple line is the share held off balance sheet.",
    "utilisation": "how much of the built compute is used, and what a used GPU still fetches.",
    "losses": "who ends up bearing the losses (stacked, cumulative); red bars are defaults.",
    "credit": "spreads widen and bank capital falls toward its dashed requirement line.",
    "network": "orange links are circular deals; red outlines are agents in distress.",
    "events": "the newest events first.",
}


# --------------------------------------------------------------------------- cards
def header_cards_html(snap: state.Snapshot) -> str:
    """HTML of the header cards (quarter, revenue, capex, debt, bubble, defaults, banks)."""
    f = snap.frame
    last = f.iloc[-1] if len(f) else None
    prev = f.iloc[-2] if len(f) > 1 else None

    def val(row: Any, col: str) -> float | None:
        if row is None or col not in f.columns:
            return None
        try:
            return float(row[col])
        except (TypeError, ValueError):
            return None

    def delta(col: str, scale: float = 1.0) -> float | None:
        a, b = val(last, col), val(prev, col)
        if a is None:
            return None
        if b is None:
            return None
        return (a - b) * scale

    total = val(last, "ai_debt_total")
    share = val(last, "off_balance_sheet_share")
    off = None if total is None or share is None else total * share
    on = None if total is None or off is None else total - off
    defaults_total = float(f["defaults"].sum()) if "defaults" in f.columns and len(f) else None
    defaults_now = val(last, "defaults")
    weakest = "bank_capital_ratio_min" in f.columns
    cap_col = "bank_capital_ratio_min" if weakest else "bank_capital_ratio"
    cap = val(last, cap_col)
    req = snap.requirement
    cap_bad = cap is not None and req is not None and cap < req

    cards = [
        ("quarter", "Quarter", snap.quarter or "start (2025Q1)",
         f"{snap.t} of {snap.horizon} quarters", False),
        ("revenue", "AI revenue / yr", fmt.money(None if val(last, "ai_revenue") is None
                                                  else 4 * val(last, "ai_revenue")),
         fmt.money(delta("ai_revenue", 4), signed=True), False),
        ("capex", "Capex / yr", fmt.money(None if val(last, "capex") is None
                                          else 4 * val(last, "capex")),
         fmt.money(delta("capex", 4), signed=True), False),
        ("debt", "AI debt (on / off B/S)", fmt.money(total),
         f"{fmt.money(on)} on / {fmt.money(off)} off · "
         f"{fmt.money(delta('ai_debt_total'), signed=True)}",
         False),
        ("bubble", "Bubble index", fmt.number(val(last, "bubble_index")),
         fmt.number(delta("bubble_index"), signed=True), False),
        ("defaults", "Defaults so far", fmt.count(defaults_total),
         f"{fmt.count(defaults_now, signed=True)} this quarter", bool(defaults_total)),
        ("jobs", "Jobs displaced", _millions(val(last, "jobs_displaced")),
         _millions(delta("jobs_displaced"), signed=True), False),
        ("capital", "Weakest bank capital" if weakest else "Bank capital ratio", fmt.pct(cap),
         f"{fmt.pp(delta(cap_col))} · required {fmt.pct(req)}", cap_bad),
    ]
    parts = []
    for key, title, value, sub, alarm in cards:
        color = theme.DISTRESS if alarm else "#222"
        parts.append(
            f"<div data-card='{key}' style='flex:1 1 120px;min-width:120px;border:1px solid #ddd;"
            f"border-radius:6px;padding:6px 10px;background:#fafafa'>"
            f"<div style='font-size:11px;color:#555'>{html.escape(title)}</div>"
            f"<div class='card-value' style='font-size:20px;font-weight:600;color:{color}'>"
            f"{html.escape(value)}</div>"
            f"<div style='font-size:11px;color:#666'>{html.escape(sub)}</div></div>")
    return ("<div style='display:flex;flex-wrap:wrap;gap:8px;margin-bottom:8px'>"
            + "".join(parts) + "</div>")


def event_log_html(events: Any, kinds: list[str], limit: int = 80) -> str:
    """Newest-first list of plain-language events of the chosen kinds."""
    chosen = [e for e in events if getattr(e, "kind", "info") in kinds]
    rows = []
    for e in reversed(chosen[-limit:]):
        kind = getattr(e, "kind", "info")
        color = theme.EVENT_COLORS.get(kind, theme.GREY)
        label = KIND_LABEL.get(kind, kind)
        rows.append(
            f"<div style='padding:2px 0;border-bottom:1px solid #eee'>"
            f"<span style='color:#555;font-family:monospace'>{html.escape(str(e.quarter))}</span> "
            f"<span style='background:{color};color:#fff;border-radius:3px;padding:0 4px;"
            f"font-size:11px'>{html.escape(label)}</span> {html.escape(str(e.text))}</div>")
    if not rows:
        rows.append("<div style='color:#777'>No events of these kinds yet.</div>")
    more = len(chosen) - limit
    tail = f"<div style='color:#777'>… and {more} older</div>" if more > 0 else ""
    return ("<div data-testid='event-log' style='max-height:330px;overflow-y:auto;font-size:13px'>"
            + "".join(rows) + tail + "</div>")


def _millions(x: float | None, signed: bool = False) -> str:
    """Jobs are reported in millions by the model."""
    if x is None:
        return fmt.DASH
    return fmt.number(x, 2, signed=signed) + "M"


# ------------------------------------------------------------------------ controls
@solara.component
def ParameterControl(info: Any, value: Any, on_change: Callable[[str, Any], None]):  # noqa: N802
    """One slider/switch built from a ParamInfo (range, unit and label from the model)."""
    unit = f" ({info.unit})" if info.unit else ""
    if isinstance(info.default, bool):
        solara.Switch(label=info.label, value=bool(value),
                      on_value=lambda v: on_change(info.name, bool(v)))
        return
    if state.is_switch(info):
        ShockControl(info, value, on_change)
        return
    integer = state.is_integer(info)
    lo, hi = float(info.min), float(info.max)
    if integer:
        shown = str(int(value))
    else:
        step = _nice_step((hi - lo) / 100)
        shown = fmt.number(value, _digits(step))
    with solara.Column(gap="0px", style="margin-bottom:2px"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<span style='font-size:13px'>{html.escape(info.label)}</span>"
            f"<span style='font-size:11px;color:#666'>{html.escape(unit)}</span>: "
            f"<b style='font-size:13px' data-param='{html.escape(info.name)}'>{shown}</b>"),
            attributes={"title": str(getattr(info, "description", "") or "")})
        if integer:
            solara.SliderInt("", value=int(value), min=int(lo), max=int(hi),
                             on_value=lambda v: on_change(info.name, int(v)))
        else:
            solara.SliderFloat("", value=float(value), min=lo, max=hi, step=step,
                               on_value=lambda v: on_change(info.name, float(v)))


@solara.component
def ShockControl(info: Any, value: Any, on_change: Callable[[str, Any], None]):  # noqa: N802
    """A shock timed by quarter: a switch (off = -1) and, when on, the quarter it hits."""
    on = value is not None and float(value) >= 0
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
            solara.SliderInt("", value=int(value), min=0, max=int(info.max), on_value=move)


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 0.01
    import math

    exp = math.floor(math.log10(raw))
    base = raw / 10**exp
    nice = 1 if base < 1.5 else 2 if base < 3.5 else 5 if base < 7.5 else 10
    return round(nice * 10**exp, 12)


def _digits(step: float) -> int:
    s = f"{step:.12f}".rstrip("0")
    return max(0, len(s.split(".")[1])) if "." in s else 0


@solara.component
def Controls(session: state.LiveSession, signals: Signals,  # noqa: N802
             playing: solara.Reactive, speed: solara.Reactive):
    """Sidebar: scenario, sliders by group, seed, run buttons and speed.

    It subscribes to ``signals.settings`` only, so a plain step does not redraw it.
    """
    _ = signals.settings.value  # subscribe: redraw when a setting changes
    bump, touch = signals.bump, signals.touch
    groups = state.editable_parameters()
    open_groups = ("revenue", "financing")

    def change(name: str, value: Any) -> None:
        session.set_value(name, value)
        touch()

    def pick(name: str | None) -> None:
        if name and (name != session.scenario or session.scenario_path):
            playing.value = False
            session.choose_scenario(name)
            session.highlight = session.highlight_note = None
            bump()

    def upload(file: dict) -> None:
        playing.value = False
        session.load_upload(file.get("name", "scenario.toml"), file.get("data") or b"")
        bump()

    def do_step() -> None:
        session.step()
        if session.done:
            bump()  # Play turns off at the horizon, errors show here
        else:
            signals.tick()

    def do_reset() -> None:
        playing.value = False
        session.reset()
        session.highlight = session.highlight_note = None
        bump()

    with solara.Column(gap="6px", style="min-width:260px"):
        if session.error:
            solara.Error(session.error, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML="<b>Scenario</b> <span style='font-size:12px;"
                    "color:#666'>(switching restarts at 2025Q1)</span>")
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
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(desc),
                        style="font-size:12px;color:#444")
        solara.FileDrop(label="Drop a scenario .toml here", on_file=upload, lazy=False)

        with solara.Row(gap="4px", style="flex-wrap:wrap"):
            solara.Button("Step", on_click=do_step, disabled=playing.value or session.failed,
                          color="primary",
                          icon_name="mdi-step-forward")
            if playing.value:
                solara.Button("Pause", on_click=lambda: playing.set(False), icon_name="mdi-pause")
            else:
                solara.Button("Play", on_click=lambda: playing.set(True), icon_name="mdi-play",
                              disabled=session.done)
            solara.Button("Reset", on_click=do_reset, icon_name="mdi-restore",
                          color="warning" if session.pending() else None)
        solara.ToggleButtonsSingle(value=speed.value, values=list(SPEEDS),
                                   on_value=speed.set, dense=True)
        solara.SliderInt(f"Play until quarter {session.horizon}", value=session.horizon, min=8,
                         max=state.MAX_QUARTERS,
                         on_value=lambda v: (session.set_horizon(v), bump()))
        pending = session.pending()
        if pending:
            solara.Warning(f"Applies on Reset: {', '.join(pending)}.", dense=True,
                           icon=False)
        else:
            solara.Text("Sliders, shocks and seed apply when you press Reset.",
                        style="font-size:12px;color:#666")

        for g, items in groups.items():
            with solara.Details(state.GROUP_TITLES[g], expand=g in open_groups), \
                    solara.Column(gap="0px"):
                    for info in items:
                        ParameterControl(info, session.values.get(info.name, info.default),
                                         change)

        solara.InputInt("Seed (random draws)", value=session.seed,
                        on_value=lambda v: (session.set_seed(v), touch()),
                        continuous_update=False)


# -------------------------------------------------------------------------- panels
@solara.component
def EventLog(snap: state.Snapshot):  # noqa: N802
    """Plain-language event log with a filter by kind."""
    present = []
    for e in snap.events:
        k = getattr(e, "kind", "info")
        if k not in present:
            present.append(k)
    present.sort(key=lambda k: EVENT_KINDS.index(k) if k in EVENT_KINDS else 99)
    hidden, set_hidden = solara.use_state(["info"])
    chosen = [k for k in present if k not in hidden]
    with solara.Column(style="border:1px solid #ddd;border-radius:6px;padding:6px", gap="4px"):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Event log</b> (newest first)")
        if present:
            solara.ToggleButtonsMultiple(
                value=chosen, values=present, dense=True, style="flex-wrap:wrap",
                on_value=lambda v: set_hidden([k for k in present if k not in v]))
        solara.HTML(tag="div", unsafe_innerHTML=event_log_html(snap.events, chosen))


@solara.component
def Inspector(snap: state.Snapshot):  # noqa: N802
    """Balance sheet of any agent: lines over time (stacked) and the current table."""
    names = [a["name"] for a in snap.agents]
    chosen, set_chosen = solara.use_state(names[0] if names else "")
    if chosen not in names and names:
        chosen = names[0]
    agent = next((a for a in snap.agents if a["name"] == chosen), None)
    history = snap.sheets.get(chosen, [])
    with solara.Column(style="border:1px solid #ddd;border-radius:6px;padding:6px", gap="4px"):
        with solara.Row(style="align-items:center"):
            solara.HTML(tag="div", unsafe_innerHTML="<b>Balance sheet inspector</b>")
            solara.Select("Agent", value=chosen, values=names, on_value=set_chosen,
                          style="max-width:260px")
        if agent is None or not history:
            solara.Text("No balance sheet recorded yet.")
            return
        with solara.Columns([3, 2]):
            Chart("balance_sheet", charts.balance_sheet(history, chosen), height=300)
            with solara.Column(gap="4px"):
                _q, sheet = history[-1]
                assets = sheet.get("assets", {})
                liabs = sheet.get("liabilities", {})
                ta = sum(float(v) for v in assets.values())
                tl = sum(float(v) for k, v in liabs.items() if k != "equity")
                rows = [(k, fmt.money(v), "") for k, v in assets.items()]
                rows += [(k, "", fmt.money(v)) for k, v in liabs.items() if k != "equity"]
                rows.append(("Total", fmt.money(ta), fmt.money(tl)))
                rows.append(("Equity (assets − liabilities)", "", fmt.money(ta - tl)))
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<div style='font-size:13px'>{role_chip(agent['role'])} · status "
                    f"<b>{html.escape(str(agent['status']))}</b> · leverage "
                    f"{fmt.pct(agent.get('leverage'))}</div>"
                    + html_table(["Line", "Asset", "Liability"], rows, test_id="sheet-table")))
                ex = snap.exposures
                if ex is not None and len(ex):
                    mine = ex[(ex["debtor"] == chosen) | (ex["creditor"] == chosen)]
                    mine = mine.sort_values("amount", ascending=False).head(12)
                    crow = []
                    for d, c, k, amt in mine[["debtor", "creditor", "kind", "amount"]].itertuples(
                            index=False, name=None):
                        crow.append((f"owes {c}" if d == chosen else f"{d} owes it", k,
                                     fmt.money(amt)))
                    if crow:
                        solara.HTML(tag="div", unsafe_innerHTML="<b style='font-size:13px'>"
                                    "Contracts now</b>" + html_table(
                                        ["Counterparty", "Kind", "Amount"], crow, 2))


# ----------------------------------------------------------------------------- page
@dataclass(frozen=True)
class Signals:
    """The Live page's two reactive counters and the functions that move them.

    ``version`` moves when a new snapshot is published (the main area redraws);
    ``settings`` when something the sidebar shows changes. ``tick`` moves the first,
    ``touch`` the second, ``bump`` both.
    """

    version: solara.Reactive
    settings: solara.Reactive
    counter: Any

    def tick(self) -> None:
        """A new snapshot (a step)."""
        self.version.set(next(self.counter))

    def touch(self) -> None:
        """A setting changed (slider, seed, horizon)."""
        self.settings.set(next(self.counter))

    def bump(self) -> None:
        """Both (reset, scenario, upload, Learn's Show me, end of Play)."""
        self.tick()
        self.touch()


@solara.component
def LivePage(session: state.LiveSession, signals: Signals):  # noqa: N802
    """The Live page: sidebar and main area, each redrawn only by its own signal."""
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")

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
                    pause = SPEEDS.get(speed.value, 0.4) - (time.perf_counter() - t0)
                    if pause > 0:
                        stop.wait(pause)
            finally:
                if not stop.is_set():
                    signals.bump()
                    playing.set(False)

        threading.Thread(target=loop, daemon=True, name="aidb-play").start()
        return stop.set

    solara.use_effect(player, [playing.value])

    with solara.Columns([1, 4], gutters_dense=True):
        Controls(session, signals, playing, speed)
        MainArea(session, signals)


@solara.component
def MainArea(session: state.LiveSession, signals: Signals):  # noqa: N802
    """Cards, charts, network, event log and inspector: redrawn on every new snapshot."""
    _ = signals.version.value  # subscribe: redraw on every new snapshot
    cycles = solara.use_reactive(True)
    outside = solara.use_reactive(False)
    snap = session.snapshot
    with solara.Column(gap="4px"):
        if snap is None:
            solara.Info("No model yet: fix the settings on the left and press Reset.")
            return
        if session.notice:
            solara.Info(session.notice, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=header_cards_html(snap))
        if session.highlight == "network":
            NetworkRow(snap, session, cycles, outside)
            LiveCharts(snap, session.highlight, session.highlight_note)
        else:
            LiveCharts(snap, session.highlight, session.highlight_note)
            NetworkRow(snap, session, cycles, outside)
        Inspector(snap)


@solara.component
def NetworkRow(snap: state.Snapshot, session: state.LiveSession,  # noqa: N802
               cycles: solara.Reactive, outside: solara.Reactive):
    """The exposure network beside the event log."""
    with solara.Columns([3, 2]):
        with solara.Column(gap="2px"):
            Chart("network", charts.network(snap.exposures, snap.agents,
                                            highlight_cycles=cycles.value,
                                            show_outside=outside.value),
                  height=480, highlight=session.highlight == "network",
                  note=session.highlight_note or CHART_NOTES["network"])
            with solara.Row():
                solara.Checkbox(label="Circular (vendor-financing) deals in orange",
                                value=cycles)
                solara.Checkbox(label="Show outside sector (bond investors, depositors)",
                                value=outside)
        EventLog(snap)


@solara.component
def LiveCharts(snap: state.Snapshot, highlight: str | None, note: str | None = None):  # noqa: N802
    """The six time charts, two per row; the highlighted one moves to the top."""
    ev = snap.events
    h = snap.horizon
    specs = {
        "revenue": lambda: charts.revenue_capex(snap.frame, ev, h),
        "bubble": lambda: charts.bubble(snap.frame, ev, h),
        "debt": lambda: charts.debt_stack(snap.frame, ev, h),
        "utilisation": lambda: charts.utilisation(snap.frame, ev, h),
        "losses": lambda: charts.losses(snap.frame, ev, h),
        "credit": lambda: charts.credit(snap.frame, snap.requirement, ev, h),
    }
    order = list(specs)
    if highlight in specs:
        order.remove(highlight)
        order.insert(0, highlight)
    for i in range(0, len(order), 2):
        with solara.Columns([1, 1], gutters_dense=True):
            for key in order[i:i + 2]:
                Chart(key, specs[key](), highlight=key == highlight,
                      note=note or CHART_NOTES.get(key))
