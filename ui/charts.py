"""ECharts figures: pure functions from model output to a :class:`Figure`.

Each builder takes the results frame (one row per quarter: ``quarter`` plus the model's
``MODEL_COLUMNS``) or another plain table and returns a :class:`Figure`: a JSON-ready
echarts ``option``, a title, an HTML legend (it wraps at any width, unlike echarts' own)
and a one-line caption. No widgets, no model objects: easy to test and cheap to call.
Animation is off everywhere (an animated update costs ~1 s in the browser); every tooltip
states its unit.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ui import format as fmt
from ui import theme
from ui.state import Event

AXIS_FONT = 11
LOSS_AXIS_FLOOR_BN = 100.0  # the losses axis shows at least 0-100B: small losses look small
HOUSEHOLDS = "losses_households"  # overlaps the bearer types: drawn as a line, not stacked
OUTSIDE = "losses_outside"


@dataclass(frozen=True)
class Key:
    """One entry of a chart's legend: label, colour and how it is drawn."""

    label: str
    color: str
    style: str = "line"  # line, dashed, dotted, area, bar


@dataclass(frozen=True)
class Figure:
    """A chart ready for the page: the echarts option plus its title, legend and caption."""

    key: str
    title: str
    option: dict[str, Any]
    legend: tuple[Key, ...] = ()
    caption: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers
def _num(x: object) -> float | None:
    """A JSON-safe float (None for NaN/inf/missing)."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def column_data(frame: pd.DataFrame, col: str, scale: float = 1.0, digits: int = 3) -> list:
    """A column as rounded, JSON-safe numbers times ``scale`` (None where missing)."""
    if col not in frame.columns:
        return []
    out = []
    for x in frame[col].tolist():
        v = _num(x)
        out.append(None if v is None else round(v * scale, digits) + 0.0)
    return out


def quarter_axis(frame: pd.DataFrame, horizon: int = 40) -> list[str]:
    """Quarter labels for the x axis: the run so far, padded to ``horizon`` quarters."""
    labels = [str(q) for q in frame["quarter"].tolist()] if "quarter" in frame.columns else []
    n = max(horizon, len(labels))
    return labels + [fmt.quarter(t) for t in range(len(labels), n)]


def base_option(quarters: list[str], *, right_axis: bool = False) -> dict:
    """The option every time chart starts from: quarter axis, no animation, no legend."""
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "confine": True},
        "legend": {"show": False},
        "grid": {"left": 52, "right": 52 if right_axis else 30, "top": 26, "bottom": 24},
        "xAxis": {"type": "category", "data": quarters, "boundaryGap": False,
                  "axisLabel": {"fontSize": AXIS_FONT}},
    }


def yaxis(name: str, *, fmt_kind: str = "", min_: float | None = None,
           max_: float | None = None, position: str = "left", split: bool = True) -> dict:
    """A value axis with its name (the unit) and optional bounds."""
    axis: dict[str, Any] = {
        "type": "value",
        "name": name,
        "position": position,
        "nameTextStyle": {"fontSize": AXIS_FONT, "align": "left" if position == "left"
                          else "right"},
        "axisLabel": {"fontSize": AXIS_FONT},
        "splitLine": {"show": split},
    }
    if fmt_kind:
        axis["axisLabel"]["formatter"] = fmt_kind
    if min_ is not None:
        axis["min"] = min_
    if max_ is not None:
        axis["max"] = max_
    return axis


def line(name: str, data: list, color: str, *, axis: int = 0, width: float = 2,
          dashed: bool = False, area: float | None = None, stack: str | None = None) -> dict:
    """A line series (filled when ``area`` is given, stacked under ``stack``)."""
    # a marker on a lonely point: after the first Step a line of one point is invisible
    points = sum(1 for v in data if v is not None)
    s: dict[str, Any] = {
        "name": name,
        "type": "line",
        "data": data,
        "yAxisIndex": axis,
        "showSymbol": points <= 2,
        "symbol": "circle",
        "symbolSize": 6,
        "color": color,
        "lineStyle": {"width": width, "color": color, **({"type": "dashed"} if dashed else {})},
    }
    if area is not None:
        s["areaStyle"] = {"opacity": area, "color": color}
    if stack:
        s["stack"] = stack
    return s


def tooltip(units: Sequence[str]) -> dict:
    """Axis tooltip listing the first ``len(units)`` series, each with its unit."""
    rows = "".join(f"<br/>{{a{i}}}: <b>{{c{i}}}</b> {html.escape(u)}" for i, u in enumerate(units))
    return {"trigger": "axis", "confine": True, "formatter": "{b}" + rows}


def event_marks(events: Iterable[Event]) -> dict | None:
    """A ``markLine`` putting defaults, fund gates and bank breaches on the time axis."""
    seen: dict[tuple[str, str], int] = {}
    for ev in events:
        if ev.kind in theme.MARKERS:
            key = (ev.quarter, ev.kind)
            seen[key] = seen.get(key, 0) + 1
    if not seen:
        return None
    data = []
    for (quarter, kind), n in sorted(seen.items()):
        label, dash = theme.MARKERS[kind]
        data.append({
            "xAxis": quarter,
            "name": f"{quarter}: {label}" + (f" x{n}" if n > 1 else ""),
            "lineStyle": {"color": theme.EVENT_COLORS[kind], "type": dash, "width": 1.2},
            "label": {"show": False},
        })
    return {"silent": False, "symbol": "none", "animation": False, "data": data,
            "tooltip": {"formatter": "{b}"}, "label": {"show": False}}


def marker_keys(events: Iterable[Event]) -> tuple[Key, ...]:
    """Legend entries for the event markers present in ``events``."""
    kinds = {ev.kind for ev in events}
    return tuple(Key(label, theme.EVENT_COLORS[kind], dash)
                 for kind, (label, dash) in theme.MARKERS.items() if kind in kinds)


def _with_marks(fig: Figure, events: Sequence[Event]) -> Figure:
    option = fig.option
    marks = event_marks(events)
    if marks and option.get("series"):
        first = option["series"][0]
        if "markLine" in first:  # keep a reference line already there (bubble index = 1)
            marks["data"] = [*first["markLine"]["data"], *marks["data"]]
        first["markLine"] = marks
    return Figure(fig.key, fig.title, option, fig.legend + marker_keys(events), fig.caption)


def legend_html(keys: Sequence[Key]) -> str:
    """The legend as HTML swatches (wraps on narrow screens; dashes drawn as dashes)."""
    parts = []
    for k in keys:
        if k.style in ("area", "bar"):
            sw = (f"<span class='sw' style='display:inline-block;width:12px;height:10px;"
                  f"background:{k.color};opacity:{0.7 if k.style == 'area' else 1};"
                  f"border:1px solid #333'></span>")
        else:
            border = {"line": "solid", "dashed": "dashed", "dotted": "dotted"}[k.style]
            sw = (f"<span class='sw' style='display:inline-block;width:18px;height:0;"
                  f"border-top:3px {border} {k.color};vertical-align:middle'></span>")
        parts.append(f"<span style='white-space:nowrap;margin-right:10px'>{sw} "
                     f"{html.escape(k.label)}</span>")
    return "<div class='aidb-legend' style='font-size:12.5px;line-height:1.6'>" + " ".join(
        parts) + "</div>"


def nice_range(lo: float, hi: float) -> tuple[float, float]:
    """Round an axis range outwards to 1-2-5 steps (no "674.257" at the top of an axis)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / 5
    exp = math.floor(math.log10(raw))
    base = raw / 10**exp
    step = (1 if base <= 1 else 2 if base <= 2 else 5 if base <= 5 else 10) * 10**exp
    low = math.floor(lo / step) * step
    high = math.ceil(hi / step) * step
    return round(low, 10) + 0.0, round(high, 10) + 0.0


