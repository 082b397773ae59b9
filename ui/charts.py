"""ECharts option builders: pure functions from model output to an ``option`` dict.

Each builder takes the results frame (one row per quarter, columns as in MODEL.md
section 6) or another plain table and returns a JSON-ready dict for
``solara.FigureEcharts``. No widgets, no model objects: easy to test and cheap to call.
Animation is off everywhere (an animated update costs ~1 s in the browser).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ui import format as fmt
from ui import theme

AXIS_FONT = 11
MARKER_KINDS = ("default", "gate", "bank_breach")
MARKER_LABEL = {"default": "default", "gate": "gate", "bank_breach": "bank breach"}


# --------------------------------------------------------------------------- helpers
def _num(x: Any) -> float | None:
    """A JSON-safe float (None for NaN/inf/missing)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _series(frame: pd.DataFrame, col: str, scale: float = 1.0, digits: int = 3) -> list:
    if col not in frame.columns:
        return []
    out = []
    for x in frame[col].tolist():
        v = _num(x)
        out.append(None if v is None else round(v * scale, digits))
    return out


def quarter_axis(frame: pd.DataFrame, horizon: int = 40) -> list[str]:
    """Quarter labels for the x axis: the run so far, padded to ``horizon`` quarters."""
    labels = [str(q) for q in frame["quarter"].tolist()] if "quarter" in frame.columns else []
    n = max(horizon, len(labels))
    return labels + [fmt.quarter(t) for t in range(len(labels), n)]


def _base(title: str, quarters: list[str], *, right_axis: bool = False) -> dict:
    option: dict[str, Any] = {
        "animation": False,
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis", "confine": True},
        "legend": {"top": 26, "left": 8, "right": 8, "type": "scroll", "itemWidth": 14,
                   "textStyle": {"fontSize": 11}},
        "grid": {"left": 58, "right": 58 if right_axis else 18, "top": 74, "bottom": 28},
        "xAxis": {
            "type": "category",
            "data": quarters,
            "boundaryGap": False,
            "axisLabel": {"fontSize": AXIS_FONT},
        },
    }
    return option


