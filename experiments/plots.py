"""Figures for experiment batches (matplotlib ``Figure`` objects, no pyplot state).

* :func:`fan_chart` -- median and 10-90% band over seeds of one column, per scenario.
* :func:`revenue_capex_chart` -- AI revenue against capex, one panel per scenario.
* :func:`compare_figure` -- the four panels of ``python -m experiments compare``.
* :func:`crisis_heatmap` -- crisis probability over two parameters.

Save with ``fig.savefig("x.png", dpi=120)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "FAN_QUANTILES",
    "compare_figure",
    "crisis_heatmap",
    "fan_chart",
    "fan_quantiles",
    "revenue_capex_chart",
    "with_cumulative_defaults",
]

FAN_QUANTILES = (0.1, 0.5, 0.9)
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
LABELS = {
    "ai_revenue": "AI revenue (USD bn / quarter)",
    "capex": "capex (USD bn / quarter)",
    "bubble_index": "bubble index (value / normal value)",
    "ai_debt_total": "AI-related debt (USD bn)",
    "cumulative_defaults": "defaults (cumulative count)",
    "defaults": "defaults (count per quarter)",
}


def with_cumulative_defaults(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``cumulative_defaults`` (running sum of ``defaults`` within each run)."""
    if "defaults" not in df or "cumulative_defaults" in df:
        return df
    from experiments.crisis import run_columns

    by = run_columns(df)
    out = df.copy()
    out["cumulative_defaults"] = out.groupby(by, sort=False, dropna=False)["defaults"].cumsum()
    return out


