"""Executing a plan: chunks of runs to an executor, a bounded window, retries, cancel.

* The first tasks hold one run each; results time the runs, and later chunks hold about
  ``TARGET_TASK_SECONDS`` of the fastest run seen (a worker's first task also pays for
  its imports), with at least four chunks per worker for the tail and at most
  ``block_runs`` runs.
* At most ``window`` tasks are in flight (default: the executor's, four per worker; one
  per worker on the LocalCluster a batch starts); a finished task is replaced by the next.
* A run that raises is a failure (recorded, not retried: it would raise again).
* A run whose worker died (:class:`experiments.pool.WorkerLostError`) is recorded as failed
  with the cause and retried once, alone; if it kills its worker again it stays failed.
  The other runs of its chunk are redone without blame. The process pool knows which run
  of a chunk was executing; on Dask every run of the chunk is treated as that run.
* ``cancel`` (a ``threading.Event`` or a function returning True) is checked at least
  every ``POLL_S`` seconds: no new task starts and tasks in flight are abandoned.
"""

from __future__ import annotations

import math
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from experiments.executors import make_executor
from experiments.plan import BatchPlan, RunSpec
from experiments.pool import WorkerLostError
from experiments.tasks import RunFn, failure_record, run_chunk
from experiments.writer import BlockWriter

__all__ = ["Execution", "ExecutionSettings", "Tally"]

TARGET_TASK_SECONDS = 1.0
POLL_S = 0.25
CHUNKS_PER_WORKER = 4

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class ExecutionSettings:
    """Where and how the runs execute (none of this changes the results)."""

    executor: str = "process"
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None
    block_runs: int = 256
    window: int | None = None


@dataclass
class Tally:
    """Counts of a batch as it executes."""

    succeeded: int = 0
    failed: int = 0  # runs without a result in the end
    retried: int = 0  # runs redone after their worker died
    recovered: int = 0  # of those, runs that succeeded the second time
    tasks: int = 0
    run_seconds: float = 0.0
    cpu_seconds: float = 0.0
    first_run_s: float | None = None
    fastest_run_s: float | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # final failures
    lost: list[dict[str, Any]] = field(default_factory=list)  # worker deaths, first attempt

    @property
    def done(self) -> int:
        """Runs finished for good (with a result or failed in the end)."""
        return self.succeeded + self.failed


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="run", desc=desc, disable=not enabled, dynamic_ncols=True,
                smoothing=0.05, file=sys.stderr)


def _is_cancelled(cancel: Any) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())


