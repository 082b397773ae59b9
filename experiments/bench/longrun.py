"""Long-run check: ``python -m experiments.bench longrun [--runs 20000] [--quarters 40]``.

A sweep of ``--runs`` runs (a 10 x 10 grid over two parameters x seeds) on the Dask
executor (a LocalCluster of ``--workers`` processes started by ``run_batch``), streamed to
Parquet in ``--out``, with memory sampled every ``--interval`` seconds: resident memory
(RSS) of this process and of the whole process tree (this process, the workers, the
resource tracker). Not part of ``python -m experiments.bench all``: it takes ~20 minutes.

Resumable: stop it (Ctrl-C, or kill it) and run the same command with ``--resume``; only
the missing runs execute (see "Failure and resume" in docs/experiments.md).

Writes ``OUT/memory.csv`` (one row per sample: attempt, seconds, runs done, parent and
tree RSS in MB, processes; a resumed run appends its samples as the next attempt) and
prints a summary: wall time, runs/s, parent and tree RSS at start, at 10% of the runs,
peak and end, and the RSS growth per 1,000 runs after the first 10% (flat = results are
streamed, not accumulated).

The grid axes are the first two continuous parameters of different groups in
``PARAMETER_INFO``, each over 10 values from 0.5x to 1.5x its default (kept inside its
range), unless ``--param NAME=VALUES`` (twice) is given.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

GRID_SIDE = 10


def default_axes() -> dict[str, list[float]]:
    """Two continuous parameters of different groups, 10 values around each default."""
    from model import PARAMETER_INFO

    axes: dict[str, list[float]] = {}
    groups: set[str] = set()
    for name, info in PARAMETER_INFO.items():
        if info.integer or info.group in groups or not info.max > info.min or not info.default:
            continue
        lo = max(info.min, 0.5 * info.default)
        hi = min(info.max, 1.5 * info.default)
        step = (hi - lo) / (GRID_SIDE - 1)
        axes[name] = [round(lo + i * step, 10) for i in range(GRID_SIDE)]
        groups.add(info.group)
        if len(axes) == 2:
            break
    return axes


class MemorySampler(threading.Thread):
    """Samples RSS of this process and of its whole process tree every ``interval`` s."""

    def __init__(self, path: Path, interval: float, done: list[int], attempt: int = 1):
        super().__init__(daemon=True, name="memory-sampler")
        self.path, self.interval, self.done, self.attempt = path, interval, done, attempt
        self.rows: list[dict[str, float]] = []
        self._halt = threading.Event()
        self._t0 = time.perf_counter()

    def sample(self) -> dict[str, float]:
        """One sample: parent and tree RSS (MB) and the number of processes."""
        me = psutil.Process()
        procs = [me, *me.children(recursive=True)]
        tree = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                tree += p.memory_info().rss
        return {"attempt": self.attempt,
                "seconds": round(time.perf_counter() - self._t0, 1), "runs_done": self.done[0],
                "parent_rss_mb": round(me.memory_info().rss / 2**20, 1),
                "tree_rss_mb": round(tree / 2**20, 1), "processes": len(procs)}

    def run(self) -> None:
        new = self.attempt == 1 or not self.path.exists()
        with open(self.path, "w" if new else "a", newline="") as fh:
            writer = None
            while True:
                row = self.sample()
                self.rows.append(row)
                if writer is None:
                    writer = csv.DictWriter(fh, fieldnames=list(row))
                    if new:
                        writer.writeheader()
                writer.writerow(row)
                fh.flush()
                if self._halt.wait(self.interval):
                    return

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._halt.set()
        self.join()


def _growth_per_1000(rows: list[dict[str, float]], key: str, total: int) -> float | None:
    """Least-squares slope of ``key`` against runs done, after the first 10% of the runs."""
    pts = [(r["runs_done"], r[key]) for r in rows if r["runs_done"] >= 0.1 * total]
    if len(pts) < 3 or pts[-1][0] == pts[0][0]:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    return 1000 * sxy / sxx if sxx else None


def summarize(rows: list[dict[str, float]], total: int, wall: float, executed: int,
              out: Path) -> dict[str, Any]:
    """Figures for docs: memory at start / 10% / peak / end, growth, throughput, size."""
    at10 = next((r for r in rows if r["runs_done"] >= 0.1 * total), rows[-1])
    size = sum(f.stat().st_size for f in (out / "runs").rglob("*.parquet"))
    return {
        "runs_executed": executed, "wall_s": round(wall, 1),
        "runs_per_s": round(executed / wall, 2) if wall else None,
        "samples": len(rows),
        "parent_rss_mb": {"start": rows[0]["parent_rss_mb"], "at_10pct": at10["parent_rss_mb"],
                          "peak": max(r["parent_rss_mb"] for r in rows),
                          "end": rows[-1]["parent_rss_mb"]},
        "tree_rss_mb": {"start": rows[0]["tree_rss_mb"], "at_10pct": at10["tree_rss_mb"],
                        "peak": max(r["tree_rss_mb"] for r in rows),
                        "end": rows[-1]["tree_rss_mb"]},
        "parent_growth_mb_per_1000_runs": _rounded(_growth_per_1000(rows, "parent_rss_mb",
                                                                    total)),
        "tree_growth_mb_per_1000_runs": _rounded(_growth_per_1000(rows, "tree_rss_mb", total)),
        "parquet_mb": round(size / 2**20, 1),
        "blocks": len(list((out / "runs").rglob("*.parquet"))),
    }


def _next_attempt(path: Path) -> int:
    """1 + the last attempt recorded in ``memory.csv`` (1 if there is none)."""
    try:
        with open(path, newline="") as fh:
            return 1 + max(int(r["attempt"]) for r in csv.DictReader(fh))
    except (OSError, ValueError, KeyError):
        return 1


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def main(argv: list[str] | None = None) -> int:
    """Run the long batch and print its figures; 0 if every run succeeded."""
    from experiments import grid, run_batch
    from experiments.grids import parse_param

    p = argparse.ArgumentParser(prog="python -m experiments.bench longrun",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=20_000, help="runs in all (default 20000)")
    p.add_argument("--quarters", type=int, default=40)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--executor", default="dask", choices=["dask", "process"])
    p.add_argument("--interval", type=float, default=3.0, help="seconds between samples")
    p.add_argument("--out", type=Path, default=Path("results/bench-longrun"))
    p.add_argument("--param", action="append", type=parse_param, default=None,
                   metavar="NAME=VALUES", help="a grid axis (give two; default: see above)")
    p.add_argument("--resume", action="store_true", help="complete a stopped run in --out")
    p.add_argument("--json", default=None, metavar="FILE", help="also write the figures")
    args = p.parse_args(argv)

    axes = dict(args.param) if args.param else default_axes()
    points = grid(axes)
    n_seeds = math.ceil(args.runs / len(points))
    total = n_seeds * len(points)
    print(f"longrun: {len(points)} grid points ({', '.join(axes)}) x {n_seeds} seeds = "
          f"{total:,} runs of {args.quarters} quarters, {args.executor} x{args.workers}, "
          f"Parquet in {args.out}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    done = [0]
    sampler = MemorySampler(args.out / "memory.csv", args.interval, done,
                            _next_attempt(args.out / "memory.csv") if args.resume else 1)
    sampler.start()
    t0 = time.perf_counter()
    try:
        df = run_batch("baseline", range(n_seeds), overrides=points, quarters=args.quarters,
                       executor=args.executor, workers=args.workers, out=args.out,
                       resume=args.resume, collect=False,
                       on_progress=lambda d, _t: done.__setitem__(0, d),
                       meta={"command": "bench longrun"})
    finally:
        sampler.stop()
    wall = time.perf_counter() - t0
    figures = {"attempt": sampler.attempt, "runs_planned": total, "quarters": args.quarters,
               "executor": args.executor,
               "workers": args.workers, "runs_skipped": df.attrs["runs_skipped"],
               "failed": len(df.attrs["failures"]), "retried": len(df.attrs["retried"]),
               **summarize(sampler.rows, max(1, total - df.attrs["runs_skipped"]), wall,
                           df.attrs["runs_executed"], args.out)}
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if not figures["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
