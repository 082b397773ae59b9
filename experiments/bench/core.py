"""Core benchmark: ``python -m experiments.bench core [--repeats 15] [--quarters 40]``.

Wall time of one default run, ``AIEconomy(scenario, rng=seed).run(quarters)``, construction
included (the roster, the opening balance sheets and the 2025 deals are built in the
constructor), repeated with a new seed each time. Prints the median, p10 and p90 against the
target (median <= 100 ms for a 40-quarter baseline run), the split between construction and
stepping, the cost of ``check_invariants`` per quarter, and a cProfile top-10 by cumulative
time of one run so the reader sees where the time goes.

Returns 0 when the median meets the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Sequence

TARGET_MS = 100.0


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100])."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def time_runs(scenario: str, quarters: int,
              repeats: int) -> tuple[list[float], list[float], list[float]]:
    """Wall times (ms) of whole runs and of their construction alone, and the CPU time (ms)
    of whole runs (steadier than wall time on a shared machine), one seed per repeat."""
    from model import AIEconomy

    AIEconomy(scenario, rng=0).run(2)          # warm-up: imports, TOML parsing, caches
    totals, builds, cpu = [], [], []
    for seed in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        m = AIEconomy(scenario, rng=seed)
        t1 = time.perf_counter()
        m.run(quarters)
        t2 = time.perf_counter()
        cpu.append(1e3 * (time.process_time() - c0))
        totals.append(1e3 * (t2 - t0))
        builds.append(1e3 * (t1 - t0))
    return totals, builds, cpu


def time_invariants(scenario: str, quarters: int) -> float:
    """Mean ms of one ``check_invariants`` call over a run (checked after every quarter)."""
    from model import AIEconomy

    m = AIEconomy(scenario, rng=0)
    spent = 0.0
    for _ in range(quarters):
        m.step()
        t0 = time.perf_counter()
        m.check_invariants()
        spent += time.perf_counter() - t0
    return 1e3 * spent / max(quarters, 1)


def profile_run(scenario: str, quarters: int, top: int = 10) -> str:
    """cProfile of one run, construction included: the project's top functions.

    Two tables: by cumulative time (what each phase and method costs, callees included;
    ``run``/``step`` and Mesa's scheduling wrappers, which are 100% by construction, left
    out), and by own time (where the interpreter actually spends it, any module).
    """
    from model import AIEconomy

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    AIEconomy(scenario, rng=0).run(quarters)
    profiler.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (path, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        where = path.replace("\\", "/")
        mine = "/model/" in where or "/agents/" in where
        name = f"{'/'.join(where.split('/')[-2:])}:{line}({func})"
        rows.append((name, ncalls, tottime, cumtime, mine, func))
    wrappers = {"run", "step", "__init__"}
    by_cum = sorted((r for r in rows if r[4] and r[5] not in wrappers), key=lambda r: -r[3])
    by_own = sorted(rows, key=lambda r: -r[2])
    head = f"{'ncalls':>8} {'own s':>8} {'cum s':>8} {'cum %':>6}  function"

    def fmt(r: tuple) -> str:
        return f"{r[1]:>8} {r[2]:8.3f} {r[3]:8.3f} {100 * r[3] / wall:5.1f}%  {r[0]}"

    lines = [f"profiled run: {wall * 1e3:.0f} ms (profiling overhead included)",
             f"top {top} project functions by cumulative time:", head,
             *(fmt(r) for r in by_cum[:top]),
             f"top {top} functions by own time (any module):", head,
             *(fmt(r) for r in by_own[:top])]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.bench core",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile table")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.quarters < 1:
        parser.error("--repeats and --quarters must be at least 1")

    totals, builds, cpu = time_runs(args.scenario, args.quarters, args.repeats)
    median = statistics.median(totals)
    print(f"one {args.quarters}-quarter {args.scenario} run, construction included "
          f"({args.repeats} repeats, one seed each):")
    print(f"  median {median:7.1f} ms   p10 {_percentile(totals, 10):7.1f} ms   "
          f"p90 {_percentile(totals, 90):7.1f} ms   (target <= {TARGET_MS:.0f} ms: "
          f"{'met' if median <= TARGET_MS else 'MISSED'})")
    print(f"  CPU time median {statistics.median(cpu):7.1f} ms (wall time above includes waits "
          "for a busy machine)")
    print(f"  construction median {statistics.median(builds):6.1f} ms; per quarter "
          f"{(median - statistics.median(builds)) / args.quarters:6.2f} ms")
    print(f"  check_invariants: {time_invariants(args.scenario, args.quarters):.2f} ms per "
          "quarter (tests call it after every quarter; production runs do not)")
    if not args.no_profile:
        print("\ncProfile of one run:")
        print(profile_run(args.scenario, args.quarters))
    return 0 if median <= TARGET_MS else 1
