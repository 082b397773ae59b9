"""What the batch commands share: parser, argument types, batch options, summaries.

A one-line-error parser, argument types, the batch options, running a batch from parsed
arguments, and the summary tables written after it.

Argument types turn bad input into argparse errors (exit 2, one line naming the flag and
the accepted form). Values are numbers: ``--set herding=true`` is an error, never ``True``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from experiments.errors import BatchError

EXIT_OK, EXIT_USAGE, EXIT_FAILED_RUNS, EXIT_INTERRUPTED = 0, 2, 3, 130
EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader went away

SUMMARY_COLUMNS = ("defaults", "bank_capital_ratio", "bank_capital_ratio_min", "gated_funds",
                   "bubble_index", "ai_revenue", "capex",
                   "ai_debt_total", "cumulative_capex")


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:  # noqa: D102
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)} "
                              f"(see {self.prog} --help)\n")


def one_line(text: object) -> str:
    """Collapse a message onto one line."""
    return " ".join(str(text).split())


# -- argument types ------------------------------------------------------------------------------
def _known_parameters() -> dict[str, Any]:
    from model import PARAMETER_INFO

    return dict(PARAMETER_INFO)


def check_name(name: str) -> None:
    """An argparse error if ``name`` is not a model parameter."""
    info = _known_parameters()
    if name not in info:
        known = ", ".join(sorted(info))
        raise argparse.ArgumentTypeError(f"unknown parameter {name!r}; known parameters: {known}")


def seeds_type(text: str) -> Any:
    """``0-99`` / ``0,3,5`` / ``0-9,20`` (kept as ranges: counted, not listed)."""
    from experiments.grids import SeedSet

    try:
        return SeedSet.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def axis_type(text: str) -> Any:
    """``NAME=start:stop:count`` / ``NAME=a,b,c`` / ``NAME=value`` (checked, not expanded)."""
    from experiments.grids import parse_axis

    try:
        axis = parse_axis(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    check_name(axis.name)
    return axis


def set_type(text: str) -> tuple[str, int | float]:
    """``NAME=VALUE`` with a number for VALUE."""
    from experiments.grids import parse_assignment

    try:
        name, value = parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    check_name(name)
    return name, value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def quarters_type(text: str) -> int:
    """Quarters per run: a whole number in the model's range [1, 400]."""
    from experiments.plan import model_max_quarters

    top = model_max_quarters()
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= top:
        raise argparse.ArgumentTypeError(f"expected a whole number in [1, {top}], got {text!r}")
    return value


# -- the options every batch command has -----------------------------------------------------------
def batch_options(default_seeds: str = "0-19") -> argparse.ArgumentParser:
    """A parent parser with the batch options (seeds, quarters, out, executor, ...)."""
    from experiments.executors import EXECUTORS

    p = Parser(add_help=False)
    g = p.add_argument_group("batch options")
    g.add_argument("--seeds", type=seeds_type, default=seeds_type(default_seeds),
                   metavar="SEEDS",
                   help=f"seeds: '0-99', '0,3,5' or '0-9,20' (default {default_seeds})")
    g.add_argument("--quarters", type=quarters_type, default=40,
                   help="quarters per run, 1-400 (default 40 = 2025Q1-2034Q4)")
    g.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="output directory (Parquet blocks, manifest.json, CSV, PNG)")
    g.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="where runs execute (default process; dask if --scheduler is given)")
    g.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: CPUs available)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(implies --executor dask; workers need this project installed)")
    g.add_argument("--set", dest="fixed", type=set_type, action="append", default=[],
                   metavar="NAME=VALUE", help="fixed parameter override (repeatable)")
    g.add_argument("--resume", action="store_true",
                   help="complete the same batch in --out: only missing or damaged runs "
                        "execute; a different plan is refused")
    g.add_argument("--yes", action="store_true",
                   help="accept a plan of more than 1,000,000 runs or 10,000 grid points")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--chunk-size", type=positive_int, default=None,
                   help="runs per task (default: ~1 s of work, >= 4 tasks per worker)")
    g.add_argument("--block-runs", type=positive_int, default=256,
                   help="runs per Parquet file (default 256)")
    return p


def add_batch_command(subparsers: argparse._SubParsersAction, name: str, *, summary: str,
                      description: str, example: str) -> argparse.ArgumentParser:
    """Add a subcommand parser with the batch options and an example in its help."""
    return subparsers.add_parser(
        name, parents=[batch_options()], formatter_class=argparse.RawDescriptionHelpFormatter,
        help=summary, description=description, epilog=f"example: {example}")


def add_passthrough_command(subparsers: argparse._SubParsersAction, name: str, *,
                            summary: str, description: str, target: str,
                            ) -> argparse.ArgumentParser:
    """Add a subcommand that hands every argument after its name to ``target``."""
    p = subparsers.add_parser(name, help=summary, description=description)
    p.add_argument("args", nargs=argparse.REMAINDER, help=f"arguments for {target}")
    return p


def fixed_overrides(args: argparse.Namespace, exclude: set[str] = frozenset()) -> dict[str, Any]:
    """The ``--set`` values; a name that is also a grid axis is an error."""
    fixed = dict(args.fixed)
    clash = sorted(set(fixed) & exclude)
    if clash:
        raise BatchError(f"argument --set: {', '.join(clash)} is also a grid axis; set it in "
                         "one place")
    return fixed


