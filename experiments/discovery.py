"""``python -m experiments discover``: which combinations of assumptions lead to a crisis.

This is scenario discovery. Over a batch of runs (a new Latin hypercube sample, or an
existing batch directory with ``--from``) it finds:

* **PRIM boxes** (the Patient Rule Induction Method of Friedman & Fisher 1999, as used for
  scenario discovery by Bryant & Lempert 2010, in the EMA Workbench's implementation): a
  box is a set of parameter ranges in which crises concentrate. **Coverage** is the share
  of all crises that fall inside the box, **density** the share of runs inside the box that
  are crises, **mass** the share of runs inside it. PRIM peels the space a little at a
  time; each step raises density and loses coverage (the *peeling trajectory*). The box
  reported is the densest one that keeps at least ``--min-coverage`` of the crises.
* **Feature scores**: how much each parameter helps predict a crisis (extra-trees
  impurity importances, EMA Workbench; they sum to 1).

Writes ``discovery_boxes.csv`` (box limits, with the quasi-p-value of each restriction),
``discovery_trajectory.csv``, ``discovery_features.csv``, ``discovery_runs.csv`` and
``discovery.png`` (trade-off curve, box limits, feature scores).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Box", "add_parser", "describe_box", "feature_scores", "find_boxes", "run"]

DEFAULT_POINTS = 1000
DEFAULT_SEEDS = "0-1"          # x DEFAULT_POINTS = 2,000 runs
MIN_COVERAGE = 0.8
MAX_QP = 0.05                  # restrictions less significant than this are dropped


def _ema():
    """The EMA Workbench's PRIM and feature scoring, imported quietly.

    (It warns at import about optional extras such as ipyparallel.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring, prim
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim, feature_scoring, RuleInductionType


@dataclass
class Box:
    """One PRIM box at the chosen step of its peeling trajectory.

    Attributes:
        number: 1 for the first box, 2 for the next (found among runs outside box 1), ...
        step: the chosen step of the trajectory.
        coverage: share of all crises inside the box.
        density: share of runs inside the box that are crises.
        mass: share of all runs inside the box.
        limits: one row per restricted parameter: ``parameter, low, high, qp_low, qp_high``
            (quasi-p-values of the lower and upper restriction; NaN if not restricted).
        trajectory: the peeling trajectory (``step, coverage, density, mass, res_dim``).
        dropped: restrictions of the chosen step dropped as not significant.
    """

    number: int
    step: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame
    trajectory: pd.DataFrame = field(repr=False)
    dropped: list[str] = field(default_factory=list)


def _choose_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """Densest step with coverage >= min_coverage (fewest restrictions on a tie)."""
    ok = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if ok.empty:
        ok = trajectory.iloc[:1]
    best = ok.sort_values(["density", "res_dim", "step"], ascending=[False, True, True],
                          kind="mergesort")
    return int(best["step"].iloc[0])


def _drop_weak_restrictions(box: Any, max_qp: float | None) -> list[str]:
    """Drop, weakest first, restrictions whose quasi-p-value exceeds ``max_qp``.

    A restriction that chance alone would often produce only makes the box harder to read
    (Bryant & Lempert 2010); each drop is re-evaluated by the Workbench (coverage, density
    and the remaining quasi-p-values change).
    """
    dropped: list[str] = []
    while max_qp is not None:
        _, lims = box.inspect(style="data")[0]
        qp = lims.iloc[:, 2:].astype(float).min(axis=1, skipna=True)   # the stronger side
        weak = qp[qp > max_qp]
        if weak.empty or len(qp) <= 1:
            return dropped
        name = str(weak.idxmax())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box.drop_restriction(name)
        dropped.append(name)
    return dropped


def find_boxes(x: pd.DataFrame, y: np.ndarray, *, boxes: int = 1,
               min_coverage: float = MIN_COVERAGE, max_qp: float | None = MAX_QP,
               peel_alpha: float = 0.05, paste_alpha: float = 0.05,
               mass_min: float = 0.05) -> list[Box]:
    """PRIM boxes for a binary outcome.

    Args:
        x: one row per run, one column per parameter.
        y: 1/True where the run is a case of interest (a crisis).
        boxes: how many boxes to find (each next one among the runs outside the previous).
        min_coverage: keep at least this share of the cases when choosing the step.
        max_qp: then drop restrictions whose quasi-p-value is above this (None: keep all).
        peel_alpha: share of the runs peeled off per step (EMA Workbench default).
        paste_alpha: share pasted back per step.
        mass_min: smallest box, as a share of all runs.

    Returns:
        The boxes found (fewer than ``boxes`` when PRIM finds no further one).
    """
    prim, _, _ = _ema()
    y = np.asarray(y, dtype=bool)
    if not 0 < y.sum() < len(y):
        return []
    with warnings.catch_warnings():      # the Workbench's own pandas deprecation warnings
        warnings.simplefilter("ignore")
        p = prim.Prim(x.reset_index(drop=True).astype(float), y, peel_alpha=peel_alpha,
                      paste_alpha=paste_alpha, mass_min=mass_min)
    found = []
    for number in range(1, boxes + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = p.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.rename(columns={"id": "step"})
        traj = traj[["step", "coverage", "density", "mass", "res_dim"]].astype(
            {"step": int, "res_dim": int})
        step = _choose_step(traj, min_coverage)
        box.select(step)
        dropped = _drop_weak_restrictions(box, max_qp)
        stats, lims = box.inspect(style="data")[0]
        rows = []
        for name in lims.index:
            low, high, qp_low, qp_high = (float(v) for v in lims.loc[name].to_numpy())
            rows.append({"parameter": name, "low": low, "high": high,
                         "qp_low": qp_low, "qp_high": qp_high})
        limits = pd.DataFrame(rows, columns=["parameter", "low", "high", "qp_low", "qp_high"])
        found.append(Box(number, step, float(stats["coverage"]), float(stats["density"]),
                         float(stats["mass"]), limits, traj, dropped))
    return found


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.Series:
    """Extra-trees feature scores of each parameter for the binary outcome (sum to 1)."""
    _, fs, rule_type = _ema()
    scores, _ = fs.get_ex_feature_scores(x.astype(float), np.asarray(y, dtype=int),
                                         mode=rule_type.CLASSIFICATION, random_state=seed)
    return scores.iloc[:, 0].rename("score").rename_axis("parameter")


def _fmt(v: float) -> str:
    """A number for a sentence: 4,780 / 13.2 / 0.0304."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def describe_box(box: Box, x: pd.DataFrame, info: Mapping[str, Any] | None = None,
                 what: str = "a crisis") -> str:
    """The box in plain words: its ranges, with units, and how good a box it is."""
    if info is None:
        from model import PARAMETER_INFO

        info = PARAMETER_INFO
    parts = []
    for r in box.limits.itertuples():
        lo_all, hi_all = float(x[r.parameter].min()), float(x[r.parameter].max())
        p = info.get(r.parameter)
        about = ", ".join(v for v in (getattr(p, "label", ""), getattr(p, "unit", "")) if v)
        name = f"{r.parameter}" + (f" ({about})" if about else "")
        cut_low, cut_high = r.low > lo_all + 1e-12, r.high < hi_all - 1e-12
        if cut_low and cut_high:
            parts.append(f"{name} between {_fmt(r.low)} and {_fmt(r.high)}")
        elif cut_high:
            parts.append(f"{name} at most {_fmt(r.high)}")
        else:
            parts.append(f"{name} at least {_fmt(r.low)}")
        parts[-1] += f" (sampled {_fmt(lo_all)} to {_fmt(hi_all)})"
    where = "; and ".join(parts) if parts else "anywhere (PRIM found no restriction)"
    text = (f"Box {box.number}: {box.density:.0%} of runs are {what} where {where}. "
            f"The box holds {box.coverage:.0%} of all such runs (coverage) in "
            f"{box.mass:.0%} of the runs (mass).")
    if box.dropped:
        text += f" (Not significant, so dropped: {', '.join(box.dropped)}.)"
    return text


def _figure(boxes: Sequence[Box], scores: pd.Series, x: pd.DataFrame, title: str):
    """Trade-off curve (coverage vs density), box limits, and feature scores."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.6), layout="constrained")
    ax_t, ax_b, ax_f = fig.subplots(1, 3, width_ratios=[1, 1.1, 1])
    for box in boxes:
        t = box.trajectory
        sc = ax_t.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=14)
        chosen = t[t["step"] == box.step]
        ax_t.scatter(chosen["coverage"], chosen["density"], s=90, facecolors="none",
                     edgecolors="#b2182b", lw=1.8, label=f"box {box.number} (chosen step)")
    if boxes:
        fig.colorbar(sc, ax=ax_t, label="parameters restricted")
        ax_t.legend(fontsize=8, loc="lower left", frameon=False)
    ax_t.set(xlabel="coverage (share of crises inside)", ylabel="density (crises / runs inside)",
             xlim=(0, 1.02), ylim=(0, 1.02), title="PRIM peeling trajectory")
    ax_t.grid(alpha=0.3)
    # box limits, each parameter scaled to its sampled range
    if boxes:
        lim = boxes[0].limits
        for i, r in enumerate(lim.itertuples()):
            lo_all, hi_all = float(x[r.parameter].min()), float(x[r.parameter].max())
            span = (hi_all - lo_all) or 1.0
            a, b = (r.low - lo_all) / span, (r.high - lo_all) / span
            ax_b.plot([0, 1], [i, i], color="#cccccc", lw=6, solid_capstyle="butt")
            ax_b.plot([a, b], [i, i], color="#b2182b", lw=6, solid_capstyle="butt")
            ax_b.text(a, i + 0.22, _fmt(r.low), fontsize=7, ha="center")
            ax_b.text(b, i + 0.22, _fmt(r.high), fontsize=7, ha="center")
        ax_b.set_yticks(range(len(lim)), lim["parameter"], fontsize=8)
        ax_b.set_ylim(-0.7, max(len(lim), 1) - 0.3)
    ax_b.set(xlim=(-0.05, 1.05), xlabel="position within the sampled range",
             title="box 1: ranges where crises concentrate")
    top = scores.sort_values().tail(12)
    ax_f.barh(range(len(top)), top.to_numpy(), color="#2166ac")
    ax_f.set_yticks(range(len(top)), top.index, fontsize=8)
    ax_f.set(xlabel="feature score (extra trees)", title="what predicts a crisis")
    ax_f.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=11)
    return fig


