"""``sweep``: the cartesian product of ``--param`` axes x seeds, one summary row per point."""

from __future__ import annotations

import argparse
import time

from experiments import cli

EXAMPLE = ("python -m experiments sweep --param revenue_ceiling=300:2500:9 --param "
           "herding=0:1:5 --seeds 0-19 --out results/sweep")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sweep`` parser."""
    p = subparsers.add_parser(
        "sweep", parents=[cli.batch_options()],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="grid over parameters (cartesian product of --param)",
        description="Run the cartesian product of parameter values x seeds; writes Parquet "
                    "results, manifest.json and summary.csv (one row per grid point).",
        epilog=f"example: {EXAMPLE}")
    p.add_argument("--param", action="append", type=cli.axis_type, required=True,
                   metavar="NAME=VALUES",
                   help="a grid axis: NAME=start:stop:count (both ends included), "
                        "NAME=a,b,c or NAME=value (repeatable)")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario(s) to sweep (repeatable; default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the grid and write the summaries."""
    t0 = time.perf_counter()
    names = [a.name for a in args.param]
    fixed = cli.fixed_overrides(args, set(names))
    scenarios = cli.scenario_names(args.scenario)
    points = cli.grid_points(args, args.param, len(scenarios), fixed)
    res = cli.run_from_args(args, scenarios, points, "sweep")
    df = cli.read_results(args.out, [*fixed, *names])
    files = ["manifest.json", "runs/"]
    if not df.empty:
        files += cli.write_summary(df, args.out, ["scenario", *names])
    return cli.report(res.attrs, args.out, files, t0)
