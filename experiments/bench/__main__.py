"""Benchmarks: ``python -m experiments.bench [core|clearing|batch|app|all|longrun] [--full]``.

By default (``make bench``) each benchmark runs in its short form, a few minutes in all;
``--full`` runs the long forms (300-run throughput per executor, a 2,000-run memory
measurement, rosters up to 10,000 agents per role, 30 timed clicks in the app: ~10
minutes). Arguments after a single benchmark's name go to it, e.g.
``python -m experiments.bench core --repeats 30``.

Every target is printed as met or MISSED, with what a miss means and its likely cause, and
listed again at the end. A missed target does not fail the command (machines differ);
``--strict`` makes it exit 1. A benchmark that crashes is reported in one line and the
others still run; the exit code is then 1. ``longrun`` (a 20,000-run batch killed and resumed,
~40 minutes) runs only when named.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback

from experiments.bench.targets import verdicts

BENCHES = {
    "core": "experiments.bench.core",
    "clearing": "experiments.bench.clearing",
    "batch": "experiments.bench.batch",
    "app": "experiments.bench.app",
}
ON_DEMAND = {"longrun": "experiments.bench.longrun"}    # never part of "all"
# arguments of the short form (the default) and the long form (--full) of each benchmark
SHORT = {"core": ["--repeats", "15", "--no-profile"], "clearing": ["--repeats", "5"],
         "batch": ["--quick"], "app": ["--steps", "10", "--play", "12"]}
FULL = {"core": ["--repeats", "30"], "clearing": [], "batch": [], "app": []}
APP_MEANING = ("the app's Step -> redraw median (or Play) was above its budget (see the app "
               "section above): the browser, the Solara server and the model share this "
               "machine's cores, so a busy machine or a slow browser start shows here first.")


def _chromium() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return path if os.access(path, os.X_OK) else None


def _run_one(name: str, argv: list[str]) -> tuple[int, str]:
    """Run one benchmark; return (exit code, one-line problem or "")."""
    if name == "app" and _chromium() is None:
        return 0, ("skipped: Chromium not found (set CHROMIUM_PATH, or `make test` / "
                   "`apt-get install -y chromium` installs it)")
    try:
        module = importlib.import_module({**BENCHES, **ON_DEMAND}[name])
        return int(module.main(argv) or 0), ""
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:              # argparse inside a benchmark
        return int(exc.code or 0), "" if not exc.code else f"exited {exc.code}"
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return 1, (f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0][:200]} "
                   f"(at {os.path.basename(tb.filename)}:{tb.lineno})")


def _summary(problems: dict[str, str], app_code: int | None, strict: bool) -> int:
    rows = verdicts()
    print("\n== summary ==")
    for v in rows:
        print(f"  {'met   ' if v.met else 'MISSED'}  {v.bench:<9} {v.name}: "
              f"{v.value:.3g}{v.unit} (target {v.sign} {v.target:g}{v.unit})")
    if app_code is not None:
        print(f"  {'met   ' if app_code == 0 else 'MISSED'}  {'app':<9} step + redraw and "
              "Play within budget" + ("" if app_code == 0 else f"\n    {APP_MEANING}"))
    for name, text in problems.items():
        print(f"  {'skipped' if text.startswith('skipped') else 'ERROR '}  {name:<9} {text}")
    missed = sum(not v.met for v in rows) + int(bool(app_code))
    failed = sum(not t.startswith("skipped") for t in problems.values())
    if missed:
        print(f"  {missed} target(s) missed: the explanation is printed under each above. "
              "Targets are ratios or rates for this 2-core machine kind; re-run on a quiet "
              "machine before concluding.")
    return 1 if failed or (strict and missed) else 0


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmark(s) and return an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # "bench NAME --help" is the named benchmark's own help
    forward_help = bool(argv) and argv[0] in {**BENCHES, **ON_DEMAND}
    parser = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     add_help=not forward_help)
    parser.add_argument("which", choices=[*BENCHES, "all", *ON_DEMAND], nargs="?",
                        default="all")
    parser.add_argument("--full", action="store_true", help="the long forms (~10 minutes)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args, rest = parser.parse_known_args(argv)
    if rest and args.which == "all":
        parser.error(f"arguments {' '.join(rest)} need a single benchmark, e.g. "
                     f"python -m experiments.bench core {' '.join(rest)}")
    names = list(BENCHES) if args.which == "all" else [args.which]
    problems: dict[str, str] = {}
    app_code: int | None = None
    t0 = time.perf_counter()
    for name in names:
        form = "your arguments" if rest else ("full form" if args.full else "short form")
        print(f"== bench {name} ({form}) ==", flush=True)
        forms = FULL if args.full else SHORT
        code, problem = _run_one(name, rest if rest else forms.get(name, []))
        if problem:
            problems[name] = problem
            print(f"  {problem}", flush=True)
        elif name == "app":
            app_code = code
        elif code:
            problems[name] = f"exited {code}"
    print(f"\n(benchmarks took {time.perf_counter() - t0:.0f} s)")
    return _summary(problems, app_code, args.strict)


if __name__ == "__main__":
    sys.exit(main())
