"""Batch options shared by the analysis commands (``sensitivity``, ``discover``, ``response``).

They run their batches through :func:`experiments.run_batch` with the same executors,
output layout, progress bar and ``--resume`` as ``run`` and ``sweep``; this module holds the
flags and the one call that turns them into a batch.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["add_batch_options", "failed_runs_note", "help_text", "run_from_args"]


def help_text(doc: str) -> str:
    """A module docstring's body as --help text: without its first line and reST markup."""
    body = doc.split("\n\n", 1)[-1]
    body = re.sub(r":\w+:`~?([^`]+)`", r"\1", body)       # :func:`name` -> name
    return body.replace("``", "").replace("**", "").replace("*", "")


def add_batch_options(p: argparse.ArgumentParser, default_seeds: str,
                      out_required: bool = True) -> argparse._ArgumentGroup:
    """Add --scenario, --seeds, --quarters, --set, --out and the executor flags to ``p``."""
    from experiments.__main__ import positive_int, seeds_type, set_type
    from experiments.executors import EXECUTORS

    g = p.add_argument_group("batch options")
    g.add_argument("--scenario", default="baseline", metavar="NAME",
                   help="scenario name or TOML path (default baseline)")
    g.add_argument("--seeds", type=seeds_type, default=default_seeds, metavar="SEEDS",
                   help=f"seeds: '0-19', '0,3,5' or '0-9,20' (default {default_seeds})")
    g.add_argument("--quarters", type=positive_int, default=40,
                   help="quarters per run (default 40 = 2025Q1-2034Q4)")
    g.add_argument("--set", dest="fixed", type=set_type, action="append", default=[],
                   metavar="NAME=VALUE", help="fixed parameter override (repeatable)")
    g.add_argument("--out", required=out_required, type=Path, metavar="DIR",
                   help="output directory: Parquet runs, manifest.json, CSV and PNG")
    g.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="where runs execute (default process; dask if --scheduler is given)")
    g.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: CPUs available)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of an existing Dask scheduler (implies --executor dask)")
    g.add_argument("--resume", action="store_true",
                   help="complete an interrupted batch in --out, skipping finished runs")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    return g


def run_from_args(args: argparse.Namespace, points: Sequence[Mapping[str, Any]] | None,
                  command: str, validate: bool = True) -> pd.DataFrame:
    """Run ``args.scenario`` x ``points`` x ``args.seeds`` into ``args.out`` (not collected).

    Raises:
        BatchError: e.g. ``--scheduler`` with another executor, or ``--out`` already holds
            results and ``--resume`` was not given.
        ParameterError: a bad parameter value (before any run starts).
    """
    from experiments.runner import BatchError, run_batch

    executor = args.executor or ("dask" if args.scheduler else "process")
    if args.scheduler and executor != "dask":
        raise BatchError(f"--scheduler needs --executor dask (got --executor {executor})")
    fixed = dict(args.fixed)
    points = [{**fixed, **p} for p in points] if points else (fixed or None)
    return run_batch(
        [args.scenario], args.seeds, overrides=points, quarters=args.quarters,
        executor=executor, workers=args.workers, out=args.out,
        progress=not args.no_progress, resume=args.resume, scheduler=args.scheduler,
        validate=validate, collect=False,
        meta={"command": command, "argv": getattr(args, "argv", None)})


def failed_runs_note(result: pd.DataFrame, out: Path) -> str | None:
    """A one-line note when some runs of the batch failed (None when all succeeded)."""
    failed = len(result.attrs.get("failures", []))
    if not failed:
        return None
    return (f"{failed} runs failed (errors and parameters in {out / 'failures.jsonl'}); "
            "re-run the same command with --resume to retry them")