class Execution:
    """Runs ``todo`` (runs of ``plan`` not yet stored) and hands results to ``writer``."""

    def __init__(self, plan: BatchPlan, colvals: dict[tuple[str, int], dict[str, Any]],
                 run_fn: RunFn | None, writer: BlockWriter, settings: ExecutionSettings,
                 total: int, *, progress: bool = True, on_progress: ProgressFn | None = None,
                 cancel: Any = None):
        self.plan, self.colvals, self.run_fn = plan, colvals, run_fn
        self.writer, self.settings, self.total = writer, settings, total
        self.on_progress, self.cancel = on_progress, cancel
        self.tally = Tally()
        self.info: dict[str, Any] = {"kind": settings.executor}
        self._progress = progress
        self._chunk = settings.chunk_size or 1
        self._pending: dict[int, tuple[list[RunSpec], int]] = {}
        self._retry: deque[tuple[list[RunSpec], int]] = deque()
        self._bar: Any = None
        self._workers = 1

    # -- the loop ---------------------------------------------------------------------------
    def run(self, todo: Iterator[RunSpec], on_start: Callable[[dict], None] | None = None,
            ) -> str:
        """Execute every run of ``todo``; return ``"complete"`` or ``"cancelled"``."""
        if not self.total:
            return "complete"
        with make_executor(self.settings.executor, self.settings.workers,
                           scheduler=self.settings.scheduler) as ex:
            self._workers = max(1, ex.workers)
            window = self.settings.window or ex.default_window
            self.info = {**ex.describe(), "window": window}
            if on_start is not None:
                on_start(self.info)
            # the bar starts once the workers are up: an executor that cannot start
            # leaves one line of error, not a bar at 0%
            self._bar = _progress_bar(self.total, self._progress,
                                      " ".join(self.plan.scenarios)[:30])
            try:
                return self._loop(ex, self._chunks(todo), window)
            finally:
                self._bar.close()
                # e.g. workers replaced on the way
                self.info.update(ex.describe(), chunk_size=self._chunk, tasks=self.tally.tasks)

    def _loop(self, ex: Any, fresh: Iterator[list[RunSpec]], window: int) -> str:
        while True:
            if _is_cancelled(self.cancel):
                return "cancelled"
            while ex.in_flight < window:
                item = self._retry.popleft() if self._retry else _next_group(fresh)
                if item is None:
                    break
                group, attempt = item
                self._pending[ex.submit(run_chunk, self._task_args(group))] = (group, attempt)
                self.tally.tasks += 1
            if not ex.in_flight:
                return "complete"
            done = ex.next_done(POLL_S)
            if done is not None:
                self._handle(*done)

    def _chunks(self, todo: Iterator[RunSpec]) -> Iterator[tuple[list[RunSpec], int]]:
        """Consecutive runs of one scenario, ``self._chunk`` at a time (first attempts)."""
        group: list[RunSpec] = []
        for spec in todo:
            if group and (spec.scenario != group[0].scenario or len(group) >= self._chunk):
                yield group, 1
                group = []
            group.append(spec)
        if group:
            yield group, 1

    def _task_args(self, group: list[RunSpec]) -> tuple:
        points = self.plan.points
        return ([(s.scenario, s.seed, s.key, points[s.point], self.colvals[s.scenario, s.point])
                 for s in group], self.plan.quarters, self.run_fn)

    # -- results ----------------------------------------------------------------------------
    def _handle(self, ticket: int, result: Any, exc: BaseException | None) -> None:
        group, attempt = self._pending.pop(ticket)
        before = self.tally.done
        if isinstance(exc, WorkerLostError):
            self._lost(group, attempt, exc)
        elif exc is not None:
            self._task_failed(group, attempt, exc)
        else:
            self._finished(group, attempt, result)
        self._advance(self.tally.done - before)

    def _finished(self, group: list[RunSpec], attempt: int, result: dict[str, Any]) -> None:
        t = self.tally
        n_ok, fails = len(result["keys"]), result["failures"]
        t.succeeded += n_ok
        if attempt > 1:
            t.recovered += n_ok
        t.run_seconds += result.get("seconds", 0.0)
        t.cpu_seconds += result.get("cpu_seconds", 0.0)
        self._final_failures([{**f, "attempt": attempt, "final": True} for f in fails])
        self.writer.add(group[0].scenario, result["frame"], result["keys"])
        n = n_ok + len(fails)
        if n:
            per_run = result.get("seconds", 0.0) / n
            if t.first_run_s is None:
                t.first_run_s = per_run
            # the fastest run seen so far: a worker's first task also pays its imports
            t.fastest_run_s = min(t.fastest_run_s or per_run, per_run)
            if self.settings.chunk_size is None:
                self._chunk = self._chunk_size(t.fastest_run_s)

    def _chunk_size(self, run_s: float) -> int:
        by_time = max(1, round(TARGET_TASK_SECONDS / max(run_s, 1e-3)))
        by_tail = max(1, math.ceil(self.total / (CHUNKS_PER_WORKER * self._workers)))
        return max(1, min(by_time, by_tail, self.settings.block_runs))

    def _record(self, spec: RunSpec, error: str, trace: str, attempt: int, final: bool,
                ) -> dict[str, Any]:
        rec = failure_record(spec.scenario, spec.seed, spec.key, self.plan.points[spec.point],
                             error, trace)
        return {**rec, "attempt": attempt, "final": final}

    def _final_failures(self, records: list[dict[str, Any]]) -> None:
        self.tally.failed += len(records)
        self.tally.failures.extend(records)
        self.writer.failures(records)

    def _task_failed(self, group: list[RunSpec], attempt: int, exc: BaseException) -> None:
        error = f"task failed: {type(exc).__name__}: {exc}"
        trace = "".join(traceback.format_exception(exc))
        self._final_failures([self._record(s, error, trace, attempt, True) for s in group])

    def _lost(self, group: list[RunSpec], attempt: int, exc: WorkerLostError) -> None:
        """Blame the run that was executing; redo the others; retry the blamed run once."""
        k = exc.note if isinstance(exc.note, int) and 0 <= exc.note < len(group) else None
        if k is None and len(group) == 1:
            k = 0
        blamed = list(group) if k is None else [group[k]]
        innocent = [] if k is None else group[:k] + group[k + 1:]
        if innocent:
            self._retry.append((innocent, attempt))
        error = f"WorkerLostError: {exc.cause}"
        for spec in blamed:
            if attempt == 1:
                rec = self._record(spec, error, "", attempt, False)
                self.tally.lost.append(rec)
                self.tally.retried += 1
                self.writer.failures([rec])
                self._retry.append(([spec], attempt + 1))
            else:
                self._final_failures([self._record(spec, error, "", attempt, True)])

    def _advance(self, n: int) -> None:
        if not n:
            return
        self._bar.update(n)
        if self.tally.failed or self.tally.retried:
            self._bar.set_postfix(failed=self.tally.failed, retried=self.tally.retried,
                                  refresh=False)
        if self.on_progress is not None:
            self.on_progress(self.tally.done, self.total)


def _next_group(fresh: Iterator[tuple[list[RunSpec], int]]) -> tuple[list[RunSpec], int] | None:
    return next(fresh, None)
