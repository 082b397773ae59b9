"""``bench``: the benchmarks (``python -m experiments.bench``)."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``bench`` parser."""
    p = subparsers.add_parser("bench", help="benchmarks (python -m experiments.bench)",
                              description="Delegates to python -m experiments.bench; e.g. "
                                          "'python -m experiments bench batch'.")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for experiments.bench")
    return p


def run(args: argparse.Namespace) -> int:
    """Delegate to ``experiments.bench``."""
    from experiments.bench.__main__ import main as bench_main

    return int(bench_main(args.args) or 0)