def grid_points(args: argparse.Namespace, axes: list[Any], n_scenarios: int,
                fixed: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid of ``axes`` (checked for size before it is built), with ``fixed`` added."""
    from experiments.grids import grid
    from experiments.plan import check_size, product

    names = [a.name for a in axes]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise BatchError(f"parameter {twice} is given as a grid axis twice")
    n_points = product([a.size for a in axes])
    check_size(n_points * n_scenarios * len(args.seeds), n_points, yes=args.yes)
    return [{**fixed, **p} for p in grid({a.name: a.values() for a in axes})]


def scenario_names(values: list[str] | None) -> list[str]:
    """``--scenario a --scenario b,c`` -> ``[a, b, c]`` (default: baseline)."""
    out: list[str] = []
    for v in values or ["baseline"]:
        out.extend(s.strip() for s in v.split(",") if s.strip())
    return out


def run_from_args(args: argparse.Namespace, scenarios: list[str], overrides: Any,
                  command: str) -> Any:
    """Run the batch the parsed arguments describe (results to ``--out``)."""
    from experiments.runner import run_batch

    executor = args.executor or ("dask" if args.scheduler else "process")
    if args.scheduler and executor != "dask":
        raise BatchError(f"--scheduler needs --executor dask (got --executor {executor})")
    meta = {"command": command, "argv": getattr(args, "argv", None)}
    return run_batch(
        scenarios, args.seeds, overrides=overrides, quarters=args.quarters, executor=executor,
        workers=args.workers, out=args.out, progress=not args.no_progress, resume=args.resume,
        scheduler=args.scheduler, chunk_size=args.chunk_size, block_runs=args.block_runs,
        collect=False, meta=meta, yes=args.yes)


# -- after the batch -------------------------------------------------------------------------------
def summarize(df: Any, by: list[str]) -> tuple[Any, Any]:
    """Per-group summary (crisis probability, outcome quantiles) and the per-run table."""
    import pandas as pd

    from experiments.crisis import crisis_by_run, crisis_probability

    runs = crisis_by_run(df)
    ids = list(runs.columns[: runs.columns.get_loc("crisis")])
    ends = df.groupby(ids, sort=False, dropna=False)
    per_run = runs.set_index(ids)
    for col in ("ai_debt_total", "ai_revenue", "capex", "cumulative_capex"):
        if col in df:
            per_run[f"final_{col}"] = ends[col].last()
    per_run = per_run.reset_index()
    table = crisis_probability(df, by, runs=runs)
    stats = ["peak_bubble_index", "max_drawdown", "cumulative_defaults",
             "min_bank_capital_ratio", *[c for c in per_run if c.startswith("final_")]]
    g = per_run.groupby(by, sort=True, dropna=False)
    parts = [table.set_index(by)]
    for stat in stats:
        q = g[stat].quantile([0.1, 0.5, 0.9]).unstack()
        q.columns = [f"{stat}_p{round(x * 100)}" for x in q.columns]
        parts.append(q)
    return pd.concat(parts, axis=1).reset_index(), runs


def read_results(out: Path, extra: list[str] | None = None) -> Any:
    """The stored runs, with only the columns the summaries need."""
    from experiments.storage import load_results

    return load_results(out, columns=["seed", *(extra or []), "quarter", *SUMMARY_COLUMNS])


def write_summary(df: Any, out: Path, by: list[str], name: str = "summary.csv") -> list[str]:
    """Write ``name`` (per group) and ``crisis_runs.csv`` (per run); return the file names."""
    summary, runs = summarize(df, by)
    summary.to_csv(out / name, index=False)
    runs.to_csv(out / "crisis_runs.csv", index=False)
    return [name, "crisis_runs.csv"]


def run_and_write(args: argparse.Namespace, scenarios: list[str], overrides: Any,
                  command: str, columns: list[str],
                  write: Callable[[Any, Path], list[str]]) -> int:
    """Run the batch, read back ``columns``, let ``write(df, out)`` write its files, report.

    ``write`` returns the names of the files it wrote; it is not called if no run succeeded.
    """
    t0 = time.perf_counter()
    res = run_from_args(args, scenarios, overrides, command)
    df = read_results(args.out, columns)
    files = ["manifest.json", "runs/"]
    if not df.empty:
        files += write(df, args.out)
    return report(res.attrs, args.out, files, t0)


def report(attrs: dict[str, Any], out: Path, files: list[str], t0: float) -> int:
    """Print what ran and where it went; the exit code (3 if runs failed)."""
    failed = len(attrs.get("failures", []))
    retried = len(attrs.get("retried", []))
    redone = f", {retried} redone after their worker died" if retried else ""
    print(f"{attrs.get('runs_executed', 0)} runs executed "
          f"({attrs.get('runs_skipped', 0)} already done, {failed} failed{redone}) "
          f"in {time.perf_counter() - t0:.1f} s -> {out}")
    for f in files:
        print(f"  {out / f}")
    if failed:
        print(f"{failed} runs failed: errors and parameters in {out / 'failures.jsonl'}",
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK
