"""Core benchmark: ``python -m experiments.bench core [--repeats 15] [--quarters 40]``.

The speed target is a ratio, because machines differ: one default run (``AIEconomy(
"baseline", rng=seed).run(40)``, construction included: the roster, the opening balance
sheets and the 2025 deals are built in the constructor) against mesa's own Boltzmann wealth
example (``mesa.examples.basic.boltzmann_wealth_model``, 100 agents x 100 steps, its
DataCollector on), timed in the same process. Target: at most 1.0x.

The three runs (model with ``agent_data=False`` as batches build it, model with agent data
as the app builds it, Boltzmann) are interleaved round by round, one new seed per round,
so a machine that gets busier or quieter during the measurement slows all three alike;
the ratio is of the medians over rounds. CPU times are shown too (steadier on a shared
machine). Then: the split between construction and stepping, the cost of
``check_invariants`` per quarter, and a cProfile of one run (where the time goes).

Exits 0 (a missed target is explained, not an error); ``--strict`` exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import time
from collections.abc import Callable, Sequence

from experiments.bench.targets import judge

TARGET_RATIO = 1.0
BOLTZMANN_AGENTS, BOLTZMANN_STEPS = 100, 100


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100])."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def boltzmann_run(seed: int) -> None:
    """mesa's Boltzmann wealth example: 100 agents on a 10 x 10 grid, 100 steps."""
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    m = BoltzmannWealth(BoltzmannScenario(n=BOLTZMANN_AGENTS, width=10, height=10, rng=seed))
    for _ in range(BOLTZMANN_STEPS):
        m.step()


def model_run(scenario: str, quarters: int, agent_data: bool) -> Callable[[int], None]:
    """One default run of the model for a seed, construction included."""
    from model import AIEconomy

    def run(seed: int) -> None:
        AIEconomy(scenario, rng=seed, agent_data=agent_data).run(quarters)

    return run


def interleaved(contenders: dict[str, Callable[[int], None]],
                repeats: int) -> dict[str, dict[str, list[float]]]:
    """Wall and CPU ms of each contender, round by round (one seed per round, same order)."""
    for fn in contenders.values():                 # warm-up: imports, caches, TOML parsing
        fn(10_000)
    times = {name: {"wall": [], "cpu": []} for name in contenders}
    for seed in range(repeats):
        for name, fn in contenders.items():
            gc.collect()                       # no one pays for the garbage of another
            c0, t0 = time.process_time(), time.perf_counter()
            fn(seed)
            times[name]["wall"].append(1e3 * (time.perf_counter() - t0))
            times[name]["cpu"].append(1e3 * (time.process_time() - c0))
    return times


def construction_ms(scenario: str, repeats: int) -> float:
    """Median ms of building the model alone (agent_data=False)."""
    from model import AIEconomy

    out = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        AIEconomy(scenario, rng=seed, agent_data=False)
        out.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(out)


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
    parser.add_argument("--repeats", type=int, default=15, help="interleaved rounds (15)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile table")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.quarters < 1:
        parser.error("--repeats and --quarters must be at least 1")

    batch, app, boltz = "AIEconomy, agent_data=False", "AIEconomy, agent data", "Boltzmann"
    times = interleaved({batch: model_run(args.scenario, args.quarters, False),
                         app: model_run(args.scenario, args.quarters, True),
                         boltz: boltzmann_run}, args.repeats)
    print(f"one {args.quarters}-quarter {args.scenario} run (construction included) against "
          f"mesa's Boltzmann wealth example ({BOLTZMANN_AGENTS} agents x {BOLTZMANN_STEPS} "
          f"steps), {args.repeats} interleaved rounds in this process:")
    print(f"  {'':<40} {'median':>8} {'p10':>8} {'p90':>8} {'CPU median':>11}")
    labels = {batch: "model, agent_data=False (batches)", app: "model with agent data (app)",
              boltz: "mesa Boltzmann wealth example"}
    for name, t in times.items():
        w = t["wall"]
        print(f"  {labels[name]:<40} {statistics.median(w):6.1f}ms {_percentile(w, 10):6.1f}ms "
              f"{_percentile(w, 90):6.1f}ms {statistics.median(t['cpu']):9.1f}ms")
    base = statistics.median(times[boltz]["wall"])
    base_cpu = statistics.median(times[boltz]["cpu"])
    ratios = {}
    for name in (batch, app):
        ratios[name] = statistics.median(times[name]["wall"]) / base
        cpu_ratio = statistics.median(times[name]["cpu"]) / base_cpu
        print(f"  ratio {labels[name]}: {ratios[name]:.2f}x wall, {cpu_ratio:.2f}x CPU")
    verdict = judge(
        "core", "default run / Boltzmann example (agent_data=False)", ratios[batch],
        TARGET_RATIO, "x",
        meaning=f"one default model run takes {ratios[batch]:.2f} times as long as mesa's "
                "Boltzmann example on this machine. Both run in this process, interleaved, "
                "so the ratio does not depend on how fast the machine is: the model itself "
                "is slower than the target.",
        causes="the model's own work per quarter (ledger transfers, data collection, "
               "balance-sheet totals): " + ("the profile below shows the functions that take "
               "the time." if not args.no_profile else "`python -m experiments.bench core` "
               "prints a profile of where the time goes."))
    build = construction_ms(args.scenario, args.repeats)
    per_quarter = (statistics.median(times[batch]["wall"]) - build) / args.quarters
    print(f"  construction median {build:6.1f} ms; per quarter {per_quarter:6.2f} ms "
          "(agent_data=False)")
    print(f"  check_invariants: {time_invariants(args.scenario, args.quarters):.2f} ms per "
          "quarter (tests call it after every quarter; production runs do not)")
    if not args.no_profile:
        print("\ncProfile of one run:")
        print(profile_run(args.scenario, args.quarters))
    return 1 if args.strict and not verdict.met else 0
