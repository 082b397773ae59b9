"""Benchmarks: ``python -m experiments.bench [core|clearing|batch|app|all|longrun]``.

Each benchmark lives in its own module with a ``main(argv)`` and prints times and ratios.
``all`` runs the default set; ``longrun`` (a 20,000-run batch, ~20 minutes) only on demand.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHES = {
    "core": "experiments.bench.core",
    "clearing": "experiments.bench.clearing",
    "batch": "experiments.bench.batch",
    "app": "experiments.bench.app",
}
ON_DEMAND = {
    "longrun": "experiments.bench.longrun",
}


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmark(s) and return an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # "bench NAME --help" is the named benchmark's own help
    forward_help = bool(argv) and argv[0] in {**BENCHES, **ON_DEMAND}
    parser = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__,
                                     add_help=not forward_help)
    parser.add_argument("which", choices=[*BENCHES, "all", *ON_DEMAND], nargs="?",
                        default="all")
    args, rest = parser.parse_known_args(argv)
    names = list(BENCHES) if args.which == "all" else [args.which]
    code = 0
    for name in names:
        print(f"== bench {name} ==", flush=True)
        module = importlib.import_module({**BENCHES, **ON_DEMAND}[name])
        code |= int(module.main(rest) or 0)
    return code


if __name__ == "__main__":
    sys.exit(main())
