"""Batch benchmark: ``python -m experiments.bench batch [--quick] [options]``.

Measures, for default 40-quarter runs of the baseline scenario:

1. **Throughput** (runs/s, wall clock of a whole ``run_batch`` call, start-up included)
   with the serial, process (2 workers) and dask (2 workers) executors, and the parallel
   efficiency = rate / (workers x serial rate). Dask is measured twice: with the
   LocalCluster started by ``run_batch`` and on an already running cluster (start-up
   excluded). Target: >= 20 runs/s with 2 workers.
2. **Peak memory of a 2,000-run batch** written to Parquet (process executor, 2 workers),
   measured in a fresh subprocess: ``ru_maxrss`` of the parent (the exact peak resident
   set of the process that collects and writes results), ``tracemalloc`` peak of the
   parent's Python allocations, and the peak of the summed RSS of the whole process tree
   (parent + forkserver + workers) sampled every 0.2 s with psutil. The same is done for
   a batch a tenth of the size: flat memory means results are streamed, not accumulated.
3. **Cost per quarter as the roster grows**: ``AIEconomy("baseline", roster="synthetic",
   roster_size=N)`` for N = 10, 100, 1,000, 10,000 agents per role; ms per quarter and
   microseconds per (agent + exposure row). Sizes whose extrapolated time exceeds the
   budget are skipped with a message; if the model has no synthetic roster, the whole
   section is skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from experiments.bench.targets import judge

TARGET_RUNS_PER_S = 20.0

MEMORY_SCRIPT = r"""
import json, os, resource, sys, threading, time, tracemalloc
import psutil
from experiments import run_batch

n, workers, quarters, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
me = psutil.Process()
peak_tree = [0]
stop = threading.Event()

def sample():
    while not stop.is_set():
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak_tree[0] = max(peak_tree[0], total)
        stop.wait(0.2)

threading.Thread(target=sample, daemon=True).start()
tracemalloc.start()
t = time.perf_counter()
df = run_batch("baseline", range(n), quarters=quarters, executor="process", workers=workers,
               out=out, progress=False, collect=False)