# -- command line --------------------------------------------------------------------------
def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``discover`` on the ``python -m experiments`` sub-command parser."""
    from experiments.batchargs import command_parser
    from experiments.sampling import add_factor_options

    p = command_parser(
        subparsers, "discover", __doc__,
        "scenario discovery: PRIM boxes and feature scores for crises",
        ["--points 1000 --seeds 0-1 --out results/discover",
         "--from results/discover --invert --out results/discover-safe",
         "--target losses --above 100 --out results/discover-losses"], DEFAULT_SEEDS)
    p.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                   help="analyse an existing batch directory (from run, sweep, sensitivity, "
                        "...) instead of running a new sample; its varied parameters are "
                        "the candidates (the batch options then only need --out)")
    add_factor_options(p, "the revenue and financing groups")
    p.add_argument("--points", type=int, default=DEFAULT_POINTS,
                   help=f"Latin hypercube points of a new batch (default {DEFAULT_POINTS}; "
                        "each runs with every seed)")
    p.add_argument("--target", default="crisis", metavar="OUTCOME",
                   help="outcome that defines a case of interest (default crisis); see "
                        "experiments/outcomes.py")
    p.add_argument("--above", type=float, default=None, metavar="VALUE",
                   help="a run is a case when TARGET > VALUE (default: crisis = 1)")
    p.add_argument("--invert", action="store_true",
                   help="look for where the cases do NOT happen (e.g. where crises are "
                        "avoided); useful when most runs are cases")
    p.add_argument("--min-coverage", type=float, default=MIN_COVERAGE,
                   help=f"keep at least this share of the cases in the box "
                        f"(default {MIN_COVERAGE})")
    p.add_argument("--max-qp", type=float, default=MAX_QP,
                   help="drop restrictions whose quasi-p-value is above this, weakest first "
                        f"(default {MAX_QP}; 1 keeps every restriction)")
    p.add_argument("--boxes", type=int, default=1, help="boxes to find (default 1)")
    p.add_argument("--sample-seed", type=int, default=0,
                   help="seed of the sample and of the extra trees (default 0)")
    return p


def _new_batch(args: argparse.Namespace) -> tuple[pd.DataFrame, list[str], str]:
    from experiments.batchargs import failed_runs_note, run_from_args
    from experiments.outcomes import source_columns
    from experiments.runner import BatchError
    from experiments.sampling import (
        factors_from_args,
        latin_hypercube,
        to_points,
        validate_points,
    )
    from experiments.storage import load_results

    if args.points < 10:
        raise BatchError(f"--points must be at least 10, got {args.points}")
    factors, scenario, base = factors_from_args(args, default_groups=["revenue", "financing"])
    points, _ = to_points(factors, latin_hypercube(factors, args.points, args.sample_seed), base)
    validate_points(scenario, points)
    names = [f.name for f in factors]
    print(f"{args.scenario}: Latin hypercube over {len(names)} parameters, {len(points)} "
          f"points x {len(args.seeds)} seeds = {len(points) * len(args.seeds)} runs of "
          f"{args.quarters} quarters", flush=True)
    result = run_from_args(args, points, "discover", validate=False)
    note = failed_runs_note(result, args.out)
    df = load_results(args.out, columns=["seed", *names, *source_columns()])
    return df, names, note or ""


def _existing_batch(source: Path) -> tuple[pd.DataFrame, list[str]]:
    from experiments.outcomes import source_columns
    from experiments.runner import BatchError
    from experiments.storage import load_results

    manifest_path = source / "manifest.json"
    if not manifest_path.is_file():
        raise BatchError(f"--from {source}: no manifest.json there; give a directory written "
                         "by python -m experiments (run, sweep, sensitivity, discover, ...)")
    manifest = json.loads(manifest_path.read_text())
    df = load_results(source, columns=["seed", *manifest.get("override_columns", []),
                                       *source_columns()])
    names = [c for c in manifest.get("override_columns", []) if c in df and
             pd.api.types.is_numeric_dtype(df[c]) and df[c].nunique() > 1]
    if not names:
        raise BatchError(f"--from {source}: no parameter varies across its runs; discovery "
                         "needs a batch over parameter values (sweep, sensitivity, discover)")
    return df, names


def _cases(runs: pd.DataFrame, target: str, above: float | None) -> tuple[np.ndarray, str]:
    from experiments.runner import BatchError

    if target not in runs:
        known = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c])]
        raise BatchError(f"--target: unknown outcome {target!r}; choose from {', '.join(known)}")
    values = runs[target].astype(float)
    if above is None:
        if target != "crisis":
            raise BatchError(f"--target {target} needs --above VALUE (a case is "
                             f"{target} > VALUE)")
        return (values >= 1).to_numpy(), "a crisis"
    return (values > above).to_numpy(), f"{target} > {above:g}"


def run(args: argparse.Namespace) -> int:
    """Run or load the batch, find the boxes and scores, write CSV and PNG; exit code."""
    from experiments.outcomes import outcomes_by_run
    from experiments.runner import BatchError

    t0 = time.perf_counter()
    if not 0 < args.min_coverage <= 1:
        raise BatchError(f"--min-coverage must lie in (0, 1], got {args.min_coverage}")
    if args.boxes < 1:
        raise BatchError(f"--boxes must be at least 1, got {args.boxes}")
    note = ""
    if args.source is not None:
        df, names = _existing_batch(args.source)
        origin = str(args.source)
    else:
        df, names, note = _new_batch(args)
        origin = f"{args.scenario}, Latin hypercube"
    by = [c for c in ("scenario", *names, "seed") if c in df]
    runs = outcomes_by_run(df, by=by)
    y, what = _cases(runs, args.target, args.above)
    if args.invert:
        y, what = ~y, f"not {what}"
    x = runs[names]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    runs.to_csv(out / "discovery_runs.csv", index=False)
    print(f"{len(runs)} runs over {len(names)} parameters; {int(y.sum())} are {what} "
          f"({y.mean():.0%})")
    if y.mean() > 0.8 and not args.invert:
        print(f"(most runs are {what}: --invert finds where it does not happen)")
    if not 0 < y.sum() < len(y):
        print(f"nothing to discover: {'every' if y.all() else 'no'} run is {what}; widen the "
              "ranges or choose another --target/--above")
        return 0
    boxes = find_boxes(x, y, boxes=args.boxes, min_coverage=args.min_coverage,
                       max_qp=None if args.max_qp >= 1 else args.max_qp)
    scores = feature_scores(x, y, seed=args.sample_seed)
    for box in boxes:
        print("\n" + describe_box(box, x, what=what))
    print("\nfeature scores (extra trees; what predicts it):")
    for name, s in scores.head(10).items():
        print(f"  {name:<28} {s:6.3f}")
    limits = [b.limits.assign(box=b.number, coverage=b.coverage, density=b.density,
                              mass=b.mass, step=b.step) for b in boxes]
    if limits:
        pd.concat(limits, ignore_index=True).to_csv(out / "discovery_boxes.csv", index=False)
        pd.concat([b.trajectory.assign(box=b.number) for b in boxes]).to_csv(
            out / "discovery_trajectory.csv", index=False)
    scores.to_csv(out / "discovery_features.csv")
    fig = _figure(boxes, scores, x, f"{origin}: where {what} concentrates "
                                    f"({len(runs)} runs)")
    fig.savefig(out / "discovery.png", dpi=110)
    print(f"\n{time.perf_counter() - t0:.1f} s -> {out}: discovery_boxes.csv, "
          "discovery_trajectory.csv, discovery_features.csv, discovery_runs.csv, discovery.png")
    if note:
        print(note, file=sys.stderr)
        return 3
    return 0
