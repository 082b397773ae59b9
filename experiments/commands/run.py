"""``run``: scenarios x seeds; writes Parquet, manifest.json, summary.csv, crisis_runs.csv."""

from __future__ import annotations

import argparse

from experiments import cli

EXAMPLE = "python -m experiments run --scenario bust --seeds 0-99 --quarters 40 --out results/bust"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``run`` parser."""
    p = cli.add_batch_command(
        subparsers, "run", summary="run scenario(s) over many seeds", example=EXAMPLE,
        description="Run one or more scenarios over many seeds; writes Parquet results, "
                    "manifest.json and summary.csv.")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario name or TOML path (repeatable; default baseline)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the batch and write the summaries."""
    fixed = cli.fixed_overrides(args)
    return cli.run_and_write(
        args, cli.scenario_names(args.scenario), fixed or None, "run", list(fixed),
        lambda df, out: cli.write_summary(df, out, ["scenario"]))