def fan_quantiles(df: pd.DataFrame, columns: Sequence[str], by: str | Sequence[str] = "scenario",
                  q: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
    """Quantiles over runs per group and quarter: columns by..., quarter, metric, p10, p50, p90."""
    by = [by] if isinstance(by, str) else list(by)
    cols = [c for c in columns if c in df]
    long = df[[*by, "quarter", *cols]].melt(id_vars=[*by, "quarter"], var_name="metric")
    g = long.groupby([*by, "quarter", "metric"], sort=True)["value"]
    out = g.quantile(list(q)).unstack()
    out.columns = [f"p{round(x * 100):d}" for x in out.columns]
    out["n"] = g.size()
    return out.reset_index()


def _quarter_axis(ax, quarters: Sequence[str]) -> None:
    ticks = [i for i, qq in enumerate(quarters) if qq.endswith("Q1")] or list(range(len(quarters)))
    step = max(1, len(ticks) // 8)
    ticks = ticks[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels([quarters[i][:4] if quarters[i].endswith("Q1") else quarters[i]
                        for i in ticks])
    ax.set_xlim(0, max(1, len(quarters) - 1))
    ax.grid(alpha=0.3)


def _fan(ax, sub: pd.DataFrame, quarters: Sequence[str], color: str, label: str,
         linestyle: str = "-") -> None:
    pos = {qq: i for i, qq in enumerate(quarters)}
    sub = sub.sort_values("quarter")
    x = sub["quarter"].map(pos).to_numpy()
    ax.fill_between(x, sub["p10"], sub["p90"], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, sub["p50"], color=color, label=label, linestyle=linestyle, linewidth=1.8)


def _groups(df: pd.DataFrame, by: str) -> list:
    return list(dict.fromkeys(df[by]))


def fan_chart(df: pd.DataFrame, column: str, by: str = "scenario", *, ax=None,
              title: str | None = None) -> Figure:
    """Median and 10-90% band over runs of ``column`` per quarter, one colour per group."""
    if column == "cumulative_defaults":
        df = with_cumulative_defaults(df)
    fig = ax.figure if ax is not None else Figure(figsize=(7, 4), layout="constrained")
    ax = ax or fig.add_subplot()
    quarters = sorted(df["quarter"].unique())
    qt = fan_quantiles(df, [column], by=by)
    for i, g in enumerate(_groups(df, by)):
        _fan(ax, qt[qt[by] == g], quarters, COLORS[i % len(COLORS)], str(g))
    _quarter_axis(ax, quarters)
    if column in ("defaults", "cumulative_defaults"):
        top = float(qt["p90"].max()) if len(qt) else 0.0
        ax.set_ylim(0, max(1.0, top * 1.1))
    ax.set_ylabel(LABELS.get(column, column))
    ax.set_title(title or f"{column}: median and 10-90% over seeds")
    ax.legend(loc="best", fontsize=8)
    return fig


def revenue_capex_chart(df: pd.DataFrame, by: str = "scenario") -> Figure:
    """AI revenue (solid) against capex (dashed), median and 10-90% band, panel per group."""
    groups = _groups(df, by)
    fig = Figure(figsize=(4.2 * len(groups), 3.8), layout="constrained")
    axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    quarters = sorted(df["quarter"].unique())
    qt = fan_quantiles(df, ["ai_revenue", "capex"], by=by)
    for ax, g in zip(axes, groups, strict=True):
        sub = qt[qt[by] == g]
        _fan(ax, sub[sub.metric == "ai_revenue"], quarters, COLORS[2], "AI revenue")
        _fan(ax, sub[sub.metric == "capex"], quarters, COLORS[1], "capex", linestyle="--")
        _quarter_axis(ax, quarters)
        ax.set_title(str(g))
        ax.legend(loc="upper left", fontsize=8)
    axes[0].set_ylabel("USD bn / quarter")
    fig.suptitle("AI revenue vs capex: median and 10-90% over seeds")
    return fig


def compare_figure(df: pd.DataFrame, by: str = "scenario") -> Figure:
    """Four panels: revenue vs capex, bubble index, AI debt, cumulative defaults."""
    df = with_cumulative_defaults(df)
    fig = Figure(figsize=(12, 8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    quarters = sorted(df["quarter"].unique())
    groups = _groups(df, by)
    qt = fan_quantiles(df, ["ai_revenue", "capex"], by=by)
    for i, g in enumerate(groups):
        c = COLORS[i % len(COLORS)]
        sub = qt[qt[by] == g]
        _fan(axes[0], sub[sub.metric == "ai_revenue"], quarters, c, f"{g} revenue")
        _fan(axes[0], sub[sub.metric == "capex"], quarters, c, f"{g} capex", linestyle="--")
    _quarter_axis(axes[0], quarters)
    axes[0].set_ylabel("USD bn / quarter")
    axes[0].set_title("AI revenue (solid) vs capex (dashed)")
    axes[0].legend(fontsize=7, ncol=2)
    for ax, col in zip(axes[1:], ["bubble_index", "ai_debt_total", "cumulative_defaults"],
                       strict=True):
        if col in df:
            fan_chart(df, col, by=by, ax=ax, title=LABELS.get(col, col))
        else:
            ax.set_title(f"{col}: not in results")
    fig.suptitle("Scenarios compared: median and 10-90% band over seeds")
    return fig


def crisis_heatmap(table: pd.DataFrame, x: str, y: str, value: str = "crisis_probability",
                   *, title: str | None = None, note: str | None = None) -> Figure:
    """Heatmap of ``value`` (0..1) over parameters ``x`` and ``y``, cells annotated."""
    piv = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index()
    piv = piv.reindex(sorted(piv.columns), axis=1)
    fig = Figure(figsize=(1.0 + 0.85 * max(4, piv.shape[1]), 1.2 + 0.6 * max(4, piv.shape[0])),
                 layout="constrained")
    ax = fig.add_subplot()
    data = piv.to_numpy(float)
    im = ax.imshow(data, origin="lower", aspect="auto", cmap="RdYlGn_r", vmin=0, vmax=1)
    ax.set_xticks(range(piv.shape[1]))
    ax.set_xticklabels([f"{v:.4g}" if isinstance(v, int | float | np.number) else str(v)
                        for v in piv.columns], rotation=45, ha="right")
    ax.set_yticks(range(piv.shape[0]))
    ax.set_yticklabels([f"{v:.4g}" if isinstance(v, int | float | np.number) else str(v)
                        for v in piv.index])
    for (r, c), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.7 or v < 0.15 else "black")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(im, ax=ax, label="crisis probability")
    ax.set_title(title or "Crisis probability over seeds")
    if note:
        import textwrap

        fig.supxlabel(textwrap.fill(note, 90), fontsize=6)
    return fig
