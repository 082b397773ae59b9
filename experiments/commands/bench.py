"""``bench``: the benchmarks (``python -m experiments.bench``)."""

from __future__ import annotations

import argparse

from experiments import cli


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``bench`` parser."""
    return cli.add_passthrough_command(
        subparsers, "bench", summary="benchmarks (python -m experiments.bench)",
        description="Delegates to python -m experiments.bench; e.g. 'python -m experiments "
                    "bench batch'.", target="experiments.bench")


def run(args: argparse.Namespace) -> int:
    """Delegate to ``experiments.bench``."""
    from experiments.bench.__main__ import main as bench_main

    return int(bench_main(args.args) or 0)
