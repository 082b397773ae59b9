"""``python -m experiments oat``: one assumption at a time.

Every parameter outside the shocks group (or those of --group / --param) takes --count
values evenly over its declared range, the scenario's other parameters unchanged, each
value over the same seeds. Whole-number parameters are rounded and repeats dropped; a value
the model refuses at the scenario's other values (an economic life above the book life) is
left out and listed. All points run as one batch (one --resume completes it); a value equal
to the scenario's is the scenario itself, run once.

Per parameter and value it prints (largest effect on losses first) and writes to
``oat.csv``: ``runs``; ``crisis_probability`` (share of seeds in crisis, rule of
experiments/crisis.py) with its 95% Wilson interval; ``mean_losses`` (final
``cumulative_losses``, USD bn) and ``losses_p10``/``losses_p90``; ``first_default``
(median quarter of the first default over the runs that have one, "-" if none) and
``share_with_default``; and the other columns of ``response``. The *effect* of a parameter
is last minus first value of mean losses and of crisis share (``oat_effects.csv``).
``oat_runs.csv`` has one row per point and seed; ``oat.png`` one panel per parameter.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from experiments import oat
from experiments.errors import BatchError

EXAMPLES = ["--out results/oat",
            "--group financing --count 7 --seeds 0-19 --out results/oat-financing",
            "--param base_rate --param lab_burn --count 9 --out results/oat-two"]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 2, got {text!r}")
    return value


def _param_name(text: str) -> str:
    from experiments.cli import check_name

    check_name(text.strip())
    return text.strip()


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``oat`` on the ``python -m experiments`` sub-command parser."""
    from experiments.batchargs import command_parser
    from model.parameters import GROUPS

    p = command_parser(
        subparsers, "oat", __doc__,
        "one assumption at a time: each parameter over its range, the rest unchanged",
        EXAMPLES, oat.DEFAULT_SEEDS)
    p.add_argument("--count", type=_count, default=oat.DEFAULT_COUNT,
                   help=f"values per parameter, both ends of its range included "
                        f"(default {oat.DEFAULT_COUNT})")
    p.add_argument("--group", action="append", default=None, choices=GROUPS, metavar="GROUP",
                   help=f"vary every parameter of this group (repeatable): {', '.join(GROUPS)} "
                        f"(default: all but {', '.join(oat.EXCLUDED_GROUPS)})")
    p.add_argument("--param", action="append", default=None, type=_param_name, metavar="NAME",
                   help="vary only this parameter (repeatable; with --group it must belong "
                        "to one of the groups)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the points as one batch, print the table, write CSV and PNG; the exit code."""
    from experiments.batchargs import finish, run_from_args
    from experiments.crisis import CRISIS_DEFINITION
    from experiments.outcomes import outcomes_by_run, source_columns
    from experiments.sampling import scenario_from_args
    from experiments.storage import load_results
    from model import PARAMETER_INFO

    t0 = time.perf_counter()
    try:
        names = oat.select_parameters(args.group, args.param)
    except ValueError as exc:
        raise BatchError(str(exc)) from None
    scenario, base = scenario_from_args(args, names)
    points, left_out = oat.plan_points(scenario, names, args.count)
    if not points:
        raise BatchError("no point left: the model refuses every value "
                         f"({'; '.join(map(str, left_out))})")
    settings = oat.distinct_overrides(points, base)
    varied = list(dict.fromkeys(k for s in settings for k in s))
    print(f"{args.scenario}: one assumption at a time, {len(names)} parameters, "
          f"{len(points)} points ({len(settings)} distinct) x {len(args.seeds)} seeds = "
          f"{len(settings) * len(args.seeds):,} runs, {args.quarters} quarters", flush=True)
    for item in left_out:
        print(f"left out: {item}")
    result = run_from_args(args, settings, "oat")
    df = load_results(args.out, columns=["seed", *varied, *source_columns()])
    if df.empty:
        print(f"python -m experiments oat: no run finished; see {args.out}", file=sys.stderr)
        return 3
    runs = outcomes_by_run(df, by=["scenario", *varied, "seed"])
    per_point = oat.runs_by_point(runs, points, base)
    table = oat.oat_table(per_point)
    eff = oat.effects(table)
    table = oat.in_effect_order(table, eff)
    print(oat.format_table(table, eff))
    print(CRISIS_DEFINITION)
    out: Path = args.out
    table.to_csv(out / "oat.csv", index=False)
    eff.to_csv(out / "oat_effects.csv", index=False)
    per_point.to_csv(out / "oat_runs.csv", index=False)
    fig = oat.oat_figure(
        table, eff, PARAMETER_INFO,
        f"{args.scenario}: one assumption at a time, {len(args.seeds)} seeds per value, "
        "the other parameters at the scenario's values",
        "Panels in order of the effect on mean losses (last minus first value); the losses "
        f"axis is the same in every panel. {CRISIS_DEFINITION}")
    fig.savefig(out / "oat.png", dpi=100)
    return finish(result, out, len(runs), t0,
                  ["oat.csv", "oat_effects.csv", "oat_runs.csv", "oat.png"])

