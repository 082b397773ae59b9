"""One assumption at a time: the points, the table and the figure of ``python -m experiments oat``.

Each chosen parameter takes ``count`` values spread evenly over its declared range
(``PARAMETER_INFO``: min, max, whole-number flag), every other parameter keeps the
scenario's value. Whole-number parameters are rounded (:class:`experiments.sampling.Factor`)
and repeats dropped; a value the model refuses at the scenario's other values (e.g. an
economic life above the book life) is left out, with the model's own message. Points that
are the scenario itself (a value equal to the scenario's) are run once, however many
parameters land on them.

The statistics per value are those of ``response`` (:func:`experiments.response.response_table`:
crisis share with its Wilson interval, mean and 10-90% range of losses, median first
default, share with a default, ...); the *effect* of a parameter is the change from its
first value to its last of mean losses and of the crisis share.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_COUNT", "DEFAULT_SEEDS", "EXCLUDED_GROUPS", "LeftOut", "Point",
           "default_groups", "distinct_overrides", "effects", "format_table", "grid_values",
           "in_effect_order", "oat_figure", "oat_table", "plan_points", "runs_by_point",
           "select_parameters"]

DEFAULT_COUNT = 5
DEFAULT_SEEDS = "0-7"
EXCLUDED_GROUPS = ("shocks", "labour")  # not varied unless asked for (--group / --param)
VALUE_DIGITS = 12                    # 0.22499999999999998 -> 0.225 (linspace float noise)
PANEL_COLUMNS = 6


@dataclass(frozen=True)
class Point:
    """One value of one parameter, the rest at the scenario's values."""

    parameter: str
    value: float | int


@dataclass(frozen=True)
class LeftOut:
    """A value the model refuses at the scenario's other values, and the model's reason."""

    parameter: str
    value: float | int
    reason: str

    def __str__(self) -> str:
        return f"{self.parameter}={self.value:g} ({self.reason})"


