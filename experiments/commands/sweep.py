"""``sweep``: the cartesian product of ``--param`` axes x seeds, one summary row per point."""

from __future__ import annotations

import argparse

from experiments import cli

EXAMPLE = ("python -m experiments sweep --param revenue_2030=300:2400:8 --param "
           "base_rate=0:0.09:4 --seeds 0-19 --out results/sweep")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``sweep`` parser."""
    p = cli.add_batch_command(
        subparsers, "sweep", summary="grid over parameters (cartesian product of --param)",
        example=EXAMPLE,
        description="Run the cartesian product of parameter values x seeds; writes Parquet "
                    "results, manifest.json and summary.csv (one row per grid point).")
    p.add_argument("--param", action="append", type=cli.axis_type, required=True,
                   metavar="NAME=VALUES",
                   help="a grid axis: NAME=start:stop:count (both ends included), "
                        "NAME=a,b,c or NAME=value (repeatable)")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario(s) to sweep (repeatable; default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the grid and write the summaries."""
    names = [a.name for a in args.param]
    fixed = cli.fixed_overrides(args, set(names))
    scenarios = cli.scenario_names(args.scenario)
    points = cli.grid_points(args, args.param, len(scenarios), fixed)
    return cli.run_and_write(
        args, scenarios, points, "sweep", [*fixed, *names],
        lambda df, out: cli.write_summary(df, out, ["scenario", *names]))
