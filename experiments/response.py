"""``python -m experiments response``: how the model responds to the main revenue assumption.

Sweeps the main revenue assumption (:func:`main_revenue_parameter`: the first parameter of
group "revenue" whose unit is in USD bn) over its declared range, several seeds per value,
the scenario's other parameters unchanged, and reports per value:

* ``revenue_2025``: AI revenue over 2025 (sum of ``ai_revenue`` over the first four
  quarters), mean over seeds. History is observed, so it should not move with the
  assumption;
* ``crisis_probability``: share of seeds in crisis (rule of experiments/crisis.py), with a
  95% Wilson interval;
* ``mean_losses``: mean final ``cumulative_losses`` (USD bn), with the 10-90% range;
* ``first_default``: median quarter of the first default over the runs that have one
  ("-" when none), and ``share_with_default``;
* ``peak_bubble`` / ``trough_bubble``: mean peak of ``bubble_index`` and mean lowest value
  from that peak on;
* ``equity_drawdown``: mean final ``equity_drawdown``, when the model reports it.

Writes ``response.csv`` (that table), ``response_runs.csv`` (one row per run) and
``response.png`` (crisis probability and losses against the assumption, every seed shown).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["add_parser", "default_values", "main_revenue_parameter", "response_table", "run"]

DEFAULT_COUNT = 13
DEFAULT_SEEDS = "0-19"
REVENUE_GROUP = "revenue"
REVENUE_UNIT_PREFIX = "USD bn"
CONFIDENCE = 0.95
LOG_SPACING_RATIO = 10.0     # ranges wider than this (and above 0) get geometric spacing


def main_revenue_parameter(info: Mapping[str, Any] | None = None) -> str:
    """Name of the main revenue assumption, e.g. ``revenue_2030`` (AI revenue in 2030).

    It is the first PARAMETER_INFO entry of group "revenue" whose unit starts with "USD bn";
    ``info`` replaces PARAMETER_INFO (tests).
    """
    if info is None:
        from model import PARAMETER_INFO

        info = PARAMETER_INFO
    for name, p in info.items():
        if p.group == REVENUE_GROUP and str(p.unit).startswith(REVENUE_UNIT_PREFIX):
            return name
    raise LookupError(f"no parameter of group {REVENUE_GROUP!r} with a unit in "
                      f"{REVENUE_UNIT_PREFIX} in PARAMETER_INFO")


def _nice(x: float) -> float:
    """``x`` rounded to three significant digits (readable table values)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, 2 - math.floor(math.log10(abs(x))))


def default_values(name: str, count: int = DEFAULT_COUNT) -> list[float]:
    """``count`` values spread over the parameter's declared range, both ends included.

    Geometric spacing when the range is positive and spans more than a factor of 10 (revenue
    assumptions are read in ratios), linear otherwise; rounded to 3 significant digits.
    """
    from model import PARAMETER_INFO

    info = PARAMETER_INFO[name]
    lo, hi = float(info.min), float(info.max)
    if lo > 0 and hi / lo > LOG_SPACING_RATIO:
        raw = np.geomspace(lo, hi, count)
    else:
        raw = np.linspace(lo, hi, count)
    values = [min(max(_nice(float(v)), lo), hi) for v in raw]
    if info.integer:
        values = [float(round(v)) for v in values]
    return sorted(dict.fromkeys(values))


def _wilson(k: int, n: int) -> tuple[float, float]:
    from scipy.stats import binomtest

    if n == 0:
        return math.nan, math.nan
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def _first_default(group: pd.DataFrame) -> str:
    """Median (lower) quarter of the first default over runs that have one; "-" if none."""
    hit = group.dropna(subset=["first_default"])
    if hit.empty:
        return "-"
    t = statistics.median_low(hit["first_default"].astype(int).tolist())
    labels = hit.loc[hit["first_default"] == t, "first_default_quarter"]
    return str(labels.iloc[0]) if len(labels) and labels.iloc[0] else f"t={t}"