# ----------------------------------------------------------------------- time charts
def revenue_capex(frame: pd.DataFrame, events: Sequence[Event] = (),
                  horizon: int = 40) -> Figure:
    """AI revenue vs capex per year, the gap between them shaded."""
    rev = column_data(frame, "ai_revenue", 4, 1)
    capex = column_data(frame, "capex", 4, 1)
    low = [None if r is None or c is None else min(r, c) for r, c in zip(rev, capex,
                                                                          strict=False)]
    gap = [None if r is None or c is None else round(max(c - r, 0.0), 1)
           for r, c in zip(rev, capex, strict=False)]
    opt = base_option(quarter_axis(frame, horizon))
    opt["yAxis"] = [yaxis("USD bn / yr", min_=0)]
    floor = line("floor", low, "rgba(0,0,0,0)", width=0, stack="gap")
    floor["lineStyle"]["opacity"] = 0
    floor["showSymbol"] = False
    shade = line("Revenue gap", gap, theme.VERMILION, width=0, area=0.3, stack="gap")
    shade["showSymbol"] = False
    opt["series"] = [line("AI capex", capex, theme.BLUE, width=2.5),
                     line("AI revenue", rev, theme.GREEN, width=2.5), shade, floor]
    opt["tooltip"] = tooltip(["USD bn/yr", "USD bn/yr", "USD bn/yr"])
    fig = Figure("revenue", "AI revenue vs AI capex, per year", opt,
                 (Key("AI capex (all builders)", theme.BLUE),
                  Key("AI revenue (end customers)", theme.GREEN),
                  Key("Gap: capex not covered by revenue", theme.VERMILION, "area")),
                 "Both at annual rates (4 x the quarter). Capex counts every builder in the "
                 "model: hyperscalers, neoclouds and their SPVs.")
    return _with_marks(fig, events)


