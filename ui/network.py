"""Who owes whom: the exposure network (echarts graph) and its ranked-list twin for phones.

Nodes are the strategic agents on a fixed circular layout grouped by role (vehicles on an
inner ring); links go debtor -> creditor with width by exposure. Ordinary links are grey.
The model's circular core (``AIEconomy.circularity``: the largest loop of firms whose money
comes back to them) is the only orange: its firms glow orange and the deals between them
are orange links (no role uses orange).
"""

from __future__ import annotations

import html
import math
from collections.abc import Container, Sequence

from ui import format as fmt
from ui import theme
from ui.charts import Figure, Key
from ui.state import AgentView, CoreView, ExposureRow

ROLE_ORDER = ("chipmaker", "lab", "hyperscaler", "neocloud", "spv", "abs", "fund", "bank",
              "outside")
VEHICLES = ("spv", "abs")  # drawn on the inner ring
NO_CORE = CoreView()
KIND_LABELS = {"bond": "bonds", "loan": "loans", "lease": "lease payments due",
               "compute": "compute contract", "equity": "shares held by the creditor",
               "warrant": "warrants", "abs": "ABS notes", "backstop": "backstop"}


def _circle_positions(names: list[str], radius: float) -> dict[str, tuple[float, float]]:
    n = max(len(names), 1)
    return {name: (round(radius * math.cos(2 * math.pi * i / n - math.pi / 2), 1),
                   round(radius * math.sin(2 * math.pi * i / n - math.pi / 2), 1))
            for i, name in enumerate(names)}


