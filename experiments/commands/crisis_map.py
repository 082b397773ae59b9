"""``crisis-map``: crisis probability over a grid of two parameters, as a heatmap."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from experiments import cli
from experiments.errors import BatchError

EXAMPLE = ("python -m experiments crisis-map --x revenue_2030=300:1500:5 --y base_rate=0:0.09:4 "
           "--seeds 0-9 --out results/map")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``crisis-map`` parser."""
    p = cli.add_batch_command(
        subparsers, "crisis-map", summary="heatmap of crisis probability over two parameters",
        example=EXAMPLE,
        description="Crisis probability (share of seeds in crisis, see experiments/crisis.py) "
                    "over a grid of two parameters; writes crisis_map.png, crisis_map.csv, "
                    "crisis_runs.csv.")
    p.add_argument("--x", type=cli.axis_type, required=True, metavar="NAME=VALUES",
                   help="horizontal axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--y", type=cli.axis_type, required=True, metavar="NAME=VALUES",
                   help="vertical axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--scenario", default="baseline", metavar="NAME",
                   help="scenario the grid modifies (default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the grid, write the map and its tables."""
    xname, yname = args.x.name, args.y.name
    if xname == yname:
        raise BatchError(f"arguments --x/--y: both are {xname}; give two different parameters")
    fixed = cli.fixed_overrides(args, {xname, yname})
    points = cli.grid_points(args, [args.x, args.y], 1, fixed)

    def write(df: Any, out: Path) -> list[str]:
        from experiments import plots
        from experiments.crisis import CRISIS_DEFINITION

        summary, runs = cli.summarize(df, [xname, yname])
        summary.insert(0, "scenario", args.scenario)
        summary.to_csv(out / "crisis_map.csv", index=False)
        runs.to_csv(out / "crisis_runs.csv", index=False)
        fig = plots.crisis_heatmap(
            summary, xname, yname,
            title=f"{args.scenario}: crisis probability over {len(args.seeds)} seeds",
            note=CRISIS_DEFINITION)
        fig.savefig(out / "crisis_map.png", dpi=110)
        return ["crisis_map.csv", "crisis_map.png", "crisis_runs.csv"]

    return cli.run_and_write(args, [args.scenario], points, "crisis-map",
                             [*fixed, xname, yname], write)
