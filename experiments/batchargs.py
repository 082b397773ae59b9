"""Batch options shared by the analysis commands (``sensitivity``, ``discover``, ``response``).

They run their batches through :func:`experiments.run_batch` with the same executors,
output layout, progress bar and ``--resume`` as ``run`` and ``sweep``; this module holds the
flags and the one call that turns them into a batch.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["batch_parent", "command_parser", "failed_runs_note", "finish", "help_text",
           "run_from_args"]


def help_text(doc: str) -> str:
    """A module docstring's body as --help text: without its first line and reST markup."""
    body = doc.split("\n\n", 1)[-1]
    body = re.sub(r":\w+:`~?([^`]+)`", r"\1", body)       # :func:`name` -> name
    body = re.sub(r"\*\*([^*]+)\*\*", r"\1", body)          # **bold** -> bold
    body = re.sub(r"(?<![\n*])\*([^*\n]+)\*", r"\1", body)   # *italic* -> italic
    return body.replace("``", "")


def batch_parent(default_seeds: str, default_scenario: str = "baseline") -> argparse.ArgumentParser:
    """A parent parser with the batch flags of ``run`` and ``sweep`` and ``--scenario``.

    The flags (--seeds, --quarters, --out, --executor, --workers, --scheduler, --set,
    --resume, --no-progress, --chunk-size, --block-runs) are the CLI's own, so every
    command that runs a batch takes the same ones.
    """
    from experiments.cli import batch_options

    p = batch_options(default_seeds)
    p.add_argument("--scenario", default=default_scenario, metavar="NAME",
                   help=f"scenario name or TOML path (default {default_scenario})")
    return p


def command_parser(subparsers: Any, name: str, doc: str, summary: str,
                   examples: Sequence[str], default_seeds: str,
                   default_scenario: str = "baseline") -> argparse.ArgumentParser:
    """Register an analysis command: its --help from ``doc``, the batch flags, examples."""
    return subparsers.add_parser(
        name, parents=[batch_parent(default_seeds, default_scenario)], help=summary,
        formatter_class=argparse.RawDescriptionHelpFormatter, description=help_text(doc),
        epilog="examples:\n" + "\n".join(f"  python -m experiments {name} {e}"
                                         for e in examples))


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
        chunk_size=args.chunk_size, block_runs=args.block_runs, validate=validate,
        collect=False, yes=getattr(args, "yes", False),
        meta={"command": command, "argv": getattr(args, "argv", None)})


def finish(result: pd.DataFrame, out: Path, runs: int, t0: float, files: Sequence[str]) -> int:
    """Say where the files are and how long it took; the exit code (3 if runs failed)."""
    print(f"{runs} runs in {time.perf_counter() - t0:.1f} s -> {out}/"
          + ", ".join(files))
    note = failed_runs_note(result, out)
    if note:
        print(note, file=sys.stderr)
        return 3
    return 0


def failed_runs_note(result: pd.DataFrame, out: Path) -> str | None:
    """A one-line note when some runs of the batch failed (None when all succeeded)."""
    failed = len(result.attrs.get("failures", []))
    if not failed:
        return None
    return (f"{failed} runs failed (errors and parameters in {out / 'failures.jsonl'}); "
            "re-run the same command with --resume to retry them")