def pair_table(rows: Sequence[ExposureRow], min_amount: float = 0.0,
               names: Container[str] | None = None
               ) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(debtor, creditor) -> [(kind, amount), ...] for exposures above ``min_amount``.

    With ``names``, only exposures between those agents are kept.
    """
    pairs: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for d, c, k, v in rows:
        if names is not None and (d not in names or c not in names):
            continue
        if math.isfinite(v) and v > min_amount:
            pairs.setdefault((d, c), []).append((k, v))
    return pairs


def in_core(pair: tuple[str, str], core: CoreView) -> bool:
    """Whether a debtor -> creditor pair is a deal inside the circular core."""
    return pair[0] in core.firms and pair[1] in core.firms


def core_sentence(core: CoreView) -> str:
    """The circular core in one sentence (the network's caption, the phone's list)."""
    if not core.firms:
        return "No circular core this quarter: no money goes round a loop of firms."
    return (f"Circular core this quarter: {len(core.firms)} firms (orange) whose money comes "
            f"back to them; {fmt.pct(core.revenue_share, digits=0)} of their revenue is paid "
            f"by other firms of the loop, and {fmt.money(core.outside_money)} a quarter comes "
            f"from outside it (end customers and new financing).")


def _node(a: AgentView, pos: tuple[float, float], big: float,
          core_member: bool) -> dict[str, object]:
    s = max(a.total_assets, 0.0)
    size = 10 + 30 * math.sqrt(s / big) if s > 0 else 10
    item: dict[str, object] = {
        "name": a.name, "x": pos[0], "y": pos[1], "symbolSize": round(size, 1),
        "category": ROLE_ORDER.index(a.role) if a.role in ROLE_ORDER else len(ROLE_ORDER) - 1,
        "symbol": theme.ROLE_SYMBOLS.get(a.role, "circle"),
        "itemStyle": {"color": theme.role_color(a.role), "borderColor": "#333",
                      "borderWidth": 1},
        "tooltip": {"formatter": f"{a.name} ({theme.ROLE_LABELS.get(a.role, a.role)})<br/>"
                                 f"total assets {fmt.money(s)} (USD)<br/>status: {a.status}"},
        # vehicles are many and small: name only the big or troubled ones
        "label": {"show": a.role not in VEHICLES or size >= 18 or a.status == "distressed",
                  "fontSize": 10, "position": "right"},
    }
    if core_member:  # an orange glow: the border stays free for distress
        item["itemStyle"].update({"shadowColor": theme.CIRCULAR, "shadowBlur": 14})
    if a.status == "distressed":
        item["itemStyle"].update({"borderColor": theme.DISTRESS, "borderWidth": 3})
    elif a.status == "defaulted":
        item["itemStyle"].update({"borderColor": theme.DISTRESS, "borderWidth": 2,
                                  "opacity": 0.45, "borderType": "dashed"})
        item["label"].update({"formatter": f"✖ {a.name}", "color": theme.DISTRESS})
    return item


def network(rows: Sequence[ExposureRow], agents: Sequence[AgentView], *,
            core: CoreView = NO_CORE, min_amount: float = 0.0, show_outside: bool = False,
            max_links: int = 80) -> Figure:
    """Who owes whom (see the module docstring).

    Args:
        rows: ``(debtor, creditor, kind, amount)`` (``AIEconomy.exposures()`` as tuples).
        agents: the strategic agents.
        core: the model's circular core (its firms glow orange, deals between them are
            orange links; the caption gives its revenue share and outside money).
        min_amount: drop links smaller than this (USD bn).
        show_outside: include outside-sector accounts (bond investors, depositors, ...).
        max_links: keep the largest links (circular ones are always kept).
    """
    info = {a.name: a for a in agents}
    pairs = pair_table(rows, min_amount, None if show_outside else set(info))
    for d, c in pairs:
        for name in (d, c):
            info.setdefault(name, AgentView(name, "outside", "active", 0.0, 0.0))
    names = list(info)
    order = sorted(names, key=lambda n: (ROLE_ORDER.index(info[n].role)
                                         if info[n].role in ROLE_ORDER else 99, names.index(n)))
    outer = [n for n in order if info[n].role not in VEHICLES]
    inner = [n for n in order if info[n].role in VEHICLES]
    pos = {**_circle_positions(outer, 100.0), **_circle_positions(inner, 52.0)}
    index = {n: i for i, n in enumerate(order)}
    big = max([info[n].total_assets for n in order if info[n].total_assets > 0], default=1.0)
    nodes = [_node(info[n], pos[n], big, n in core.firms) for n in order]

    cyc = {pair for pair in pairs if in_core(pair, core)}
    top = max((sum(v for _, v in items) for items in pairs.values()), default=1.0)
    ranked = sorted(pairs.items(), key=lambda kv: -sum(v for _, v in kv[1]))
    keep = {k for k, _ in ranked[:max_links]} | cyc
    links = []
    for (d, c), items in pairs.items():
        if (d, c) not in keep:
            continue
        total = sum(v for _, v in items)
        lines = "<br/>".join(f"{KIND_LABELS.get(k, k)}: {fmt.money(v)}"
                             for k, v in sorted(items, key=lambda x: -x[1]))
        circular = (d, c) in cyc
        links.append({
            "source": index[d], "target": index[c], "value": round(total, 2),
            "lineStyle": {"width": round(0.6 + 7.4 * math.sqrt(total / top), 2),
                          "color": theme.CIRCULAR if circular else theme.LINK,
                          "opacity": 0.9 if circular else 0.45, "curveness": 0.15},
            "tooltip": {"formatter": f"{html.escape(d)} owes {html.escape(c)}: "
                                     f"{fmt.money(total)} (USD)<br/>{lines}"},
        })
    categories = [{"name": theme.ROLE_LABELS[r], "itemStyle": {"color": theme.ROLE_COLORS[r]}}
                  for r in ROLE_ORDER]
    option = {
        "animation": False,
        "tooltip": {"trigger": "item", "confine": True},
        "legend": {"show": False},
        "series": [{
            "type": "graph", "layout": "none", "roam": True,
            "top": 20, "bottom": 20, "left": 50, "right": 100,
            "edgeSymbol": ["none", "arrow"], "edgeSymbolSize": 6,
            "categories": categories, "data": nodes, "links": links,
            "labelLayout": {"hideOverlap": True},
            "emphasis": {"focus": "adjacency", "label": {"show": True}},
            "lineStyle": {"curveness": 0.15},
        }],
    }
    shown = [r for r in ROLE_ORDER if any(info[n].role == r for n in order)]
    keys = tuple(Key(theme.ROLE_LABELS[r], theme.ROLE_COLORS[r], "area") for r in shown)
    keys += (Key("Circular core: its firms glow, its deals", theme.CIRCULAR),
             Key("Other exposure", theme.LINK),
             Key("Red outline: in distress; ✖ faded: defaulted", theme.DISTRESS, "dotted"))
    return Figure("network", "Who owes whom (arrow: debtor → creditor; width = amount)",
                  option, keys, core_sentence(core) + " Node size = total assets. Hover a "
                  "link for its contracts; drag or scroll to move and zoom.")


def ranked_exposures(rows: Sequence[ExposureRow], agents: Sequence[AgentView],
                     core: CoreView = NO_CORE, n: int = 12) -> list[tuple[str, str, str, str]]:
    """The largest debtor -> creditor exposures between strategic agents, for small screens."""
    names = {a.name for a in agents}
    pairs = pair_table(rows, 0.0, names)
    ranked = sorted(pairs.items(), key=lambda kv: -sum(v for _, v in kv[1]))[:n]
    return [(d, c, ", ".join(KIND_LABELS.get(k, k) for k, _ in items)
             + (" (circular)" if in_core((d, c), core) else ""),
             fmt.money(sum(v for _, v in items))) for (d, c), items in ranked]
