"""What a worker runs: one model run (:func:`run_model`) and a chunk of runs (:func:`run_chunk`).

Kept apart from the runner so that worker processes import only this, the model and
pandas. A chunk tells its pool (if any) which run it is on, so that when a worker dies
only that run is blamed.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.frames import cast_run_frame
from experiments.pool import note

__all__ = ["RunFn", "run_chunk", "run_model"]

RunFn = Callable[[str, int, int, dict[str, Any]], pd.DataFrame]
TRACEBACK_CHARS = 4000


def run_model(scenario: str, seed: int, quarters: int, overrides: Mapping[str, Any]
              ) -> pd.DataFrame:
    """The default run function: one model run, returning its results frame."""
    from model import AIEconomy

    # batches keep only the model-level frame: skip the agent-level statistics
    return AIEconomy(scenario, rng=int(seed), agent_data=False, **overrides).run(quarters)


def _one_run(fn: RunFn, scenario: str, seed: int, quarters: int,
             overrides: Mapping[str, Any], colvals: Mapping[str, Any]) -> pd.DataFrame:
    df = fn(scenario, seed, quarters, dict(overrides))
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"run function returned {type(df).__name__}, not a DataFrame")
    df = df.reset_index(drop=True)
    head = {"seed": pd.Series(int(seed), index=df.index, dtype="int64")}
    for name, value in colvals.items():
        head[name] = pd.Series([value] * len(df), index=df.index)
    return cast_run_frame(df, head)


def failure_record(scenario: str, seed: int, key: str, overrides: Mapping[str, Any],
                   error: str, trace: str = "", seconds: float = 0.0) -> dict[str, Any]:
    """One failed run, as stored in ``failures.jsonl`` and returned in ``df.attrs``."""
    return {"key": key, "scenario": scenario, "seed": int(seed), "overrides": dict(overrides),
            "error": error, "traceback": trace[-TRACEBACK_CHARS:],
            "seconds": round(seconds, 4)}


def run_chunk(
    tasks: Sequence[tuple[str, int, str, dict[str, Any], dict[str, Any]]],
    quarters: int,
    run_fn: RunFn | None = None,
) -> dict[str, Any]:
    """Run a chunk of runs of one scenario (the unit of work sent to an executor).

    Args:
        tasks: ``(scenario, seed, key, overrides, column values)`` per run, where column
            values are the effective values of every override column at this point.
        quarters: quarters per run.
        run_fn: ``run_fn(scenario, seed, quarters, overrides) -> DataFrame``; default
            :func:`run_model`. Must be importable (picklable by reference) for process/dask.

    Returns:
        ``{"frame": DataFrame | None, "keys": [...], "failures": [...], "seconds": float,
        "cpu_seconds": float, "pid": int}``; the frame has columns seed, override
        columns, then the model's columns.
    """
    fn = run_fn or run_model
    frames, keys, failures = [], [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for i, (scenario, seed, key, overrides, colvals) in enumerate(tasks):
        note(i)  # if this worker dies now, run i is the one to blame
        t1 = time.perf_counter()
        try:
            frames.append(_one_run(fn, scenario, seed, quarters, overrides, colvals))
            keys.append(key)
        except Exception as exc:
            failures.append(failure_record(
                scenario, seed, key, overrides, f"{type(exc).__name__}: {exc}",
                traceback.format_exc(), time.perf_counter() - t1))
    frame = pd.concat(frames, ignore_index=True) if frames else None
    return {"frame": frame, "keys": keys, "failures": failures,
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
            "pid": os.getpid()}