def bubble(frame: pd.DataFrame, events: Sequence[Event] = (), horizon: int = 40) -> Figure:
    """Bubble index (market value over the value expected revenue justifies) and AI equity."""
    opt = base_option(quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [yaxis("bubble index", min_=0),
                    yaxis("USD bn", position="right", split=False, min_=0)]
    opt["series"] = [
        line("Bubble index", column_data(frame, "bubble_index", 1, 3), theme.VERMILION, width=2.5),
        line("AI equity value", column_data(frame, "equity_value_ai", 1, 0), theme.BLUE, axis=1,
              area=0.08),
    ]
    opt["yAxis"][0]["splitLine"] = {"show": True}
    opt["series"][0]["markLine"] = {"silent": True, "symbol": "none", "animation": False,
                                    "data": [{"yAxis": 1, "name": "no bubble", "lineStyle": {
                                        "color": theme.GREY, "type": "solid"}}],
                                    "label": {"show": False}}
    opt["tooltip"] = tooltip(["x fundamental value", "USD bn"])
    fig = Figure("bubble", "Bubble index and the market value of AI equity", opt,
                 (Key("Bubble index (left)", theme.VERMILION),
                  Key("AI equity value, USD bn (right)", theme.BLUE, "area")),
                 "Bubble index = market value of AI firms' equity divided by the value their "
                 "expected revenue justifies; 1 (grey line) means no bubble.")
    return _with_marks(fig, events)


def debt_stack(frame: pd.DataFrame, events: Sequence[Event] = (), horizon: int = 40) -> Figure:
    """AI debt outstanding by type (stacked) and the off-balance-sheet share."""
    opt = base_option(quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [yaxis("USD bn", min_=0),
                    yaxis("off B/S", fmt_kind="{value}%", min_=0, max_=100, position="right",
                           split=False)]
    series, keys, units = [], [], []
    for col, (label, color) in theme.DEBT_TYPES.items():
        if col in frame.columns:
            series.append(line(label, column_data(frame, col, 1, 1), color, width=1, area=0.55,
                                stack="debt"))
            keys.append(Key(label, color, "area"))
            units.append("USD bn")
    series.append(line("Off balance sheet", column_data(frame, "off_balance_sheet_share", 100, 1),
                        theme.BLACK, axis=1, width=2, dashed=True))
    keys.append(Key("Share off balance sheet, % (right)", theme.BLACK, "dashed"))
    units.append("%")
    opt["series"] = series
    opt["tooltip"] = tooltip(units)
    fig = Figure("debt", "AI debt by type, and the share off balance sheet", opt, tuple(keys),
                 "Debt of AI firms and their SPVs outstanding, stacked by type; the dashed line "
                 "is the share held in off-balance-sheet SPVs.")
    return _with_marks(fig, events)


def utilisation(frame: pd.DataFrame, events: Sequence[Event] = (),
                horizon: int = 40) -> Figure:
    """Compute utilisation and the used-GPU price index."""
    opt = base_option(quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [yaxis("utilisation", fmt_kind="{value}%", min_=0, max_=100),
                    yaxis("price index", position="right", split=False, min_=0)]
    opt["series"] = [
        line("Utilisation", column_data(frame, "compute_utilisation", 100, 1), theme.SKY,
              width=2.5),
        line("Used-GPU price", column_data(frame, "gpu_price_index", 1, 3), theme.BLACK, axis=1,
              dashed=True),
    ]
    opt["tooltip"] = tooltip(["%", "(2025Q1 = 1)"])
    fig = Figure("utilisation", "Compute utilisation and the used-GPU price", opt,
                 (Key("Utilisation of built capacity, % (left)", theme.SKY),
                  Key("Used-GPU price index, 2025Q1 = 1 (right)", theme.BLACK, "dashed")),
                 "How much of the compute already built is in use, and what a used GPU still "
                 "fetches relative to 2025Q1.")
    return _with_marks(fig, events)


def holder_sectors(frame: pd.DataFrame) -> list[str]:
    """Loss columns of the holder sectors behind private credit (insurers, pension funds, ...).

    Every ``losses_<name>`` that is not a role's or households': parts of the outside
    sector's losses (``losses_outside``), so a sector the model adds is split out too.
    """
    return [c for c in frame.columns if c.startswith("losses_") and c != HOUSEHOLDS
            and c.removeprefix("losses_") not in theme.ROLE_COLORS
            and pd.api.types.is_numeric_dtype(frame[c])]


def loss_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """Cumulative losses by who bears them, each dollar once (columns ``losses_<bearer>``).

    The model's bearer types (the roles), with the outside sector split into the holder
    sectors behind private credit and the rest of it (bond and equity investors, depositors,
    ...); households' losses overlap these and are left out. The columns add up to the
    model's cumulative losses.
    """
    sectors = holder_sectors(frame)
    # plain arrays: this runs on every step, and pandas' column operations cost milliseconds
    parts = {c: frame[c].to_numpy(dtype=float) for c in frame.columns
             if c.startswith("losses_") and c.removeprefix("losses_") in theme.ROLE_COLORS
             and pd.api.types.is_numeric_dtype(frame[c])}
    if OUTSIDE in parts and sectors:
        rest = parts.pop(OUTSIDE)
        for c in sectors:
            parts[c] = frame[c].to_numpy(dtype=float)
            rest = rest - parts[c]
        parts[OUTSIDE] = np.clip(rest, 0.0, None)
    return pd.DataFrame(parts, index=frame.index)


def losses(frame: pd.DataFrame, events: Sequence[Event] = (), horizon: int = 40) -> Figure:
    """Cumulative losses by who bears them (stacked) on a fixed floor, and defaults (bars)."""
    opt = base_option(quarter_axis(frame, horizon), right_axis=True)
    parts = loss_parts(frame)
    total = parts.sum(axis=1).max() if len(parts.columns) and len(frame) else 0.0
    households = float(frame[HOUSEHOLDS].max()) if HOUSEHOLDS in frame and len(frame) else 0.0
    top = max(float(total) if _num(total) else 0.0, households) * 1.1
    _lo, axis_max = nice_range(0.0, max(top, LOSS_AXIS_FLOOR_BN))
    opt["yAxis"] = [yaxis("USD bn", min_=0, max_=axis_max),
                    yaxis("defaults", position="right", split=False, min_=0,
                           max_=max(4, int(frame["defaults"].max() or 0) + 1)
                           if "defaults" in frame and len(frame) else 4)]
    series, keys, units = [], [], []
    for i, col in enumerate(parts.columns):
        name = col.removeprefix("losses_")
        color = theme.bearer_color(name, i)
        series.append(line(theme.bearer_label(name), column_data(parts, col, 1, 2), color,
                            width=1, area=0.65, stack="loss"))
        keys.append(Key(theme.bearer_label(name), color, "area"))
        units.append("USD bn")
    if HOUSEHOLDS in frame.columns:
        series.append(line("Households", column_data(frame, HOUSEHOLDS, 1, 2),
                            theme.DARK_GREY, width=2.5, dashed=True))
        keys.append(Key("Of which households (depositors, savers, pensions)", theme.DARK_GREY,
                        "dashed"))
        units.append("USD bn")
    series.append({"name": "Defaults this quarter", "type": "bar", "yAxisIndex": 1,
                   "data": column_data(frame, "defaults", 1, 0), "color": theme.DISTRESS,
                   "barMaxWidth": 8})
    keys.append(Key("Defaults this quarter (right)", theme.DISTRESS, "bar"))
    units.append("agents")
    opt["series"] = series
    opt["tooltip"] = tooltip(units)
    fig = Figure("losses", "Who bears the losses (cumulative) and defaults", opt, tuple(keys),
                 f"Realised losses so far, stacked by who bears them: firms, funds, banks and "
                 f"the investors behind private credit (insurers, pension funds, retail and "
                 f"other LPs). The axis always runs to at least "
                 f"{fmt.money(LOSS_AXIS_FLOOR_BN)}, so small losses look small.")
    return _with_marks(fig, events)


def financing_sources(frame: pd.DataFrame) -> pd.DataFrame:
    """New money for the build-out per quarter by source, and the rest of capex (own cash).

    Columns: the model's ``financing_*`` columns present, and ``own_cash`` = capex not
    covered by new money (zero when new money exceeds capex: labs raise it for compute).
    """
    out = {c: frame[c].to_numpy(dtype=float) for c in theme.FINANCING if c in frame.columns}
    capex = frame["capex"].to_numpy(dtype=float) if "capex" in frame.columns else 0.0
    out["own_cash"] = np.clip(capex - sum(out.values(), np.zeros(len(frame))), 0.0, None)
    return pd.DataFrame(out, index=frame.index)


def lower_label(label: str) -> str:
    """A label inside a sentence: first letter small, acronyms (ABS) kept."""
    return label if label.isupper() else label[:1].lower() + label[1:]


def financing(frame: pd.DataFrame, events: Sequence[Event] = (), horizon: int = 40) -> Figure:
    """How the build-out is financed: new money per quarter by source (stacked bars).

    AI capex is a line; the part of capex no new money pays for is the firms' own cash.
    """
    opt = base_option(quarter_axis(frame, horizon))
    opt["xAxis"]["boundaryGap"] = True  # bars sit between the ticks, not on the edges
    opt["yAxis"] = [yaxis("USD bn / quarter", min_=0)]
    src = financing_sources(frame)
    series, keys = [], []
    for col in src.columns:
        label, color = theme.FINANCING.get(col, theme.OWN_CASH)
        series.append({"name": label, "type": "bar", "stack": "money", "color": color,
                       "data": column_data(src, col, 1, 1), "barCategoryGap": "20%"})
        keys.append(Key(label, color, "bar"))
    series.append(line("AI capex", column_data(frame, "capex", 1, 1), theme.BLACK, width=2))
    keys.append(Key("AI capex", theme.BLACK))
    opt["series"] = series
    opt["tooltip"] = tooltip(["USD bn"] * len(series))
    total = src.sum() if len(src) else None
    if total is not None and "capex" in frame.columns:
        parts = ", ".join(f"{lower_label(theme.FINANCING.get(c, theme.OWN_CASH)[0])} "
                          f"{fmt.money(total[c])}" for c in src.columns)
        so_far = (f" So far: capex {fmt.money(float(frame['capex'].sum()))}; {parts}.")
    else:
        so_far = ""
    fig = Figure("financing", "How the build-out is financed: new money per quarter", opt,
                 tuple(keys),
                 "New money raised by AI firms each quarter, by source (rollovers are not new "
                 "money); grey is the part of capex paid from the firms' own cash. Bars above "
                 "the capex line: money raised beyond capex (labs raise it to pay for "
                 "compute)." + so_far)
    return _with_marks(fig, events)


def credit(frame: pd.DataFrame, requirement: float, events: Sequence[Event] = (),
           horizon: int = 40) -> Figure:
    """IG credit spread (bp) and bank capital ratios against the requirement (%)."""
    opt = base_option(quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [yaxis("spread, bp", min_=0),
                    yaxis("capital ratio", fmt_kind="{value}%", position="right", split=False,
                           min_=0)]
    cap = line("All banks", column_data(frame, "bank_capital_ratio", 100, 2), theme.BLACK,
                axis=1, width=2.5)
    cap["markLine"] = {
        "silent": True, "symbol": "none", "animation": False,
        "data": [{"yAxis": round(float(requirement) * 100, 2), "name": "requirement"}],
        "lineStyle": {"color": theme.BLACK, "type": "dotted", "width": 1.5},
        "label": {"formatter": "requirement {c}%", "position": "insideEndTop", "fontSize": 10},
    }
    series = [line("IG spread", column_data(frame, "credit_spread_ig", 1, 1), theme.BLUE,
                    width=2.5), cap]
    keys = [Key("Investment-grade spread, bp (left)", theme.BLUE),
            Key("Capital ratio, all banks, % (right)", theme.BLACK),
            Key("Requirement", theme.BLACK, "dotted")]
    units = ["bp", "%"]
    if "bank_capital_ratio_min" in frame.columns:
        series.append(line("Weakest bank", column_data(frame, "bank_capital_ratio_min", 100, 2),
                            theme.VERMILION, axis=1, width=2, dashed=True))
        keys.insert(2, Key("Capital ratio, weakest bank, %", theme.VERMILION, "dashed"))
        units.append("%")
    opt["series"] = series
    opt["tooltip"] = tooltip(units)
    fig = Figure("credit", "Credit spread and bank capital", opt, tuple(keys),
                 "The extra yield investors ask of investment-grade borrowers, and banks' "
                 "capital as a share of risk-weighted assets against the requirement.")
    return _with_marks(fig, events)


# ---------------------------------------------------------------- balance sheets
LINE_LABELS = {
    "cash": "Cash",
    "GPUs and servers": "GPUs and servers (book value)",
    "buildings and power": "Buildings and power (book value)",
    "other assets": "Other assets",
    "equity stakes": "Shares held in other firms",
    "warrants": "Warrants held",
    "loss allowance": "Provision for expected loan losses",
    "ig bond owed": "Investment-grade bonds issued",
    "ig bond held": "Investment-grade bonds held",
    "spv debt owed": "SPV debt owed",
    "spv debt held": "SPV debt held",
    "finance lease owed": "Finance leases owed",
    "deposit owed": "Customer deposits",
    "corporate held": "Corporate loans made",
    "corporate owed": "Corporate loans owed",
    "lease arrears": "Unpaid rent owed",
    "compute arrears": "Unpaid compute bills owed",
    "equity": "Equity (assets − liabilities)",
}


def line_label(key: str) -> str:
    """Plain label of a balance-sheet line (``ig bond owed`` -> ``Investment-grade bonds ...``)."""
    if key in LINE_LABELS:
        return LINE_LABELS[key]
    for suffix, word in ((" owed", "owed"), (" held", "held")):
        if key.endswith(suffix):
            return f"{key.removesuffix(suffix).capitalize()} loans {word}"
    return key[:1].upper() + key[1:]


def balance_sheet(history: Sequence[tuple[str, dict[str, dict[str, float]]]],
                  name: str) -> Figure:
    """Assets (above zero) and liabilities (below zero) of one agent over time, stacked."""
    quarters = [q for q, _ in history]
    asset_lines: list[str] = []
    liab_lines: list[str] = []
    for _, sheet in history:
        asset_lines += [k for k in sheet.get("assets", {}) if k not in asset_lines]
        liab_lines += [k for k in sheet.get("liabilities", {}) if k not in liab_lines]
    palette = [theme.BLUE, theme.SKY, theme.GREEN, theme.YELLOW, theme.PURPLE, theme.GREY,
               theme.DARK_GREY, theme.BLACK]
    liab_palette = [theme.VERMILION, "#8C6D00", theme.PURPLE, theme.BLACK, theme.GREY,
                    theme.SKY]
    series, keys = [], []
    for i, k in enumerate(asset_lines):
        data = [_num(s.get("assets", {}).get(k)) for _, s in history]
        color = palette[i % len(palette)]
        series.append(line(line_label(k), [None if v is None else round(v, 2) for v in data],
                            color, width=1, area=0.6, stack="assets"))
        keys.append(Key(line_label(k), color, "area"))
    for i, k in enumerate(liab_lines):
        data = [_num(s.get("liabilities", {}).get(k)) for _, s in history]
        color = liab_palette[i % len(liab_palette)]
        series.append(line(line_label(k), [None if v is None else round(-v, 2) for v in data],
                            color, width=1, area=0.5, stack="liabilities"))
        keys.append(Key(line_label(k) + " (below zero)", color, "area"))
    opt = base_option(quarters)
    opt["yAxis"] = [yaxis("USD bn")]
    opt["series"] = series
    opt["tooltip"] = tooltip(["USD bn"] * len(series))
    return Figure("balance_sheet", f"{name}: assets (up), liabilities and equity (down)", opt,
                  tuple(keys), "Book values at the end of each quarter, USD bn.")


# ----------------------------------------------------------------------- Compare
def fan(bands: pd.DataFrame, scenario: str, label: str, color: str, scale: float = 1.0,
        y_range: tuple[float, float] | None = None, unit: str = "") -> Figure:
    """Fan chart of one scenario: median line and the 10-90% band.

    Args:
        bands: rows per quarter with columns ``quarter, p10, p50, p90`` for this scenario.
        scenario: its name (the title).
        label: what the y axis means, with units.
        color: the scenario's colour.
        scale: factor applied to the values (4 for per-year flows, 100 for percent).
        y_range: common (min, max) so side-by-side charts compare at a glance.
        unit: the unit shown in the tooltip.
    """
    q = [str(x) for x in bands["quarter"].tolist()]
    p10 = column_data(bands, "p10", scale, 3)
    p90 = column_data(bands, "p90", scale, 3)
    width = [None if a is None or b is None else round(b - a, 3)
             for a, b in zip(p10, p90, strict=False)]
    opt = base_option(q)
    opt["grid"]["top"] = 20
    opt["yAxis"] = [yaxis("")]
    if y_range:
        lo, hi = nice_range(*y_range)
        opt["yAxis"][0]["min"], opt["yAxis"][0]["max"] = lo, hi
    low = line("10th percentile", p10, color, width=0, stack="band")
    low["lineStyle"]["opacity"] = 0
    low["showSymbol"] = False
    band = line("10-90% band width", width, color, width=0, area=0.25, stack="band")
    band["showSymbol"] = False
    median = line("Median", column_data(bands, "p50", scale, 3), color, width=2.5)
    opt["series"] = [median, low, band]
    opt["tooltip"] = {"trigger": "axis", "confine": True,
                      "formatter": "{b}<br/>median: <b>{c0}</b> " + html.escape(unit)
                      + "<br/>10th percentile: {c1} " + html.escape(unit)}
    return Figure(f"fan-{scenario.replace(' ', '-')}", f"{scenario}: {label}", opt,
                  (Key("Median over seeds", color), Key("10-90% of seeds", color, "area")))