def _info(info: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if info is None:
        from model import PARAMETER_INFO

        return PARAMETER_INFO
    return info


def default_groups(info: Mapping[str, Any] | None = None) -> list[str]:
    """Every parameter group except :data:`EXCLUDED_GROUPS`, in declaration order."""
    groups = dict.fromkeys(i.group for i in _info(info).values())
    return [g for g in groups if g not in EXCLUDED_GROUPS]


def select_parameters(groups: Sequence[str] | None = None, names: Sequence[str] | None = None,
                      info: Mapping[str, Any] | None = None) -> list[str]:
    """The parameters to vary, in declaration order.

    ``names`` alone: exactly those (any group). ``groups`` alone: every parameter of those
    groups. Neither: every parameter of :func:`default_groups`. Both: ``names``, each of
    which must belong to one of ``groups``.

    Raises:
        ValueError: an unknown name or group, or a name outside the groups given.
    """
    info = _info(info)
    known = list(dict.fromkeys(i.group for i in info.values()))
    for g in groups or []:
        if g not in known:
            raise ValueError(f"--group: unknown group {g!r}; choose from {', '.join(known)}")
    for n in names or []:
        if n not in info:
            raise ValueError(f"--param: unknown parameter {n!r}; known parameters: "
                             f"{', '.join(info)}")
        if groups and info[n].group not in groups:
            raise ValueError(f"--param: {n} is in group {info[n].group}, not in --group "
                             f"{', '.join(groups)}; drop --group or add {info[n].group}")
    if names:
        return [n for n in info if n in set(names)]
    chosen = set(groups or default_groups(info))
    return [n for n, i in info.items() if i.group in chosen]


def _clean(x: float) -> float:
    """``x`` without binary noise: 0.22499999999999998 -> 0.225."""
    return float(f"{x:.{VALUE_DIGITS}g}") if math.isfinite(x) else x


def grid_values(info: Any, count: int = DEFAULT_COUNT) -> list[float | int]:
    """``count`` values evenly over ``info``'s declared range, both ends included.

    Whole-number parameters are rounded (half up, as the samplers do) and repeats dropped:
    ``build_lag`` (1-10) with 5 values gives 1, 3, 6, 8, 10; ``consolidate_spvs`` (0-1)
    gives 0, 1.
    """
    from experiments.sampling import Factor

    if count < 2:
        raise ValueError(f"--count must be at least 2, got {count}")
    factor = Factor(info.name, float(info.min), float(info.max), bool(info.integer))
    values = (factor.value(x) for x in np.linspace(info.min, info.max, count))
    if not info.integer:
        values = (_clean(v) for v in values)
    return list(dict.fromkeys(values))


def plan_points(scenario: Any, names: Iterable[str], count: int = DEFAULT_COUNT,
                ) -> tuple[list[Point], list[LeftOut]]:
    """The points of the study and the values the model refuses.

    Args:
        scenario: a ``model.Scenario`` (the parameters the others keep); each point is
            checked with ``model.load_scenario(scenario, NAME=value)`` (no model is built).
        names: the parameters to vary.
        count: values per parameter before rounding and refusals.
    """
    from model import PARAMETER_INFO, ParameterError, load_scenario

    points: list[Point] = []
    left_out: list[LeftOut] = []
    for name in names:
        for value in grid_values(PARAMETER_INFO[name], count):
            try:
                load_scenario(scenario, **{name: value})
            except ParameterError as exc:
                left_out.append(LeftOut(name, value, str(exc)))
            else:
                points.append(Point(name, value))
    return points, left_out


def distinct_overrides(points: Sequence[Point], base: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The batch's grid points: one override per distinct setting, in the points' order.

    A value equal to the scenario's is the scenario itself (``{}``), run once however many
    parameters land on it: otherwise its runs would be stored twice, indistinguishable.
    """
    settings: dict[tuple[str, float], dict[str, Any]] = {}
    for p in points:
        key = ("", 0.0) if p.value == base[p.parameter] else (p.parameter, float(p.value))
        settings.setdefault(key, {} if key[0] == "" else {p.parameter: p.value})
    return list(settings.values())


def runs_by_point(runs: pd.DataFrame, points: Sequence[Point], base: Mapping[str, Any],
                  ) -> pd.DataFrame:
    """One row per point and run: ``parameter``, ``value``, then the run's other columns.

    Args:
        runs: one row per run (:func:`experiments.outcomes.outcomes_by_run`), with a column
            per parameter some point changes (its effective value).
        points: the points (:func:`plan_points`).
        base: the scenario's parameter values (what the other parameters keep).

    A run of the scenario itself appears once for each parameter with a point on it.
    """
    columns = [c for c in dict.fromkeys(p.parameter for p in points) if c in runs]
    have = runs[columns].to_numpy(float)
    parts = []
    for p in points:
        want = np.array([p.value if c == p.parameter else base[c] for c in columns], float)
        parts.append(runs.loc[(have == want).all(axis=1)].drop(columns=columns)
                     .assign(parameter=p.parameter, value=p.value).astype({"value": object}))
    out = pd.concat(parts, ignore_index=True)
    return out[["parameter", "value", *[c for c in out if c not in ("parameter", "value")]]]


def oat_table(per_point: pd.DataFrame) -> pd.DataFrame:
    """Per point: ``parameter``, ``value`` and the statistics of ``response``.

    ``per_point`` is :func:`runs_by_point`; the statistics are those of
    :func:`experiments.response.response_table` over the point's runs.
    """
    from experiments.response import response_table

    parts = [response_table(g, "value").assign(parameter=name).astype({"value": object})
             for name, g in per_point.groupby("parameter", sort=False)]   # 3, not 3.0
    table = pd.concat(parts, ignore_index=True)
    return table[["parameter", *[c for c in table if c != "parameter"]]]


def effects(table: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: first and last value, and mean losses and crisis share from first to last.

    Sorted by the absolute effect on mean losses, largest first (ties keep table order).
    """
    g = table.groupby("parameter", sort=False)
    first, last = g.first(), g.last()
    out = pd.DataFrame({
        "parameter": first.index,
        "values": g.size().to_numpy(),
        "first_value": first["value"].to_numpy(), "last_value": last["value"].to_numpy(),
        "effect_losses": (last["mean_losses"] - first["mean_losses"]).to_numpy(),
        "effect_crisis": (last["crisis_probability"] - first["crisis_probability"]).to_numpy(),
    })
    order = np.argsort(-out["effect_losses"].abs().to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def in_effect_order(table: pd.DataFrame, eff: pd.DataFrame) -> pd.DataFrame:
    """The table's rows grouped by parameter, parameters in the order of ``eff``."""
    rank = {n: i for i, n in enumerate(eff["parameter"])}
    key = table["parameter"].map(rank)
    return table.assign(_rank=key).sort_values(["_rank", "value"], kind="stable") \
        .drop(columns="_rank").reset_index(drop=True)


def format_table(table: pd.DataFrame, eff: pd.DataFrame) -> str:
    """Aligned text: one block of rows per parameter, largest effect on losses first.

    The parameter's name and its effect (last minus first value) are on its first row.
    """
    by_name = eff.set_index("parameter")
    cols = [("parameter", "parameter", "<"), ("value", "value", ">"), ("runs", "runs", ">"),
            ("crisis_probability", "crisis share", ">"), ("mean_losses", "mean losses", ">"),
            ("losses_range", "losses 10-90%", ">"), ("first_default", "first default", ">"),
            ("share_with_default", "with default", ">"),
            ("effect_losses", "effect: losses", ">"), ("effect_crisis", "crisis", ">")]
    rows = []
    for _, r in in_effect_order(table, eff).iterrows():
        head = not rows or rows[-1][0] != r["parameter"]
        e = by_name.loc[r["parameter"]]
        rows.append([r["parameter"], f"{r['value']:g}", f"{int(r['runs'])}",
                     f"{r['crisis_probability']:.2f}", f"{r['mean_losses']:.1f}",
                     f"{r['losses_p10']:.1f}-{r['losses_p90']:.1f}", str(r["first_default"]),
                     f"{r['share_with_default']:.2f}",
                     f"{e['effect_losses']:+.1f}" if head else "",
                     f"{e['effect_crisis']:+.2f}" if head else ""])
    shown = [[("" if i and row[0] == rows[i - 1][0] and j == 0 else cell)
              for j, cell in enumerate(row)] for i, row in enumerate(rows)]
    widths = [max(len(h), *(len(row[j]) for row in shown)) for j, (_, h, _) in enumerate(cols)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, (_, _, a), w in zip(cells, cols, widths,
                                                                  strict=True)).rstrip()

    return "\n".join([line([h for _, h, _ in cols]), *(line(row) for row in shown)])


def oat_figure(table: pd.DataFrame, eff: pd.DataFrame, info: Mapping[str, Any], title: str,
               note: str):
    """Small multiples: one panel per parameter, in the order of ``eff``.

    Each panel: mean losses with the 10-90% band over seeds (left axis, the same scale in
    every panel so that panels compare) and the crisis share (right axis, 0-1), against
    the parameter's value in its unit.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    names = list(eff["parameter"])
    ncols = min(len(names), PANEL_COLUMNS)
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(2.55 * ncols + 0.6, 2.15 * nrows + 1.1), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    top = float(np.nanmax(table["losses_p90"])) if len(table) else 1.0
    top = top * 1.08 if top > 0 else 1.0
    for k, ax in enumerate(axes):
        if k >= len(names):
            ax.set_axis_off()
            continue
        _panel(ax, table[table["parameter"] == names[k]], info[names[k]], top,
               left=k % ncols == 0, right=k % ncols == ncols - 1 or k == len(names) - 1)
    width = fig.get_figwidth()
    fig.legend(handles=[Line2D([], [], color="#053061", marker="o", ms=3, lw=1.6),
                        Patch(color="#2166ac", alpha=0.2),
                        Line2D([], [], color="#b2182b", marker="s", ms=3, lw=1.2, ls="--")],
               labels=["mean losses (left axis, USD bn)", "10-90% of runs",
                       "crisis share (right axis)"],
               loc="outside upper center", ncols=3, fontsize=8, frameon=False, title=title,
               title_fontsize=11)
    fig.supxlabel(textwrap.fill(note, int(width * 17)), fontsize=7, color="#555555",
                  x=0.01, ha="left")
    return fig


def _panel(ax, rows: pd.DataFrame, info: Any, top: float, left: bool, right: bool) -> None:
    x = rows["value"].to_numpy(float)
    ax.fill_between(x, rows["losses_p10"], rows["losses_p90"], color="#2166ac", alpha=0.2, lw=0)
    ax.plot(x, rows["mean_losses"], color="#053061", marker="o", ms=3, lw=1.6)
    ax.set_ylim(0, top)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)
    title = f"{info.label} ({info.unit})" if info.unit else info.label
    ax.set_title(textwrap.shorten(title, 42, placeholder="..."), fontsize=8.5, pad=3)
    ax.set_xlabel(info.name, fontsize=7)
    if info.integer or len(x) <= 2:
        ax.set_xticks(x, [f"{v:g}" for v in x])
    if left:
        ax.set_ylabel("losses (USD bn)", fontsize=7.5)
    twin = ax.twinx()
    twin.plot(x, rows["crisis_probability"], color="#b2182b", marker="s", ms=3, lw=1.2, ls="--")
    twin.set_ylim(-0.04, 1.04)
    twin.tick_params(labelsize=7, colors="#b2182b")
    if right:
        twin.set_ylabel("crisis share", fontsize=7.5, color="#b2182b")
