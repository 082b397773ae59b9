"""``calibrate``: the model's calibration report (``model.calibration.main``)."""

from __future__ import annotations

import argparse
import sys

from experiments import cli


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``calibrate`` parser."""
    return cli.add_passthrough_command(
        subparsers, "calibrate", summary="run the model's calibration report",
        description="Runs model.calibration.main (target vs model table); arguments after "
                    "'calibrate' are passed to it.", target="model.calibration")


def run(args: argparse.Namespace) -> int:
    """Delegate to ``model.calibration.main``."""
    try:
        from model.calibration import main as calibration_main
    except ImportError as exc:
        print(f"calibrate: model.calibration is not available ({exc})", file=sys.stderr)
        return 1
    rest = [a for a in args.args if a != "--"] if args.args[:1] == ["--"] else args.args
    return int(calibration_main(rest) or 0)