def response_table(runs: pd.DataFrame, name: str) -> pd.DataFrame:
    """Per value of ``name``: the response statistics (see the module docstring).

    Args:
        runs: one row per run (:func:`experiments.outcomes.outcomes_by_run`) with a
            column ``name``.
        name: the swept parameter.
    """
    rows = []
    for value, g in runs.groupby(name, sort=True):
        n, k = len(g), int(g["crisis"].sum())
        lo, hi = _wilson(k, n)
        row = {name: value, "runs": n,
               "revenue_2025": g["revenue_2025"].mean(),
               "crisis_probability": k / n, "crisis_ci_low": lo, "crisis_ci_high": hi,
               "mean_losses": g["losses"].mean(),
               "losses_p10": g["losses"].quantile(0.1), "losses_p90": g["losses"].quantile(0.9),
               "first_default": _first_default(g),
               "share_with_default": g["first_default"].notna().mean(),
               "peak_bubble": g["peak_bubble"].mean(), "trough_bubble": g["trough_bubble"].mean()}
        if "equity_drawdown" in g:
            row["equity_drawdown"] = g["equity_drawdown"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame, name: str, unit: str) -> str:
    """The table as aligned text for the terminal."""
    cols = [(name, f"{name} ({unit})" if unit else name, "{:g}"),
            ("revenue_2025", "2025 revenue", "{:.1f}"),
            ("crisis_probability", "P(crisis)", "{:.2f}"),
            ("crisis_ci", "95% CI", "{}"),
            ("mean_losses", "mean losses", "{:.1f}"),
            ("first_default", "first default", "{}"),
            ("peak_bubble", "bubble peak", "{:.2f}"),
            ("trough_bubble", "trough", "{:.2f}")]
    if "equity_drawdown" in table:
        cols.append(("equity_drawdown", "equity drawdown", "{:.2f}"))
    t = table.assign(crisis_ci=[f"{a:.2f}-{b:.2f}" for a, b in
                                zip(table["crisis_ci_low"], table["crisis_ci_high"], strict=True)])
    cells = [[fmt.format(v) for v in t[c]] for c, _, fmt in cols]
    heads = [h for _, h, _ in cols]
    widths = [max(len(h), *(len(x) for x in col)) for h, col in zip(heads, cells, strict=True)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(col[i].rjust(w) for col, w in zip(cells, widths, strict=True))
              for i in range(len(t))]
    return "\n".join(lines)


def response_figure(table: pd.DataFrame, runs: pd.DataFrame, name: str, label: str,
                    title: str, note: str):
    """Crisis probability and losses against the revenue assumption.

    Top: crisis probability with its 95% Wilson interval. Bottom: every run's losses as a
    dot, with the mean and the 10-90% band over seeds.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 7.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.3])
    x = table[name].to_numpy(float)
    logx = x.min() > 0 and x.max() / x.min() > LOG_SPACING_RATIO
    p = table["crisis_probability"].to_numpy(float)
    err = [p - table["crisis_ci_low"].to_numpy(float), table["crisis_ci_high"].to_numpy(float) - p]
    top.errorbar(x, p, yerr=err, color="#b2182b", marker="o", capsize=3, lw=1.8,
                 label=f"crisis probability ({round(CONFIDENCE * 100)}% Wilson interval)")
    top.set_ylim(-0.03, 1.03)
    top.set_ylabel("crisis probability")
    top.legend(loc="upper right", fontsize=8, frameon=False)
    top.grid(alpha=0.3)
    top.set_title(title, fontsize=11)
    # every run as a dot, spread a little sideways so seeds with equal losses stay visible
    rng = np.random.default_rng(0)
    xs = runs[name].to_numpy(float)
    jitter = rng.uniform(-0.06, 0.06, len(xs))
    xs = xs * np.exp(jitter) if logx else xs + jitter * (x.max() - x.min()) / max(len(x), 2)
    bottom.scatter(xs, runs["losses"], s=10, alpha=0.45, color="#2166ac", lw=0,
                   label="one run (seed)")
    bottom.fill_between(x, table["losses_p10"], table["losses_p90"], color="#2166ac",
                        alpha=0.15, label="10-90% of runs")
    bottom.plot(x, table["mean_losses"], color="#053061", marker="o", lw=1.8, label="mean")
    bottom.set_ylabel("AI-related losses by the end (USD bn)")
    bottom.set_xlabel(label)
    bottom.legend(loc="upper right", fontsize=8, frameon=False)
    bottom.grid(alpha=0.3)
    if logx:
        bottom.set_xscale("log")
        bottom.set_xticks(x, [f"{v:g}" for v in x])
        bottom.minorticks_off()
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))     # room for the note below
    fig.text(0.01, 0.005, textwrap.fill(note, 150), fontsize=7, color="#555555", ha="left",
             va="bottom")
    return fig


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``response`` on the ``python -m experiments`` sub-command parser."""
    from experiments.batchargs import command_parser

    p = command_parser(
        subparsers, "response", __doc__,
        "sweep the main revenue assumption: crisis probability, losses, timing",
        ["--out results/response",
         "--values 300:1500:7 --seeds 0-49 --out results/response-fine",
         "--scenario bust --count 11 --out results/response-bust"], DEFAULT_SEEDS)
    p.add_argument("--values", default=None, metavar="VALUES",
                   help="values of the revenue assumption: 'a,b,c' or 'start:stop:count' "
                        "(default: --count values over its declared range)")
    p.add_argument("--count", type=int, default=DEFAULT_COUNT,
                   help=f"how many values when --values is not given (default {DEFAULT_COUNT})")
    return p


def _values(args: argparse.Namespace, name: str) -> list[float]:
    from experiments.grids import parse_values
    from experiments.runner import BatchError

    if args.values is None:
        if args.count < 2:
            raise BatchError(f"--count must be at least 2, got {args.count}")
        return default_values(name, args.count)
    try:
        values = parse_values(args.values)
    except ValueError as exc:
        raise BatchError(f"--values: {exc}") from None
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
    if bad:
        raise BatchError(f"--values: {bad[0]!r} is not a number")
    return sorted(dict.fromkeys(float(v) for v in values))


def run(args: argparse.Namespace) -> int:
    """Run the sweep, print the table, write CSV and PNG; return the exit code."""
    from experiments.batchargs import finish, run_from_args
    from experiments.crisis import CRISIS_DEFINITION
    from experiments.outcomes import outcomes_by_run, source_columns
    from experiments.storage import load_results
    from model import PARAMETER_INFO

    t0 = time.perf_counter()
    name = main_revenue_parameter()
    if name in dict(args.fixed):
        from experiments.runner import BatchError

        raise BatchError(f"--set {name}=...: {name} is the swept assumption; use --values")
    info = PARAMETER_INFO[name]
    values = _values(args, name)
    result = run_from_args(args, [{name: v} for v in values], "response")
    df = load_results(args.out, columns=["seed", name, *source_columns()])
    if df.empty:
        print(f"python -m experiments response: no run finished; see {args.out}",
              file=sys.stderr)
        return 3
    runs = outcomes_by_run(df, by=["scenario", name, "seed"])
    table = response_table(runs, name)
    unit = info.unit
    print(f"{args.scenario}: response to {name} ({info.label}, {unit}), "
          f"{len(args.seeds)} seeds x {len(values)} values, {args.quarters} quarters")
    print(format_table(table, name, unit))
    print(CRISIS_DEFINITION)
    out: Path = args.out
    table.to_csv(out / "response.csv", index=False)
    runs.to_csv(out / "response_runs.csv", index=False)
    fig = response_figure(
        table, runs, name, f"{info.label} ({name}, {unit})",
        f"{args.scenario}: crisis probability and losses against {name}, "
        f"{len(args.seeds)} seeds per value", CRISIS_DEFINITION)
    fig.savefig(out / "response.png", dpi=110)
    return finish(result, out, len(runs), t0, ["response.csv", "response_runs.csv",
                                                "response.png"])
