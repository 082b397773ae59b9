"""``python -m experiments sensitivity``: which assumptions move crises and losses.

Sobol' indices with Saltelli sampling, or Morris screening, estimated by SALib with
bootstrap confidence intervals, so the answer says how sure it is. How it works:

1. **Design.** The chosen parameters (default: every parameter, over its declared range)
   are sampled with SALib: Saltelli's scheme on a scrambled Sobol' sequence (``N (D + 2)``
   points for ``D`` parameters, first-order and total indices) or Morris trajectories
   (``r (D + 1)`` points). Whole-number parameters are sampled over [min - 0.5, max + 0.5]
   and rounded, so every whole value is equally likely.
2. **Runs.** Every point runs with every seed (common random numbers) through
   :func:`experiments.run_batch`, on the same executors (process pool, Dask) and into the
   same Parquet layout as the other commands; ``--resume`` completes a killed batch. A seed
   is one demand history at every point, so with one seed the indices hold for that
   history; several seeds average over luck.
3. **Outcomes.** Each run is reduced to its outcomes (experiments/outcomes.py) and each
   point to the mean over its seeds: the crisis flag becomes a crisis probability.
4. **Indices.** SALib estimates the indices of that seed-averaged response, with bootstrap
   confidence intervals. Beside them, the **seed share** is the part of one run's variance
   that no parameter explains: the mean over points of the variance across seeds, divided
   by the variance of all runs (bootstrap interval over points).
5. **Convergence.** For each output the five most influential parameters must have a
   confidence half-width of at most 10% of their index; an index whose whole interval lies
   below ``--negligible`` (0.01) counts as settled. Otherwise the report says which index
   is too uncertain and about which N would do (the half-width shrinks as 1/sqrt(N)).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sampling import (
    Factor,
    factors_from_args,
    to_points,
    validate_points,
)

__all__ = [
    "DEFAULT_OUTPUTS",
    "Design",
    "add_parser",
    "analyse",
    "convergence",
    "make_design",
    "point_matrix",
    "run",
]

METHODS = ("sobol", "morris")
# Every point runs with the same seeds, and each source of chance has its own stream, so with
# one seed every point sees the same demand history: the indices are conditional on it.
ONE_SEED_NOTE = ("note: one seed per point: every point sees that seed's demand history "
                 "(common random numbers), so the indices hold for that history; several "
                 "seeds (--seeds 0-3) average over luck and report the seed share")
HEADLINE_OUTPUTS = ("crisis", "losses", "first_default", "peak_bubble")
DEFAULT_OUTPUTS = (*HEADLINE_OUTPUTS, "losses_by_bearer")
SEEDS_ROW = "(seeds)"           # the seed share's row in the indices table
TOP = 5                         # parameters checked by the convergence rule
RELATIVE_HALF_WIDTH = 0.10      # ... whose CI half-width must be <= 10% of the index
NEGLIGIBLE = 0.01               # an index whose whole CI is below this counts as settled
# Morris trajectories: with 20, the crisis effects of the 17 revenue and financing parameters
# were ranked by chance (revenue_uncertainty, Sobol' ST 0.09, came fifth and
# compute_price_decline, ST 0.23, did not); with 60 each output's top five are those of a
# Sobol' study of all 17 (r (D + 1) = 1,080 runs, about a minute on 2 workers)
DEFAULT_TRAJECTORIES = 60
MIN_RUNS_FOR_RATE = 100         # fewer runs (a resumed batch) say too little about speed


@dataclass
class Design:
    """A sample of parameter points for one method.

    Attributes:
        method: "sobol" or "morris".
        factors: the sampled parameters.
        n: base sample size (Sobol') or number of trajectories (Morris).
        levels: Morris grid levels.
        x: the SALib sample, one row per design row (continuous values).
        points: the distinct model points (dicts of parameter values) to run.
        row_point: for each row of ``x``, the index of its point in ``points``.
    """

    method: str
    factors: list[Factor]
    n: int
    levels: int
    x: np.ndarray
    points: list[dict[str, Any]]
    row_point: np.ndarray

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return _problem(self.factors)

    def key(self, values: Mapping[str, Any]) -> tuple[float, ...]:
        """Identity of a point: its factor values as floats (how a batch frame shows them)."""
        return tuple(float(values[f.name]) for f in self.factors)


def _problem(factors: Sequence[Factor]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": [f.name for f in factors],
            "bounds": [f.bounds() for f in factors]}


def make_design(method: str, factors: Sequence[Factor], n: int, *, levels: int = 4,
                seed: int = 0, base: Mapping[str, Any] | None = None) -> Design:
    """Sample the factors for ``method`` and list the distinct model points to run.

    Args:
        method: "sobol" (Saltelli's scheme, first-order and total indices) or "morris".
        factors: the parameters to vary.
        n: Sobol' base sample size (a power of 2 is best) or number of Morris trajectories.
        levels: Morris grid levels.
        seed: seed of the sample (the sample is reproducible).
        base: the scenario's parameter values, used to keep points inside the model's
            cross-parameter rules (:data:`experiments.sampling.ORDERED_PAIRS`).
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    factors = list(factors)
    problem = _problem(factors)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # "N should be a power of 2": said below
        if method == "sobol":
            x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
        elif method == "morris":
            x = morris_sample.sample(problem, n, num_levels=levels, seed=seed)
        else:
            raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    points, row_point = to_points(factors, x, base)
    return Design(method, factors, n, levels, x, points, row_point)


def point_matrix(design: Design, runs: pd.DataFrame, outputs: Sequence[str],
                 seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Outcomes arranged as one (points x seeds) matrix per output.

    Args:
        design: the design the runs come from.
        runs: one row per run with the factor columns, ``seed`` and the outputs.
        outputs: outcome columns.
        seeds: the seeds, in the column order wanted.

    Raises:
        ValueError: a (point, seed) of the design has no run (a failed or missing run).
    """
    index = {design.key(p): i for i, p in enumerate(design.points)}
    col = {int(s): j for j, s in enumerate(seeds)}
    names = [f.name for f in design.factors]
    keys = runs[names].astype(float).itertuples(index=False, name=None)
    rows = np.fromiter((index.get(tuple(k), -1) for k in keys), dtype=np.int64, count=len(runs))
    cols = runs["seed"].map(col).fillna(-1).to_numpy(np.int64)
    ok = (rows >= 0) & (cols >= 0)
    out = {}
    for name in outputs:
        m = np.full((len(design.points), len(col)), np.nan)
        m[rows[ok], cols[ok]] = runs[name].to_numpy(float)[ok]
        out[name] = m
    missing = int(np.isnan(next(iter(out.values()))).sum()) if out else 0
    if missing:
        raise ValueError(f"{missing} of {len(design.points) * len(col)} runs of the design are "
                         "missing (failed or not run); complete them with --resume")
    return out


def seed_share(matrix: np.ndarray, resamples: int = 1000, conf_level: float = 0.95,
               seed: int = 0) -> tuple[float, float]:
    """Share of one run's variance due to the seed alone, and its CI half-width.

    ``mean over points of Var(seeds) / Var(all runs)``; the interval is a percentile
    bootstrap over points (half of its width is returned). NaN with fewer than 2 seeds.
    """
    if matrix.shape[1] < 2 or not matrix.var() > 0:
        return math.nan, math.nan

    def share(m: np.ndarray) -> float:
        total = m.var(ddof=1)
        return float(m.var(axis=1, ddof=1).mean() / total) if total > 0 else math.nan

    est = share(matrix)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(matrix), size=(resamples, len(matrix)))
    boot = np.array([share(matrix[p]) for p in picks])
    lo, hi = np.nanquantile(boot, [(1 - conf_level) / 2, (1 + conf_level) / 2])
    return est, float(hi - lo) / 2


def analyse(design: Design, matrices: Mapping[str, np.ndarray], *, resamples: int = 1000,
            conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Indices of each output's seed-averaged response, plus the seed share.

    Returns:
        One row per output and parameter (and a ``(seeds)`` row per output): ``method,
        output, parameter, rank`` and, for Sobol', ``S1, S1_conf, ST, ST_conf``; for Morris,
        ``mu_star, mu_star_conf, sigma, mu``. ``*_conf`` are CI half-widths (SALib's
        bootstrap). The ``(seeds)`` row carries the seed share in ``ST``/``mu_star`` with
        its half-width. A constant output gets NaN indices.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    names = [f.name for f in design.factors]
    main, conf = ("ST", "ST_conf") if design.method == "sobol" else ("mu_star", "mu_star_conf")
    boot_seed = int(seed) + 1       # SALib's Sobol' analysis treats seed 0 as "no seed"
    tables = []
    for output, matrix in matrices.items():
        y = matrix.mean(axis=1)[design.row_point]
        if np.nanvar(y) == 0:
            t = pd.DataFrame({"parameter": names, main: np.nan, conf: np.nan})
        elif design.method == "sobol":
            with np.errstate(all="ignore"):
                r = sobol_analyze.analyze(design.problem, y, calc_second_order=False,
                                          num_resamples=resamples, conf_level=conf_level,
                                          seed=boot_seed)
            t = pd.DataFrame({"parameter": names, **{k: r[k] for k in
                                                     ("S1", "S1_conf", "ST", "ST_conf")}})
        else:
            r = morris_analyze.analyze(design.problem, design.x, y, num_resamples=resamples,
                                       conf_level=conf_level, num_levels=design.levels,
                                       seed=boot_seed)
            t = pd.DataFrame({"parameter": names, **{k: np.asarray(r[k], float) for k in
                                                     ("mu_star", "mu_star_conf", "sigma", "mu")}})
        t = t.sort_values(main, ascending=False, na_position="last", kind="mergesort")
        t.insert(0, "rank", np.arange(1, len(t) + 1))
        share, half = seed_share(matrix, resamples, conf_level, seed)
        seeds_row = pd.DataFrame({"parameter": [SEEDS_ROW], "rank": [np.nan],
                                  main: [share], conf: [half]})
        t = pd.concat([t, seeds_row], ignore_index=True)
        t.insert(0, "output", output)
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    out.insert(0, "method", design.method)
    cols = ["method", "output", "parameter", "rank"]
    return out[cols + [c for c in out.columns if c not in cols]]


def convergence(indices: pd.DataFrame, n: int, top: int = TOP,
                tolerance: float = RELATIVE_HALF_WIDTH, negligible: float = NEGLIGIBLE,
                size_flag: str = "--n", runs_per_n: float | None = None,
                runs_per_second: float | None = None) -> pd.DataFrame:
    """Whether N is large enough, per output.

    Each of the ``top`` highest-ranked parameters must have a CI half-width of at most
    ``tolerance`` x its index, unless its whole interval lies below ``negligible`` (for
    Morris, ``negligible`` x the output's largest mu*: mu* has the output's unit).

    ``size_flag`` names the sample size in messages (``--n``, ``--trajectories``). With
    ``runs_per_n`` (model runs per unit of N: points per N times seeds) the advice says how
    many runs the suggested N takes, and with ``runs_per_second`` (this batch's throughput)
    about how long, so a researcher can weigh N against narrower ranges or fewer parameters.

    Returns:
        One row per output: ``output, n, converged`` (bool; NaN for a constant output),
        ``worst_parameter``, ``worst_index``, ``worst_half_width`` (the least settled top
        parameter), ``suggested_n`` (a power of 2 from the 1/sqrt(N) law),
        ``suggested_runs`` (NaN without ``runs_per_n``) and ``message``.
    """
    main, conf = ("ST", "ST_conf") if "ST" in indices else ("mu_star", "mu_star_conf")
    rows = []
    for output, t in indices[indices["parameter"] != SEEDS_ROW].groupby("output", sort=False):
        head = t.sort_values("rank").head(top)
        value, half = head[main].to_numpy(float), head[conf].to_numpy(float)
        row: dict[str, Any] = {"output": output, "n": n}
        if np.all(np.isnan(value)):
            rows.append({**row, "converged": np.nan, "worst_parameter": "",
                         "worst_index": np.nan, "worst_half_width": np.nan,
                         "suggested_n": np.nan, "suggested_runs": np.nan,
                         "message": f"{output}: constant over the sample, no indices"})
            continue
        floor = negligible * (1.0 if main == "ST" else float(np.nanmax(np.abs(value))))
        # the half-width each index needs: 10% of itself, or enough to lie below the floor
        target = np.maximum(tolerance * np.abs(value), floor - value)
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.nan_to_num(half / target, nan=np.inf)
        worst = int(np.argmax(excess))
        ok = bool(excess[worst] <= 1.0)
        need = n * excess[worst] ** 2 if math.isfinite(excess[worst]) else math.inf
        suggested = 2 ** math.ceil(math.log2(need)) if math.isfinite(need) and not ok else n
        name, v, h = head["parameter"].iloc[worst], value[worst], half[worst]
        runs = round(suggested * runs_per_n) if runs_per_n else np.nan
        if ok:
            msg = (f"{output}: converged at {size_flag} {n} (the top {len(head)} indices are "
                   f"known to within {tolerance:.0%}, or are negligible)")
        else:
            advice = (f"about {size_flag} {suggested} would do"
                      f"{_cost(runs, runs_per_second)}" if suggested <= 2 ** 20
                      else "N would have to grow beyond 10^6: narrow the ranges or the "
                           "parameters instead")
            msg = (f"{output}: {size_flag} {n} is too small: {name}'s index is {v:.3g} +- {h:.2g} "
                   f"(needs +- {target[worst]:.2g}); {advice}")
        rows.append({**row, "converged": ok, "worst_parameter": name, "worst_index": v,
                     "worst_half_width": h, "suggested_n": suggested, "suggested_runs": runs,
                     "message": msg})
    return pd.DataFrame(rows)


def _cost(runs: float, runs_per_second: float | None) -> str:
    """The cost of a suggested N, e.g. ' (229,376 runs, ~2.7 h at this batch's 24 runs/s)';
    only the runs when the throughput is unknown, nothing when the runs are.
    """
    if not math.isfinite(runs):
        return ""
    if not runs_per_second or runs_per_second <= 0:
        return f" ({runs:,.0f} runs)"
    seconds = runs / runs_per_second
    took = (f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"
            if seconds >= 90 else f"{seconds:.0f} s")
    return f" ({runs:,.0f} runs, ~{took} at this batch's {runs_per_second:.3g} runs/s)"


# -- charts --------------------------------------------------------------------------------
def bar_chart(indices: pd.DataFrame, outputs: Sequence[str], title: str, top: int = 10):
    """Ranked horizontal bars per output.

    Total effect (Morris: mu*) with its interval, the first-order index inside it, and the
    seed share as a grey bar.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    sobol = "ST" in indices
    main, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    outputs = [o for o in outputs if indices.loc[indices["output"] == o, main].notna().any()]
    cols = min(2, max(1, len(outputs)))
    nrows = max(1, math.ceil(len(outputs) / cols))
    fig = Figure(figsize=(6.2 * cols, 0.32 * (top + 2) * nrows + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, cols, squeeze=False).ravel())
    legend = [Patch(color="#6f9fd0", label="total effect ST (with interval)" if sobol
                    else "mu* (with interval)")]
    if sobol:
        legend += [Patch(color="#053061", label="first-order S1"),
                   Patch(color="#9e9e9e", label="seeds: share of one run's variance")]
    for ax, output in zip(axes, outputs, strict=False):
        t = indices[indices["output"] == output]
        params = t[t["parameter"] != SEEDS_ROW].sort_values("rank").head(top)
        seeds = t[t["parameter"] == SEEDS_ROW]
        bars = (pd.concat([params, seeds]) if sobol else params).iloc[::-1]
        y = np.arange(len(bars))
        colours = ["#9e9e9e" if p == SEEDS_ROW else "#6f9fd0" for p in bars["parameter"]]
        ax.barh(y, bars[main], xerr=bars[conf], color=colours, ecolor="#333333", capsize=2)
        if sobol:
            ax.barh(y, bars["S1"].fillna(0).clip(lower=0), height=0.35, color="#053061")
        labels = ["seeds (noise share)" if p == SEEDS_ROW else p for p in bars["parameter"]]
        ax.set_yticks(y, labels, fontsize=8)
        share = seeds[main].iloc[0] if len(seeds) else math.nan
        ax.set_title(output + ("" if math.isnan(share) else
                               f" (seeds: {share:.0%} of one run's variance)"), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(left=0)
        if sobol:
            ax.set_xlim(0, max(1.0, float((bars[main] + bars[conf]).max()) * 1.05))
            ax.set_xlabel("share of variance", fontsize=8)
        else:
            ax.set_xlabel(f"mean |elementary effect| ({output}'s unit per full range)",
                          fontsize=8)
        ax.legend(handles=legend, fontsize=7, loc="lower right", frameon=False)
    for ax in axes[len(outputs):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11)
    return fig


# -- command line --------------------------------------------------------------------------
def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``sensitivity`` on the ``python -m experiments`` sub-command parser."""
    from experiments.batchargs import command_parser
    from experiments.sampling import add_factor_options

    p = command_parser(
        subparsers, "sensitivity", __doc__,
        "Sobol' or Morris sensitivity of crises and losses to the parameters",
        ["--group revenue --group financing --n 512 --out results/sobol",
         "--method morris --trajectories 20 --out results/morris",
         "--screen 6 --group revenue --group financing --n 2048 --out results/sobol-screened"],
        "0-1")
    p.add_argument("--method", choices=METHODS, default="sobol",
                   help="sobol (first-order and total indices) or morris (screening)")
    add_factor_options(p, "every parameter")
    p.add_argument("--output", action="append", default=None, metavar="NAME",
                   help="outcome to analyse (repeatable; default: crisis, losses, "
                        "losses_by_bearer, first_default, peak_bubble); see "
                        "experiments/outcomes.py")
    p.add_argument("--n", type=int, default=256,
                   help="Sobol' base sample size, a power of 2 (default 256: "
                        "N x (D + 2) points)")
    p.add_argument("--trajectories", type=int, default=DEFAULT_TRAJECTORIES,
                   help=f"Morris trajectories (default {DEFAULT_TRAJECTORIES}: r x (D + 1) "
                        "points; a 0/1 outcome such as the crisis flag moves mu* in steps "
                        "of 1/r, so fewer rank its effects by chance)")
    p.add_argument("--levels", type=int, default=4, help="Morris grid levels (default 4)")
    p.add_argument("--sample-seed", type=int, default=0,
                   help="seed of the parameter sample and of the bootstrap (default 0)")
    p.add_argument("--resamples", type=int, default=1000,
                   help="bootstrap resamples for the confidence intervals (default 1000)")
    p.add_argument("--conf-level", type=float, default=0.95,
                   help="confidence level of the intervals (default 0.95)")
    p.add_argument("--negligible", type=float, default=NEGLIGIBLE,
                   help="an index whose whole interval is below this counts as settled "
                        f"in the convergence check (default {NEGLIGIBLE})")
    p.add_argument("--screen", type=int, default=None, metavar="K",
                   help="first screen every parameter with Morris (--trajectories, into "
                        "OUT/screen), then run Sobol' over each output's K largest effects "
                        "(their union: K or more parameters)")
    return p


def _outputs(requested: Sequence[str] | None, available: Sequence[str]) -> list[str]:
    from experiments.runner import BatchError

    bearers = [c for c in available if c.startswith("losses_")]
    out: list[str] = []
    for name in requested or DEFAULT_OUTPUTS:
        names = bearers if name == "losses_by_bearer" else [name]
        for n in names:
            if n not in available:
                raise BatchError(f"--output: unknown outcome {n!r}; choose from "
                                 f"{', '.join(['losses_by_bearer', *available])}")
            out.append(n)
    return list(dict.fromkeys(out))


def _check_args(args: argparse.Namespace) -> None:
    from experiments.runner import BatchError

    if args.method == "sobol" and args.n < 2:
        raise BatchError(f"--n must be at least 2, got {args.n}")
    if args.method == "morris" and (args.trajectories < 2 or args.levels < 2):
        raise BatchError("--trajectories and --levels must be at least 2")
    if not 0 < args.conf_level < 1:
        raise BatchError(f"--conf-level must lie in (0, 1), got {args.conf_level}")
    if args.resamples < 10:
        raise BatchError(f"--resamples must be at least 10, got {args.resamples}")


def _screened(factors: Sequence[Factor], indices: pd.DataFrame, keep: int,
              outputs: Sequence[str]) -> list[Factor]:
    """The factors among the ``keep`` largest Morris effects of any of ``outputs``.

    Each output keeps its own top ``keep`` (by mu*) and the Sobol' study takes them all, so
    every output's most influential parameters are in it, as the convergence check asks. A
    score averaged over outputs would drop a parameter that matters for one output only (the
    pace of compute price cuts decides crises and hardly moves losses) for one that is
    middling in all.
    """
    chosen: set[str] = set()
    for ranked in _screen_rankings(indices, outputs).values():
        chosen.update(ranked["parameter"].head(keep))
    return [f for f in factors if f.name in chosen]


def _screen_rankings(indices: pd.DataFrame, outputs: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each output's parameters by Morris mu*, largest first (outputs with no effect left out)."""
    t = indices[(indices["parameter"] != SEEDS_ROW) & indices["output"].isin(outputs)]
    rankings = {}
    for output, effects in t.groupby("output", sort=False):
        ranked = effects.dropna(subset=["mu_star"]).sort_values(
            "mu_star", ascending=False, kind="mergesort")
        if len(ranked):
            rankings[str(output)] = ranked
    return rankings


def _cut_messages(indices: pd.DataFrame, keep: int) -> dict[str, str]:
    """What a screen says of each output: where it cuts the ranking and how clear the cut is.

    A screen only ranks, so whether mu* is known to 10% is beside the point (advice to run
    thousands of trajectories would be wrong); the Sobol' stage checks convergence.
    """
    messages = {}
    for output, ranked in _screen_rankings(indices, indices["output"].unique()).items():
        if len(ranked) <= keep:
            messages[output] = f"{output}: the screen keeps all {len(ranked)} parameters"
            continue
        last, out = ranked.iloc[keep - 1], ranked.iloc[keep]
        overlap = last.mu_star - last.mu_star_conf < out.mu_star + out.mu_star_conf
        messages[output] = (
            f"{output}: the screen cuts after {last.parameter} (mu* {last.mu_star:.3g} +- "
            f"{last.mu_star_conf:.2g}); first left out: {out.parameter} ({out.mu_star:.3g} +- "
            f"{out.mu_star_conf:.2g}); "
            + ("their intervals overlap: more --trajectories make the cut surer" if overlap
               else "a clear cut"))
    return messages


def _print_summary(indices: pd.DataFrame, conv: pd.DataFrame, outputs: Sequence[str],
                   screen: bool = False) -> None:
    sobol = "ST" in indices
    main, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    for output in outputs:
        t = indices[indices["output"] == output]
        if t[main].isna().all():
            print(f"\n{output}: constant over the sample (no indices)")
            continue
        seeds = t[t["parameter"] == SEEDS_ROW]
        share, half = float(seeds[main].iloc[0]), float(seeds[conf].iloc[0])
        print(f"\n{output}  " + ("(one seed per point: no seed share)" if math.isnan(share)
                                 else f"(seed share {share:.2f} +- {half:.2f})"))
        head = "  rank  parameter                     " + (
            "     ST (+-95%)       S1 (+-95%)" if sobol else "     mu* (+-95%)      sigma")
        print(head)
        for r in t[t["parameter"] != SEEDS_ROW].sort_values("rank").head(TOP).itertuples():
            if sobol:
                print(f"  {int(r.rank):>4}  {r.parameter:<28} {r.ST:7.3f} ({r.ST_conf:5.3f})  "
                      f"{r.S1:7.3f} ({r.S1_conf:5.3f})")
            else:
                print(f"  {int(r.rank):>4}  {r.parameter:<28} {r.mu_star:8.3g} "
                      f"({r.mu_star_conf:7.3g}) {r.sigma:8.3g}")
    print()
    for msg in conv.loc[conv["output"].isin(outputs), "message"]:
        print(msg)
    rest = conv[~conv["output"].isin(outputs) & conv["converged"].notna()]
    if len(rest) and screen:      # a screen ranks: where it cuts them, not convergence
        print(f"other outputs ({', '.join(rest['output'])}): where the screen cuts them is "
              "in sensitivity_convergence.csv")
    elif len(rest):
        print(f"other outputs ({', '.join(rest['output'])}): "
              f"{int(rest['converged'].astype(bool).sum())} of {len(rest)} converged "
              "(see sensitivity_convergence.csv)")


def run(args: argparse.Namespace) -> int:
    """Run the sample(s), analyse, write CSV and PNG; return the exit code."""
    from experiments.outcomes import numeric_outcomes
    from experiments.runner import BatchError

    _check_args(args)
    outputs = _outputs(args.output, numeric_outcomes())
    factors, scenario, base = factors_from_args(args)
    if args.screen:
        if args.method != "sobol":
            raise BatchError("--screen K screens with Morris before a Sobol' analysis: "
                             "use it with --method sobol")
        if args.screen >= len(factors):
            raise BatchError(f"--screen {args.screen}: keep fewer than the {len(factors)} "
                             "parameters varied")
        screen = argparse.Namespace(**{**vars(args), "out": args.out / "screen"})
        code, indices = _study(screen, "morris", factors, scenario, base, outputs,
                               screen_keep=args.screen)
        if indices is None:
            return code
        headline = [o for o in outputs if not o.startswith("losses_")] or outputs
        factors = _screened(factors, indices, args.screen, headline)
        print(f"\nscreening kept {len(factors)} parameters for Sobol': "
              f"{', '.join(f.name for f in factors)}\n", flush=True)
    code, _ = _study(args, args.method, factors, scenario, base, outputs)
    return code


def _study(args: argparse.Namespace, method: str, factors: Sequence[Factor], scenario: Any,
           base: Mapping[str, Any], outputs: Sequence[str], screen_keep: int | None = None,
           ) -> tuple[int, pd.DataFrame | None]:
    """One design: run it into ``args.out``, analyse, write files, print the summary.

    A screen (``screen_keep`` per output) reports where it cuts instead of convergence.
    """
    from experiments.batchargs import failed_runs_note, run_from_args
    from experiments.outcomes import outcomes_by_run, source_columns
    from experiments.storage import load_results

    t0 = time.perf_counter()
    n = args.n if method == "sobol" else args.trajectories
    design = make_design(method, factors, n, levels=args.levels, seed=args.sample_seed,
                         base=base)
    validate_points(scenario, design.points)
    names = [f.name for f in design.factors]
    size = f"N={design.n}" if method == "sobol" else f"r={design.n} trajectories"
    print(f"{args.scenario}: {method} over {len(names)} parameters, {size}: {len(design.x)} "
          f"design rows, {len(design.points)} distinct points x {len(args.seeds)} seeds = "
          f"{len(design.points) * len(args.seeds)} runs of {args.quarters} quarters", flush=True)
    if method == "sobol" and design.n & (design.n - 1):
        print(f"note: N={design.n} is not a power of 2; Sobol' sequences balance best at "
              "powers of 2", flush=True)
    t_runs = time.perf_counter()
    result = run_from_args(args, design.points, "sensitivity", validate=False)
    executed, spent = result.attrs.get("runs_executed", 0), time.perf_counter() - t_runs
    df = load_results(args.out, columns=["seed", *names, *source_columns()])
    runs = outcomes_by_run(df, by=["scenario", *names, "seed"])
    if "first_default" in runs:       # no default in the run: censored at the horizon
        runs["first_default"] = runs["first_default"].fillna(float(args.quarters))
    try:
        matrices = point_matrix(design, runs, outputs, args.seeds)
    except ValueError as exc:
        note = failed_runs_note(result, args.out)
        print(f"python -m experiments sensitivity: {exc}" + (f"; {note}" if note else ""),
              file=sys.stderr)
        return 3, None
    indices = analyse(design, matrices, resamples=args.resamples,
                      conf_level=args.conf_level, seed=args.sample_seed)
    conv = convergence(indices, design.n, negligible=args.negligible,
                       size_flag="--n" if method == "sobol" else "--trajectories",
                       runs_per_n=len(design.points) * len(args.seeds) / design.n,
                       runs_per_second=(executed / spent if executed >= MIN_RUNS_FOR_RATE
                                        else None))
    if screen_keep:
        cuts = _cut_messages(indices, screen_keep)
        conv["message"] = [cuts.get(o, m) for o, m in zip(conv["output"], conv["message"],
                                                          strict=True)]
    out: Path = args.out
    indices.to_csv(out / "sensitivity_indices.csv", index=False)
    conv.to_csv(out / "sensitivity_convergence.csv", index=False)
    runs.to_csv(out / "sensitivity_runs.csv", index=False)
    _print_summary(indices, conv, [o for o in outputs if not o.startswith("losses_")],
                   screen=bool(screen_keep))
    if len(args.seeds) == 1:
        print(ONE_SEED_NOTE)
    what = "Sobol' indices" if method == "sobol" else "Morris screening"
    title = (f"{args.scenario}: {what}, {size}, {len(args.seeds)} seeds per point "
             f"({round(args.conf_level * 100)}% intervals)")
    files = ["sensitivity_indices.csv", "sensitivity_convergence.csv", "sensitivity_runs.csv"]
    main = "ST" if method == "sobol" else "mu_star"
    varied = set(indices.dropna(subset=[main])["output"])      # outputs that are not constant
    headline = [o for o in outputs if not o.startswith("losses_") and o in varied]
    bearers = [o for o in outputs if o.startswith("losses_") and o in varied]
    for name, chosen in (("sensitivity.png", headline), ("sensitivity_bearers.png", bearers)):
        if chosen:
            bar_chart(indices, chosen, title).savefig(out / name, dpi=110)
            files.append(name)
    print(f"\n{len(runs)} runs analysed in {time.perf_counter() - t0:.1f} s -> {out}: "
          + ", ".join(files))
    return 0, indices