def _yaxis(name: str, *, fmt_kind: str = "", min_: float | None = None, max_: float | None = None,
           position: str = "left", split: bool = True) -> dict:
    axis: dict[str, Any] = {
        "type": "value",
        "name": name,
        "position": position,
        "nameTextStyle": {"fontSize": AXIS_FONT,
                          "align": "left" if position == "left" else "right"},
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


def event_marks(events: Iterable[Any], kinds: Sequence[str] = MARKER_KINDS) -> dict | None:
    """A ``markLine`` putting defaults, gates and bank breaches on the time axis."""
    seen: dict[tuple[str, str], int] = {}
    for ev in events:
        kind = getattr(ev, "kind", None)
        if kind in kinds:
            key = (str(getattr(ev, "quarter", "")), kind)
            seen[key] = seen.get(key, 0) + 1
    if not seen:
        return None
    data = []
    for (quarter, kind), n in sorted(seen.items()):
        label = MARKER_LABEL.get(kind, kind) + (f" x{n}" if n > 1 else "")
        data.append({
            "xAxis": quarter,
            "name": label,
            "lineStyle": {"color": theme.EVENT_COLORS.get(kind, theme.DISTRESS), "type": "dashed",
                          "width": 1},
            "label": {"show": False},
        })
    return {"silent": False, "symbol": "none", "animation": False, "data": data,
            "tooltip": {"formatter": "{b}"}, "label": {"show": False}}


def _attach_marks(option: dict, events: Iterable[Any] | None) -> dict:
    if events is None or not option.get("series"):
        return option
    marks = event_marks(events)
    if marks:
        option["series"][0]["markLine"] = marks
    return option


def _line(name: str, data: list, color: str, *, axis: int = 0, width: float = 2,
          dashed: bool = False, area: float | None = None, stack: str | None = None) -> dict:
    s: dict[str, Any] = {
        "name": name,
        "type": "line",
        "data": data,
        "yAxisIndex": axis,
        "showSymbol": False,
        "symbol": "none",
        "color": color,
        "lineStyle": {"width": width, "color": color, **({"type": "dashed"} if dashed else {})},
    }
    if area is not None:
        s["areaStyle"] = {"opacity": area, "color": color}
    if stack:
        s["stack"] = stack
    return s


# ----------------------------------------------------------------------- time charts
def revenue_capex(frame: pd.DataFrame, events: Iterable[Any] | None = None,
                  horizon: int = 40) -> dict:
    """AI revenue vs capex per year, the gap between them shaded."""
    q = quarter_axis(frame, horizon)
    rev = _series(frame, "ai_revenue", 4, 1)
    capex = _series(frame, "capex", 4, 1)
    low = [None if r is None or c is None else min(r, c) for r, c in zip(rev, capex, strict=False)]
    gap = [None if r is None or c is None else round(max(c - r, 0.0), 1)
           for r, c in zip(rev, capex, strict=False)]
    opt = _base("AI revenue vs capex (per year)", q)
    opt["yAxis"] = [_yaxis("USD bn / yr")]
    floor = _line("floor", low, "rgba(0,0,0,0)", width=0, stack="gap")
    floor["lineStyle"]["opacity"] = 0
    floor["tooltip"] = {"show": False}
    shade = _line("Revenue gap", gap, theme.VERMILION, width=0, area=0.25, stack="gap")
    opt["series"] = [
        _line("Capex", capex, theme.BLUE, width=2.5),
        _line("AI revenue", rev, theme.GREEN, width=2.5),
        floor,
        shade,
    ]
    opt["legend"]["data"] = ["Capex", "AI revenue", "Revenue gap"]
    return _attach_marks(opt, events)


def bubble(frame: pd.DataFrame, events: Iterable[Any] | None = None, horizon: int = 40) -> dict:
    """Bubble index (value / normal value) and the market value of AI equity."""
    opt = _base("Bubble index and AI equity value", quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [_yaxis("bubble index"), _yaxis("USD bn", position="right", split=False)]
    opt["series"] = [
        _line("Bubble index", _series(frame, "bubble_index", 1, 3), theme.VERMILION, width=2.5),
        _line("AI equity value", _series(frame, "equity_value_ai", 1, 0), theme.BLUE, axis=1,
              area=0.08),
    ]
    return _attach_marks(opt, events)


def debt_stack(frame: pd.DataFrame, events: Iterable[Any] | None = None,
               horizon: int = 40) -> dict:
    """AI debt outstanding by type (stacked) and the off-balance-sheet share."""
    opt = _base("AI debt by type, and share off balance sheet", quarter_axis(frame, horizon),
                right_axis=True)
    opt["yAxis"] = [_yaxis("USD bn"),
                    _yaxis("off-B/S", fmt_kind="{value}%", min_=0, max_=100, position="right",
                           split=False)]
    series = []
    for col, (label, color) in theme.DEBT_TYPES.items():
        if col in frame.columns:
            series.append(_line(label, _series(frame, col, 1, 1), color, width=1, area=0.55,
                                stack="debt"))
    series.append(_line("Off balance sheet (%)", _series(frame, "off_balance_sheet_share", 100, 1),
                        theme.PURPLE, axis=1, width=2.5, dashed=True))
    opt["series"] = series
    return _attach_marks(opt, events)


def utilisation(frame: pd.DataFrame, events: Iterable[Any] | None = None,
                horizon: int = 40) -> dict:
    """Compute utilisation and the used-GPU price index."""
    opt = _base("Compute utilisation and used-GPU price", quarter_axis(frame, horizon),
                right_axis=True)
    opt["yAxis"] = [_yaxis("utilisation", fmt_kind="{value}%", min_=0, max_=100),
                    _yaxis("GPU price index", position="right", split=False, min_=0)]
    opt["series"] = [
        _line("Utilisation (%)", _series(frame, "compute_utilisation", 100, 1), theme.SKY,
              width=2.5),
        _line("Used-GPU price", _series(frame, "gpu_price_index", 1, 3), theme.ORANGE, axis=1),
    ]
    return _attach_marks(opt, events)


def loss_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of cumulative losses by bearer: ``losses_<b>`` or ``cumulative_losses_<b>``."""
    cols = [c for c in frame.columns
            if c.startswith(("cumulative_losses_", "losses_"))
            and pd.api.types.is_numeric_dtype(frame[c])]
    return cols


def bearer_name(col: str) -> str:
    """``cumulative_losses_bond_investors`` -> ``bond_investors``."""
    for prefix in ("cumulative_losses_", "losses_"):
        if col.startswith(prefix):
            return col[len(prefix):]
    return col


def losses(frame: pd.DataFrame, events: Iterable[Any] | None = None, horizon: int = 40) -> dict:
    """Cumulative losses by who bears them (stacked) and defaults per quarter (bars)."""
    opt = _base("Defaults and cumulative losses by who bears them", quarter_axis(frame, horizon),
                right_axis=True)
    opt["yAxis"] = [_yaxis("USD bn"), _yaxis("defaults", position="right", split=False,
                                              min_=0)]
    series = []
    cols = loss_columns(frame)
    if cols:
        for i, col in enumerate(cols):
            name = bearer_name(col)
            series.append(_line(theme.bearer_label(name), _series(frame, col, 1, 2),
                                theme.bearer_color(name, i), width=1, area=0.6, stack="loss"))
    elif "cumulative_losses" in frame.columns:
        series.append(_line("All bearers", _series(frame, "cumulative_losses", 1, 2), theme.GREY,
                            width=1, area=0.6))
    series.append({"name": "Defaults this quarter", "type": "bar", "yAxisIndex": 1,
                   "data": _series(frame, "defaults", 1, 0), "color": theme.DISTRESS,
                   "barMaxWidth": 8})
    opt["series"] = series
    return _attach_marks(opt, events)


def credit(frame: pd.DataFrame, requirement: float | None = None,
           events: Iterable[Any] | None = None, horizon: int = 40) -> dict:
    """IG credit spread (bp) and bank capital ratio against its requirement (%)."""
    opt = _base("Credit spread and bank capital", quarter_axis(frame, horizon), right_axis=True)
    opt["yAxis"] = [_yaxis("spread, bp", min_=0),
                    _yaxis("capital ratio", fmt_kind="{value}%", position="right", split=False,
                           min_=0)]
    spread = []
    if "credit_spread_ig" in frame.columns:
        for x in frame["credit_spread_ig"].tolist():
            f = fmt.spread_to_fraction(x)
            spread.append(None if f is None else round(f * 1e4, 1))
    cap = _line("Bank capital ratio (%)", _series(frame, "bank_capital_ratio", 100, 2), theme.BLACK,
                axis=1, width=2.5)
    if requirement is not None and _num(requirement) is not None:
        cap["markLine"] = {
            "silent": True, "symbol": "none", "animation": False,
            "data": [{"yAxis": round(float(requirement) * 100, 2), "name": "requirement"}],
            "lineStyle": {"color": theme.DISTRESS, "type": "dashed"},
            "label": {"formatter": "requirement {c}%", "position": "insideEndTop", "fontSize": 10},
        }
    series = [_line("IG spread (bp)", spread, theme.VERMILION, width=2.5), cap]
    if "bank_capital_ratio_min" in frame.columns:
        series.append(_line("Weakest bank (%)", _series(frame, "bank_capital_ratio_min", 100, 2),
                            theme.BLACK, axis=1, width=1.5, dashed=True))
    opt["series"] = series
    return _attach_marks(opt, events)


# ------------------------------------------------------------------------- network
def _circle_positions(names_by_role: list[tuple[str, str]], radius: float = 100.0) -> dict:
    n = max(len(names_by_role), 1)
    pos = {}
    for i, (name, _role) in enumerate(names_by_role):
        a = 2 * math.pi * i / n - math.pi / 2
        pos[name] = (round(radius * math.cos(a), 2), round(radius * math.sin(a), 2))
    return pos


ROLE_ORDER = ("chipmaker", "lab", "hyperscaler", "neocloud", "spv", "abs", "fund", "bank",
              "outside")
VEHICLES = ("spv", "abs")  # drawn on the inner ring


def network(exposures: pd.DataFrame, agents: Sequence[dict], *, min_amount: float = 0.0,
            highlight_cycles: bool = False, show_outside: bool = False,
            max_links: int = 80) -> dict:
    """Who owes whom: a graph with fixed circular layout grouped by role.

    Args:
        exposures: rows ``debtor, creditor, kind, amount`` (``AIEconomy.exposures()``).
        agents: dicts with ``name, role, status, total_assets`` for the strategic agents.
        min_amount: drop links smaller than this (USD bn).
        highlight_cycles: colour links that are part of a cycle (circular deals).
        show_outside: include outside-sector accounts (bond investors, depositors, ...).
        max_links: keep the largest links (circular ones are always kept).
    """
    info = {a["name"]: a for a in agents}
    names = list(info)
    if exposures is not None and len(exposures) and not show_outside:
        known = exposures["debtor"].isin(info) & exposures["creditor"].isin(info)
        exposures = exposures[known]
    if exposures is not None and len(exposures):
        for col in ("debtor", "creditor"):
            for name in exposures[col].astype(str).unique().tolist():
                if name not in info:
                    info[name] = {"name": name, "role": "outside", "status": "active",
                                  "total_assets": None}
                    names.append(name)
    order = sorted(names, key=lambda n: (ROLE_ORDER.index(info[n]["role"])
                                         if info[n]["role"] in ROLE_ORDER else 99,
                                         names.index(n)))
    outer = [(n, info[n]["role"]) for n in order if info[n]["role"] not in VEHICLES]
    inner = [(n, info[n]["role"]) for n in order if info[n]["role"] in VEHICLES]
    pos = {**_circle_positions(outer, 100.0), **_circle_positions(inner, 52.0)}
    index = {n: i for i, n in enumerate(order)}

    sizes = [(_num(info[n].get("total_assets")) or 0.0) for n in order]
    big = max([s for s in sizes if s > 0], default=1.0)
    nodes = []
    for n, s in zip(order, sizes, strict=True):
        a = info[n]
        status = a.get("status", "active")
        color = theme.role_color(a.get("role", "outside"))
        size = 10 + 30 * math.sqrt(max(s, 0.0) / big) if s > 0 else 10
        item: dict[str, Any] = {
            "name": n,
            "x": pos[n][0],
            "y": -pos[n][1] if False else pos[n][1],
            "symbolSize": round(size, 1),
            "category": (ROLE_ORDER.index(a["role"]) if a.get("role") in ROLE_ORDER
                         else len(ROLE_ORDER) - 1),
            "itemStyle": {"color": color, "borderColor": "#ffffff", "borderWidth": 1},
            "value": round(s, 1),
            "status": status,
            "tooltip": {"formatter": f"{n} ({theme.ROLE_LABELS.get(a.get('role'), a.get('role'))})"
                                     f"<br/>assets {fmt.money(s)}<br/>status: {status}"},
            "label": {"show": a.get("role") not in VEHICLES or size >= 16 or status != "active",
                      "fontSize": 10, "position": "right"},
        }
        if status == "distressed":
            item["itemStyle"].update({"borderColor": theme.DISTRESS, "borderWidth": 3})
        elif status == "defaulted":
            item["itemStyle"].update({"borderColor": theme.DISTRESS, "borderWidth": 3,
                                      "opacity": 0.45, "borderType": "dashed"})
            item["label"]["formatter"] = f"✖ {n}"
            item["label"]["color"] = theme.DISTRESS
        nodes.append(item)

    links: list[dict] = []
    pairs: dict[tuple[str, str], list[tuple[str, float]]] = {}
    if exposures is not None and len(exposures):
        for d, c, k, amt in exposures[["debtor", "creditor", "kind", "amount"]].itertuples(
                index=False, name=None):
            v = _num(amt)
            if v is None or v <= min_amount:
                continue
            pairs.setdefault((str(d), str(c)), []).append((str(k), v))
    roles = {n: info[n]["role"] for n in info}
    cyc = circular_pairs(pairs, roles) if highlight_cycles else set()
    top = max((sum(v for _, v in items) for items in pairs.values()), default=1.0)
    ranked = sorted(pairs.items(), key=lambda kv: -sum(v for _, v in kv[1]))
    keep = {k for k, _ in ranked[:max_links]} | cyc
    for (d, c), items in pairs.items():
        if (d, c) not in keep:
            continue
        total = sum(v for _, v in items)
        lines = "<br/>".join(f"{k}: {fmt.money(v)}" for k, v in sorted(items, key=lambda x: -x[1]))
        in_cycle = (d, c) in cyc
        links.append({
            "source": index[d],
            "target": index[c],
            "value": round(total, 2),
            "lineStyle": {"width": round(0.6 + 7.4 * math.sqrt(total / top), 2),
                          "color": theme.ORANGE if in_cycle else "source",
                          "opacity": 0.85 if in_cycle else 0.45, "curveness": 0.15},
            "tooltip": {"formatter": f"{d} owes {c}: {fmt.money(total)}<br/>{lines}"},
        })
    categories = [{"name": theme.ROLE_LABELS[r], "itemStyle": {"color": theme.ROLE_COLORS[r]}}
                  for r in ROLE_ORDER]
    return {
        "animation": False,
        "title": {"text": "Who owes whom (arrow: debtor → creditor; width = exposure)",
                  "left": 8, "top": 4, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item", "confine": True},
        "legend": {"data": [c["name"] for c in categories], "top": 26, "left": 8,
                   "textStyle": {"fontSize": 10}, "itemWidth": 12},
        "series": [{
            "type": "graph",
            "layout": "none",
            "roam": True,
            "top": 80, "bottom": 20, "left": 60, "right": 110,
            "edgeSymbol": ["none", "arrow"],
            "edgeSymbolSize": 6,
            "categories": categories,
            "data": nodes,
            "links": links,
            "emphasis": {"focus": "adjacency", "label": {"show": True}},
            "lineStyle": {"curveness": 0.15},
        }],
    }


GPU_OWNERS = ("hyperscaler", "neocloud", "spv")


def circular_pairs(pairs: dict[tuple[str, str], list[tuple[str, float]]],
                   roles: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """Debtor/creditor pairs that belong to a vendor-financing loop (the circular deals).

    A loop starts with a chipmaker financing a customer: equity or warrants it holds in the
    customer, warrants it grants, or a backstop it gives. The financed customer then pays a
    GPU owner (hyperscaler, neocloud or SPV) for compute or rent, and the GPU owner buys its
    GPUs from the chipmakers, closing the loop: e.g. Nvidia -> OpenAI (equity) -> Oracle
    (compute) -> Nvidia (GPU orders, a cash sale with no contract left to draw).

    Args:
        pairs: (debtor, creditor) -> [(kind, amount), ...].
        roles: agent name -> role.
    """
    roles = roles or {}
    out: set[tuple[str, str]] = set()
    financed: set[str] = set()
    for (d, c), items in pairs.items():
        kinds = {k for k, _ in items}
        if roles.get(c) == "chipmaker" and kinds & {"equity", "warrant"}:
            out.add((d, c))
            financed.add(d)
        elif roles.get(d) == "chipmaker" and kinds & {"warrant", "backstop"}:
            out.add((d, c))
            financed.add(c)
    for (d, c), items in pairs.items():
        kinds = {k for k, _ in items}
        if d in financed and roles.get(c) in GPU_OWNERS and kinds & {"compute", "lease"}:
            out.add((d, c))
    return out


# ---------------------------------------------------------------- balance sheets
def balance_sheet(history: Sequence[tuple[str, dict]], name: str) -> dict:
    """Assets (above zero) and liabilities (below zero) of one agent over time, stacked.

    Args:
        history: ``(quarter label, balance_sheet() dict)`` per recorded quarter.
        name: the agent's name (for the title).
    """
    quarters = [q for q, _ in history]
    asset_lines: list[str] = []
    liab_lines: list[str] = []
    for _, sheet in history:
        for k in sheet.get("assets", {}):
            if k not in asset_lines:
                asset_lines.append(k)
        for k in sheet.get("liabilities", {}):
            if k not in liab_lines:
                liab_lines.append(k)
    palette = [theme.BLUE, theme.SKY, theme.GREEN, theme.YELLOW, theme.ORANGE, theme.PURPLE,
               theme.GREY, theme.BLACK]
    series = []
    for i, k in enumerate(asset_lines):
        data = [_num(s.get("assets", {}).get(k)) for _, s in history]
        series.append(_line(f"{k}", [None if v is None else round(v, 2) for v in data],
                            palette[i % len(palette)], width=1, area=0.6, stack="assets"))
    for i, k in enumerate(liab_lines):
        data = [_num(s.get("liabilities", {}).get(k)) for _, s in history]
        series.append(_line(k if k == "equity" else f"{k} (liability)",
                            [None if v is None else round(-v, 2) for v in data],
                            [theme.VERMILION, theme.ORANGE, theme.PURPLE, theme.BLACK, theme.GREY,
                             theme.YELLOW][i % 6], width=1, area=0.5, stack="liabilities"))
    opt = _base(f"{name}: assets (up) and liabilities (down)", quarters)
    opt["xAxis"]["boundaryGap"] = False
    opt["yAxis"] = [_yaxis("USD bn")]
    opt["legend"]["type"] = "scroll"
    opt["series"] = series
    return opt


# ----------------------------------------------------------------------- Compare
def fan(bands: pd.DataFrame, scenario: str, column: str, label: str, color: str,
        scale: float = 1.0, y_range: tuple[float, float] | None = None) -> dict:
    """Fan chart of one scenario: median line and the 10-90% band.

    Args:
        bands: rows per quarter with columns ``quarter, p10, p50, p90`` for this scenario.
        scenario: its name (the title).
        column: the results column shown.
        label: what the y axis means, with units.
        color: the scenario's colour.
        scale: factor applied to the values (4 for per-year flows, 100 for percent).
        y_range: common (min, max) so side-by-side charts compare at a glance.
    """
    q = [str(x) for x in bands["quarter"].tolist()]
    p10 = _series(bands, "p10", scale, 3)
    p90 = _series(bands, "p90", scale, 3)
    width = [None if a is None or b is None else round(b - a, 3) for a, b in zip(p10, p90,
                                                                                 strict=False)]
    opt = _base(f"{scenario}: {label}", q)
    opt["legend"]["show"] = False
    opt["grid"]["top"] = 36
    opt["yAxis"] = [_yaxis("", min_=None)]
    if y_range:
        opt["yAxis"][0]["min"] = round(y_range[0], 3)
        opt["yAxis"][0]["max"] = round(y_range[1], 3)
    low = _line("10%", p10, color, width=0, stack="band")
    low["lineStyle"]["opacity"] = 0
    band = _line("10-90%", width, color, width=0, area=0.25, stack="band")
    band["tooltip"] = {"show": False}
    opt["series"] = [low, band, _line("median", _series(bands, "p50", scale, 3), color, width=2.5)]
    opt["tooltip"] = {"trigger": "axis", "confine": True}
    return opt
