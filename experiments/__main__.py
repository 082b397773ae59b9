"""Command line: ``python -m experiments COMMAND`` (``--help`` lists the commands).

Exit codes: 0 success; 2 a user error, one line naming what to fix (bad argument or
parameter value, unusable output folder, unreachable scheduler, plan too large, a
different batch in --out, not enough memory); 3 the batch finished but some runs failed
(see OUT/failures.jsonl); 130 interrupted (finished runs are kept: use --resume); 141 the
reader of the output went away (``... | head -1``), quietly.

A subcommand is a module with ``add_parser(subparsers)`` and ``run(args) -> int``, listed
once in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from experiments.cli import (
    EXIT_INTERRUPTED,
    EXIT_PIPE,
    EXIT_USAGE,
    Parser,
    one_line,
)

COMMANDS: list[tuple[str, str]] = [
    ("run", "experiments.commands.run"),
    ("sweep", "experiments.commands.sweep"),
    ("compare", "experiments.commands.compare"),
    ("crisis-map", "experiments.commands.crisis_map"),
    ("response", "experiments.response"),
    ("oat", "experiments.commands.oat"),
    ("holders", "experiments.holders"),
    ("sensitivity", "experiments.sensitivity"),
    ("discover", "experiments.discovery"),
    ("params", "experiments.params"),
    ("calibrate", "experiments.commands.calibrate"),
    ("bench", "experiments.commands.bench"),
]

EXAMPLES = """examples:
  python -m experiments run --scenario bust --seeds 0-99 --quarters 40 --out results/bust
  python -m experiments sweep --param revenue_2030=300:2400:8 --param base_rate=0.02:0.06:5 \\
      --seeds 0-19 --out results/sweep
  python -m experiments compare baseline boom bust --seeds 0-19 --out results/compare
  python -m experiments crisis-map --x revenue_2030=300:2400:8 --y lab_burn=0.3:1.5:5 \\
      --seeds 0-19 --out results/map
  python -m experiments response --seeds 0-19 --out results/response
  python -m experiments oat --out results/oat
  python -m experiments params
  python -m experiments run --scenario baseline --seeds 0-999 --executor dask \\
      --scheduler tcp://10.0.0.5:8786 --out results/big
  python -m experiments calibrate
  python -m experiments bench batch
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m experiments`` argument parser, one subparser per command module."""
    parser = Parser(
        prog="python -m experiments",
        description="Headless batches of the AI debt bubble model: many seeds, scenarios "
                    "and parameter grids, in parallel, to Parquet.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for _name, module_name in COMMANDS:
        module = importlib.import_module(module_name)
        module.add_parser(sub).set_defaults(command_module=module)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the input must change (printed as one line, exit 2)."""
    from experiments.errors import BatchError

    errors: tuple[type[BaseException], ...] = (BatchError, OSError, MemoryError)
    try:
        from model import ParameterError

        errors += (ParameterError,)
    except ImportError:  # pragma: no cover - the model is part of this project
        pass
    return errors


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return ("not enough memory: make the plan smaller (--seeds, --param) or the blocks "
                "smaller (--block-runs)")
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot use {exc.filename}: {exc.strerror or exc}"
    return one_line(exc) or type(exc).__name__


def _run(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or an argument error already printed
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    args.argv = argv
    try:
        return int(args.command_module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted: finished runs are stored; complete them with --resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except _user_errors() as exc:
        print(f"python -m experiments {args.command}: error: {_describe(exc)}", file=sys.stderr)
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command, return the exit code (never a user-error traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # the reader went away (`... | head -1`): stop quietly; point stdout at /dev/null
        # so that the interpreter's final flush does not complain either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE


if __name__ == "__main__":
    sys.exit(main())
