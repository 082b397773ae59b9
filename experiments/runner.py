"""Batches of model runs: :func:`run_batch`.

A *run* is one ``AIEconomy(scenario, rng=seed, **overrides).run(quarters)``. A batch is
every combination of scenarios x override points x seeds. The same seed is used at every
grid point and in every scenario (common random numbers), so differences between points
are not sampling noise of different draws.

How a batch runs, one step per module:

1. **plan** (:mod:`experiments.plan`): the arguments are checked and the runs counted,
   not listed; a plan over a million runs or ten thousand grid points needs ``yes=True``
   or ``max_runs``.
2. **validate** (:mod:`experiments.validate`): each scenario is loaded once and every grid
   point checked (a bad value raises :class:`model.ParameterError` before any run).
3. **prepare the output** (:mod:`experiments.resume`): the folder must be writable; with
   ``resume=True`` the stored plan must be the same (fingerprint, :mod:`experiments.manifest`)
   and every stored block is verified; damaged ones are moved aside and redone.
4. **execute** (:mod:`experiments.execute`): chunks of runs go to the executor with a
   bounded window in flight; a run that raises is recorded; a run whose worker died is
   recorded and retried once.
5. **write** (:class:`experiments.writer.BlockWriter`): finished runs are buffered per
   scenario and written as Parquet blocks of ``block_runs`` runs.
6. **assemble**: the frame is read back (or concatenated in memory) in a fixed order.

The returned frame does not depend on the executor, the number of workers, the chunking
or on whether the batch was resumed.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import platform
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.errors import BatchError
from experiments.execute import Execution, ExecutionSettings
from experiments.executors import EXECUTORS
from experiments.frames import finalize_frame
from experiments.manifest import (
    FORMAT,
    fingerprint,
    git_info,
    now,
    plan_record,
    versions,
)
from experiments.plan import (
    BatchPlan,
    RunSpec,
    check_size,
    make_plan,
    normalize_overrides,
    run_key,
    whole_number,
)
from experiments.resume import Prepared, prepare_output
from experiments.tasks import run_chunk, run_model
from experiments.validate import column_values, validate_plan
from experiments.writer import BlockWriter

__all__ = [
    "BatchError",
    "RunSpec",
    "finalize_frame",
    "normalize_overrides",
    "run_batch",
    "run_chunk",
    "run_key",
    "run_model",
]

DEFAULT_BLOCK_RUNS = 256
MANIFEST_FAILURES_SHOWN = 200


def _settings(executor: Any, workers: Any, scheduler: Any, chunk_size: Any, block_runs: Any,
              window: Any) -> ExecutionSettings:
    """Check the arguments that say where and how runs execute."""
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler):
        raise BatchError(f"scheduler must be an address such as 'tcp://10.0.0.5:8786', "
                         f"got {scheduler!r}")
    if scheduler and executor != "dask":
        raise BatchError("a scheduler address needs executor='dask'")

    def optional(name: str, value: Any) -> int | None:
        return None if value is None else whole_number(name, value, 1)

    return ExecutionSettings(executor, optional("workers", workers), scheduler or None,
                             optional("chunk_size", chunk_size),
                             whole_number("block_runs", block_runs, 1),
                             optional("window", window))


def _check_run_fn(run_fn: Any, executor: str) -> None:
    """A run function must be callable, and importable by the workers of a process pool."""
    if run_fn is None:
        return
    if not callable(run_fn):
        raise BatchError(f"run_fn must be a function, got {run_fn!r}")
    if executor == "process":
        try:
            pickle.dumps(run_fn)
        except Exception:
            raise BatchError(f"run_fn {run_fn!r} cannot be sent to worker processes: use a "
                             "function defined at module level (or a functools.partial of "
                             "one), not a lambda or a nested function") from None


def _start_manifest(plan: BatchPlan, record: dict[str, Any], params: dict[str, Any],
                    prepared: Prepared, meta: Mapping[str, Any] | None, validate_s: float,
                    ) -> dict[str, Any]:
    todo = plan.n_runs - len(prepared.done)
    return {
        "format": FORMAT,
        "status": "running",
        **dict(meta or {}),
        "fingerprint": fingerprint(record),
        "plan": record,
        "scenarios": list(plan.scenarios),
        "seeds": plan.seeds.compact(),
        "n_seeds": len(plan.seeds),
        "override_points": list(plan.points),
        "override_columns": list(plan.columns),
        "quarters": plan.quarters,
        "scenario_parameters": params,
        "run_fn": record["run_fn"],
        "runs": {"planned": plan.n_runs, "skipped_done": len(prepared.done), "to_run": todo,
                 "executed": 0, "succeeded": 0, "failed": 0, "retried": 0, "recovered": 0},
        "repairs": [dataclasses.asdict(d) for d in prepared.damaged],
        "environment": {**versions(), "platform": platform.platform(), "git": git_info()},
        "timings": {"started": now(), "validate_s": round(validate_s, 3)},
        "history": prepared.history,
    }


def _without_traceback(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "traceback"} for r in records]


def _finish_manifest(manifest: dict[str, Any], execution: Execution, writer: BlockWriter,
                     status: str, wall: float) -> None:
    t = execution.tally
    if status == "complete" and t.failed:
        status = "complete_with_failures"
    manifest.update({
        "status": status,
        "executor": execution.info,
        "block_runs": writer.block_runs,
        "blocks_written": writer.blocks_written,
        "runs": {**manifest["runs"], "executed": t.done, "succeeded": t.succeeded,
                 "failed": t.failed, "retried": t.retried, "recovered": t.recovered},
        "failures": _without_traceback(t.failures[:MANIFEST_FAILURES_SHOWN]),
        "retried": _without_traceback(t.lost[:MANIFEST_FAILURES_SHOWN]),
        "failures_file": "failures.jsonl" if writer.store is not None else None,
    })
    manifest["timings"].update({
        "finished": now(),
        "wall_s": round(wall, 3),
        "first_run_s": None if t.first_run_s is None else round(t.first_run_s, 4),
        "runs_per_s": round(t.done / wall, 2) if wall > 0 else None,
        "mean_run_s": round(t.run_seconds / t.done, 4) if t.done else None,
        "mean_run_cpu_s": round(t.cpu_seconds / t.done, 4) if t.done else None,
    })


def _assemble(plan: BatchPlan, writer: BlockWriter, collect: bool) -> pd.DataFrame:
    """The results frame in its fixed order (empty if not ``collect``)."""
    if not collect:
        return pd.DataFrame()
    df = writer.store.read() if writer.store is not None else writer.collected()
    return finalize_frame(df, list(plan.scenarios), list(plan.columns))


def run_batch(
    scenarios: str | os.PathLike | Sequence[str | os.PathLike],
    seeds: str | int | Iterable[int],
    *,
    overrides: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    quarters: int = 40,
    executor: str = "process",
    workers: int | None = None,
    out: str | os.PathLike | None = None,
    progress: bool = True,
    resume: bool = False,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    block_runs: int = DEFAULT_BLOCK_RUNS,
    window: int | None = None,
    run_fn: Callable[..., pd.DataFrame] | None = None,
    validate: bool = True,
    collect: bool = True,
    meta: Mapping[str, Any] | None = None,
    max_runs: int | None = None,
    yes: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: Any = None,
) -> pd.DataFrame:
    """Run every scenario x override point x seed and return (and/or store) the results.

    Args:
        scenarios: a scenario name (``"bust"``), a TOML path, or a list of them.
        seeds: ``"0-99"``, ``"0,3,5"``, an int, a ``range`` or an iterable of ints (numpy
            ints included); each is ``rng=seed``.
        overrides: ``None``; a dict of fixed parameter values (``{"herding": 0.8}``); or a
            list of dicts, one per grid point (``experiments.grid(herding=[0, .5, 1])``).
        quarters: quarters per run, a whole number in [1, 400].
        executor: ``"serial"``, ``"process"`` or ``"dask"``.
        workers: processes (default: the CPUs available); ignored for ``serial``.
        out: directory for Parquet blocks + manifest; ``None`` keeps everything in memory.
        progress: show a tqdm progress bar (runs done, runs/s, ETA) on stderr.
        resume: complete the batch stored in ``out``: the plan must be the same (else
            :class:`BatchError` naming what differs); stored blocks are verified, damaged
            ones moved to ``out/damaged`` and redone; only missing runs execute.
        scheduler: address of an existing Dask scheduler (``executor="dask"`` only).
        chunk_size: runs per task; default: ~1 s of work, >= 4 tasks per worker.
        block_runs: runs per Parquet file (memory held per scenario before writing).
        window: tasks in flight at once; default 4 per worker (1 for ``serial``).
        run_fn: replaces :func:`run_model` (testing, custom runs); must be importable.
        validate: check every (scenario, grid point) before starting.
        collect: return the results frame; ``False`` returns an empty frame (use with
            ``out`` for very large batches and read the Parquet later).
        meta: extra entries for the manifest (the CLI stores its command line there).
        max_runs: accept a plan of up to this many runs (above 10^6 runs or 10^4 grid
            points a plan is refused unless ``max_runs`` or ``yes`` is given).
        yes: accept a plan of any size.
        on_progress: ``on_progress(done, total)`` after each finished task, in the calling
            thread; ``total`` counts the runs this call executes (stored runs excluded).
        cancel: a ``threading.Event`` (or a function returning True) that stops the batch:
            no new task starts, tasks in flight are abandoned, finished runs are kept
            (and stored), and the frame returned has ``attrs["status"] == "cancelled"``.

    Returns:
        DataFrame with columns ``scenario``, ``seed``, one column per overridden parameter
        (its effective value), ``quarter`` and every model column, one row per run and
        quarter. ``df.attrs`` holds ``status`` (complete, complete_with_failures,
        cancelled), ``failures`` (runs without a result, list of dicts), ``retried`` (runs
        whose worker died, retried once: list of dicts with the cause), ``repairs``
        (damaged blocks moved aside), ``runs_executed``, ``runs_skipped`` and
        ``manifest`` (path or None).

    Raises:
        model.ParameterError: a parameter name or value is invalid (before any run).
        BatchError: other invalid arguments, an unusable ``out``, results in ``out``
            without ``resume``, a different plan in ``out``, a plan too large.
    """
    started = time.perf_counter()
    plan = make_plan(scenarios, seeds, overrides, quarters)
    settings = _settings(executor, workers, scheduler, chunk_size, block_runs, window)
    _check_run_fn(run_fn, settings.executor)
    check_size(plan.n_runs, len(plan.points), yes=bool(yes),
               max_runs=None if max_runs is None else whole_number("max_runs", max_runs, 1),
               what=plan.size_text())
    validation = validate_plan(plan, validate)
    validate_s = time.perf_counter() - started
    colvals = column_values(plan, validation.effective)
    record = plan_record(plan, validation.scenario_hashes, run_fn)
    prepared = prepare_output(out, resume, plan, record, validation.scenario_parameters)
    manifest = _start_manifest(plan, record, validation.scenario_parameters, prepared, meta,
                               validate_s)
    writer = BlockWriter(prepared.store, settings.block_runs, collect)
    total = plan.n_runs - len(prepared.done)
    execution = Execution(plan, colvals, run_fn, writer, settings, total, progress=progress,
                          on_progress=on_progress, cancel=cancel)

    def save(info: dict[str, Any] | None = None) -> None:
        if prepared.store is not None:
            if info is not None:
                manifest["executor"] = info
            prepared.store.write_manifest(manifest)

    save()
    status = "interrupted"
    try:
        todo = (s for s in plan.runs() if s.key not in prepared.done)
        status = execution.run(todo, on_start=save)
    finally:
        writer.close()
        _finish_manifest(manifest, execution, writer, status, time.perf_counter() - started)
        save()
    df = _assemble(plan, writer, collect)
    t = execution.tally
    df.attrs.update({
        "status": manifest["status"],
        "failures": _without_traceback(t.failures),
        "retried": _without_traceback(t.lost),
        "repairs": manifest["repairs"],
        "runs_executed": t.done,
        "runs_skipped": len(prepared.done),
        "manifest": None if prepared.store is None else str(prepared.store.out / "manifest.json"),
    })
    return df

