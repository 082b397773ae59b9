"""``run``: scenarios x seeds; writes Parquet, manifest.json, summary.csv, crisis_runs.csv."""

from __future__ import annotations

import argparse
import time

from experiments import cli

EXAMPLE = "python -m experiments run --scenario bust --seeds 0-99 --quarters 40 --out results/bust"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``run`` parser."""
    p = subparsers.add_parser(
        "run", parents=[cli.batch_options()], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run scenario(s) over many seeds",
        description="Run one or more scenarios over many seeds; writes Parquet results, "
                    "manifest.json and summary.csv.",
        epilog=f"example: {EXAMPLE}")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario name or TOML path (repeatable; default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the batch and write the summaries."""
    t0 = time.perf_counter()
    fixed = cli.fixed_overrides(args)
    res = cli.run_from_args(args, cli.scenario_names(args.scenario), fixed or None, "run")
    df = cli.read_results(args.out, list(fixed))
    files = ["manifest.json", "runs/"]
    if not df.empty:
        files += cli.write_summary(df, args.out, ["scenario"])
    return cli.report(res.attrs, args.out, files, t0)