wall = time.perf_counter() - t
_, py_peak = tracemalloc.get_traced_memory()
stop.set()
print(json.dumps({
    "runs": n, "wall_s": wall, "failed": len(df.attrs["failures"]),
    "parent_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "parent_python_peak_mb": py_peak / 2**20,
    "tree_peak_rss_mb": peak_tree[0] / 2**20,
}))
"""


def _rate(label: str, n: int, fn) -> dict | None:
    t = time.perf_counter()
    try:
        df = fn()
    except Exception as exc:         # one executor failing must not hide the others
        print(f"  {label:<28} FAILED: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
              " (this executor could not run the batch; the others are measured)", flush=True)
        return None
    wall = time.perf_counter() - t
    failed = len(df.attrs.get("failures", []))
    row = {"executor": label, "runs": n, "wall_s": wall, "runs_per_s": n / wall,
           "failed": failed}
    print(f"  {label:<28} {n:6d} runs {wall:8.2f} s {n / wall:8.1f} runs/s"
          + (f"  ({failed} failed)" if failed else ""), flush=True)
    return row


def bench_throughput(runs: int, serial_runs: int, workers: int, quarters: int) -> list[dict]:
    """Runs/s per executor and parallel efficiency."""
    from experiments import run_batch

    print(f"throughput: baseline, {quarters} quarters per run, {workers} workers "
          f"(wall clock of run_batch, start-up included)", flush=True)
    common = {"quarters": quarters, "progress": False, "collect": False}
    rows = [_rate("serial", serial_runs, lambda: run_batch(
        "baseline", range(serial_runs), executor="serial", **common))]
    rows.append(_rate(f"process x{workers}", runs, lambda: run_batch(
        "baseline", range(runs), executor="process", workers=workers, **common)))
    rows.append(_rate(f"dask x{workers} (LocalCluster)", runs, lambda: run_batch(
        "baseline", range(runs), executor="dask", workers=workers, **common)))
    import logging

    from distributed import LocalCluster

    try:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=":0", memory_limit="2GiB",
                          silence_logs=logging.ERROR) as cluster:
            addr = cluster.scheduler_address
            rows.append(_rate(f"dask x{workers} (running cluster)", runs, lambda: run_batch(
                "baseline", range(runs), executor="dask", scheduler=addr, **common)))
    except Exception as exc:
        print(f"  dask LocalCluster could not start: {type(exc).__name__}: {exc}", flush=True)
    rows = [r for r in rows if r is not None]
    if not rows or rows[0]["executor"] != "serial":
        return rows
    serial = rows[0]["runs_per_s"]
    print(f"\n  {'executor':<28} {'runs/s':>8} {'efficiency':>11}")
    for r in rows:
        w = 1 if r["executor"] == "serial" else workers
        r["efficiency"] = r["runs_per_s"] / (w * serial)
        print(f"  {r['executor']:<28} {r['runs_per_s']:8.1f} {r['efficiency']:10.0%}")
    process = next((r for r in rows if r["executor"].startswith("process")), None)
    if process is None:
        return rows
    judge("batch", f"process pool x{workers}, {quarters}-quarter runs", process["runs_per_s"],
          TARGET_RUNS_PER_S, " runs/s", higher_is_better=True,
          meaning=f"a batch of {runs} default runs finished {process['runs_per_s']:.1f} runs "
                  f"per second with {workers} worker processes (start-up included).",
          causes=(f"each run takes ~{1000 / serial:.0f} ms here on one core, so "
                  f"{TARGET_RUNS_PER_S} runs/s needs runs under "
                  f"{1000 * workers * 0.9 / TARGET_RUNS_PER_S:.0f} ms at 90% parallel "
                  "efficiency; a slower model, fewer free cores, or a short batch where "
                  "start-up counts (--full runs 300) all lower it."))
    return rows


def bench_memory(runs: int, workers: int, quarters: int) -> list[dict]:
    """Peak memory of a batch to Parquet, in a subprocess; and of a batch 10x smaller."""
    print(f"\nmemory: {runs}-run batch to Parquet, process x{workers}, fresh subprocess",
          flush=True)
    rows = []
    for n in (max(1, runs // 10), runs):
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
            r = subprocess.run(
                [sys.executable, "-c", MEMORY_SCRIPT, str(n), str(workers), str(quarters),
                 os.path.join(tmp, "out")], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"  {n} runs: failed: {r.stderr[-2000:]}")
                continue
            row = json.loads(r.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"  {n:6d} runs {row['wall_s']:7.1f} s  parent ru_maxrss "
                  f"{row['parent_maxrss_mb']:7.1f} MB  parent Python peak (tracemalloc) "
                  f"{row['parent_python_peak_mb']:6.1f} MB  whole tree peak RSS "
                  f"{row['tree_peak_rss_mb']:7.1f} MB", flush=True)
    if len(rows) == 2:
        a, b = rows
        print(f"  growth from {a['runs']} to {b['runs']} runs: parent "
              f"{b['parent_maxrss_mb'] - a['parent_maxrss_mb']:+.1f} MB, tree "
              f"{b['tree_peak_rss_mb'] - a['tree_peak_rss_mb']:+.1f} MB")
    return rows


def bench_roster(sizes: list[int], quarters: int, budget_s: float) -> list[dict]:
    """ms per quarter as the synthetic roster grows."""
    print(f"\nroster scaling: AIEconomy('baseline', roster='synthetic', roster_size=N), "
          f"{quarters} quarters after one warm-up quarter", flush=True)
    try:
        from model import AIEconomy

        AIEconomy("baseline", rng=0, roster="synthetic", roster_size=min(sizes or [10]))
    except Exception as exc:
        print(f"  skipped: the model has no synthetic roster ({type(exc).__name__}: {exc})")
        return []
    rows: list[dict] = []
    print(f"  {'N/role':>7} {'agents':>7} {'exposures':>9} {'build s':>8} {'ms/quarter':>11} "
          f"{'us per agent+exposure':>22} {'growth vs size':>15}")
    for n in sizes:
        if rows:
            prev = rows[-1]
            predicted = prev["ms_per_quarter"] * (n / prev["n"]) * (quarters + 1) / 1e3 \
                + prev["build_s"] * n / prev["n"]
            if predicted > budget_s:
                print(f"  {n:>7} skipped: extrapolated {predicted:.0f} s > budget "
                      f"{budget_s:.0f} s (--roster-budget)")
                continue
        t = time.perf_counter()
        try:
            m = AIEconomy("baseline", rng=0, roster="synthetic", roster_size=n)
        except Exception as exc:
            print(f"  {n:>7} skipped: {type(exc).__name__}: {exc}")
            continue
        build = time.perf_counter() - t
        try:
            m.step()  # warm-up
            t = time.perf_counter()
            for _ in range(quarters):
                m.step()
        except Exception as exc:  # e.g. MemoryError in a dense n x n step
            print(f"  {n:>7} failed while stepping: {type(exc).__name__}: {str(exc)[:200]}")
            del m
            continue
        ms = (time.perf_counter() - t) / quarters * 1e3
        agents = len(getattr(m, "agents", None) or getattr(m, "finance_agents", []))
        try:
            exposures = len(m.exposures())
        except Exception:
            exposures = 0
        per = ms * 1e3 / max(1, agents + exposures)
        row = {"n": n, "agents": agents, "exposures": exposures, "build_s": build,
               "ms_per_quarter": ms, "us_per_item": per}
        growth = ""
        if rows:
            p = rows[-1]
            size_ratio = ((agents + exposures) / (p["agents"] + p["exposures"])
                          if agents and p["agents"] else n / p["n"])
            row["growth"] = (ms / max(p["ms_per_quarter"], 1e-9)) / size_ratio
            growth = f"{row['growth']:.2f}x linear"
        rows.append(row)
        print(f"  {n:>7} {agents:>7} {exposures:>9} {build:8.2f} {ms:11.1f} {per:22.1f} "
              f"{growth:>15}", flush=True)
    print("  (growth = time ratio / size ratio between consecutive sizes; <= ~1 is linear "
          "or better)")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the batch benchmarks; return 0."""
    p = argparse.ArgumentParser(prog="python -m experiments.bench batch",
                                description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="fewer runs (about a minute; the default of `make bench`)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--quarters", type=int, default=40)
    p.add_argument("--runs", type=int, default=None, help="runs per parallel measurement")
    p.add_argument("--serial-runs", type=int, default=None)
    p.add_argument("--memory-runs", type=int, default=None, help="default 2000")
    p.add_argument("--roster-sizes", default="10,100,1000,10000")
    p.add_argument("--roster-quarters", type=int, default=4)
    p.add_argument("--roster-budget", type=float, default=120.0,
                   help="skip roster sizes expected to take longer than this (s)")
    p.add_argument("--skip", action="append", default=[],
                   choices=["throughput", "memory", "roster"], help="skip a section")
    p.add_argument("--json", default=None, metavar="FILE", help="also write results as JSON")
    args = p.parse_args(argv)
    quick = args.quick
    runs = args.runs or (100 if quick else 300)
    serial_runs = args.serial_runs or (20 if quick else 100)
    memory_runs = args.memory_runs or (200 if quick else 2000)
    quarters = args.quarters
    sizes = [int(s) for s in args.roster_sizes.split(",") if s.strip()]
    if quick:
        sizes = [s for s in sizes if s <= 100]
    results: dict = {"workers": args.workers, "quarters": quarters, "cpus": os.cpu_count()}
    if "throughput" not in args.skip:
        results["throughput"] = bench_throughput(runs, serial_runs, args.workers, quarters)
    if "memory" not in args.skip:
        results["memory"] = bench_memory(memory_runs, args.workers, quarters)
    if "roster" not in args.skip:
        results["roster"] = bench_roster(sizes, args.roster_quarters, args.roster_budget)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
