"""``crisis-map``: crisis probability over a grid of two parameters, as a heatmap."""

from __future__ import annotations

import argparse
import time

from experiments import cli
from experiments.errors import BatchError

EXAMPLE = ("python -m experiments crisis-map --x revenue_ceiling=300:2500:9 --y herding=0:1:5 "
           "--seeds 0-19 --out results/map")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``crisis-map`` parser."""
    p = subparsers.add_parser(
        "crisis-map", parents=[cli.batch_options()],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="heatmap of crisis probability over two parameters",
        description="Crisis probability (share of seeds in crisis, see experiments/crisis.py) "
                    "over a grid of two parameters; writes crisis_map.png, crisis_map.csv, "
                    "crisis_runs.csv.",
        epilog=f"example: {EXAMPLE}")
    p.add_argument("--x", type=cli.axis_type, required=True, metavar="NAME=VALUES",
                   help="horizontal axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--y", type=cli.axis_type, required=True, metavar="NAME=VALUES",
                   help="vertical axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--scenario", default="baseline", metavar="NAME",
                   help="scenario the grid modifies (default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the grid, write the map and its tables."""
    from experiments import plots
    from experiments.crisis import CRISIS_DEFINITION

    t0 = time.perf_counter()
    xname, yname = args.x.name, args.y.name
    if xname == yname:
        raise BatchError(f"arguments --x/--y: both are {xname}; give two different parameters")
    fixed = cli.fixed_overrides(args, {xname, yname})
    points = cli.grid_points(args, [args.x, args.y], 1, fixed)
    res = cli.run_from_args(args, [args.scenario], points, "crisis-map")
    df = cli.read_results(args.out, [*fixed, xname, yname])
    files = ["manifest.json", "runs/"]
    if not df.empty:
        summary, runs = cli.summarize(df, [xname, yname])
        summary.insert(0, "scenario", args.scenario)
        summary.to_csv(args.out / "crisis_map.csv", index=False)
        runs.to_csv(args.out / "crisis_runs.csv", index=False)
        fig = plots.crisis_heatmap(
            summary, xname, yname,
            title=f"{args.scenario}: crisis probability over {len(args.seeds)} seeds",
            note=CRISIS_DEFINITION)
        fig.savefig(args.out / "crisis_map.png", dpi=110)
        files += ["crisis_map.csv", "crisis_map.png", "crisis_runs.csv"]
    return cli.report(res.attrs, args.out, files, t0)
