"""Executors: run chunk tasks serially, in a local process pool, or on Dask.

All executors share one small interface, :meth:`Executor.imap_unordered`, which keeps at
most ``window`` tasks in flight (submit, wait for the first to finish, refill) so that a
batch of 100,000 runs never queues every task, nor every result, at once. Results come
back in completion order; the runner sorts them, so the output does not depend on the
executor or the number of workers.

* ``serial``: in this process, one task after the other (debugging, tiny batches).
* ``process``: :class:`concurrent.futures.ProcessPoolExecutor` with the ``forkserver``
  start method (the parent holds pandas/pyarrow/tqdm threads, which makes ``fork``
  unsafe); the server preloads the model so a worker starts in ~0.3 s.
* ``dask``: :mod:`dask.distributed`. Without a scheduler address a ``LocalCluster`` of
  ``workers`` processes (one thread each, nanny on, dashboard on a free port, explicit
  memory limit) is started and stopped around the batch. With ``scheduler="tcp://host:8786"``
  the same tasks go to an existing cluster, whose workers must have this project installed
  (``pip install -e .``) with the same versions as the client.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

__all__ = ["EXECUTORS", "DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor",
           "default_workers", "make_executor"]

EXECUTORS = ("serial", "process", "dask")

TaskResult = tuple[int, Any, BaseException | None]


def default_workers() -> int:
    """Number of CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    """Base class: a context manager that runs ``fn(*args)`` for each task."""

    kind = "base"

    def __init__(self, workers: int = 1):
        self.workers = int(workers)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers and clusters."""

    def describe(self) -> dict[str, Any]:
        """Facts for the manifest."""
        return {"kind": self.kind, "workers": self.workers}

    def imap_unordered(
        self, fn: Callable[..., Any], tasks: Iterable[tuple], window: int
    ) -> Iterator[TaskResult]:
        """Yield ``(task index, result, exception)`` as tasks finish.

        A task that raises yields ``(index, None, exception)``; the others go on.
        """
        raise NotImplementedError


class SerialExecutor(Executor):
    """Runs the tasks in the calling process."""

    kind = "serial"

    def __init__(self, workers: int | None = None):
        super().__init__(1)

    def imap_unordered(self, fn, tasks, window):  # noqa: D102
        for i, args in enumerate(tasks):
            try:
                yield i, fn(*args), None
            except Exception as exc:
                yield i, None, exc


class ProcessExecutor(Executor):
    """A local process pool (``concurrent.futures``)."""

    kind = "process"

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        super().__init__(workers or default_workers())
        method = start_method or os.environ.get("EXPERIMENTS_START_METHOD") or "forkserver"
        if method not in mp.get_all_start_methods():
            method = "spawn"
        self.start_method = method
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["experiments.runner", "model", "model.economy"])
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)

    def describe(self):  # noqa: D102
        return {**super().describe(), "start_method": self.start_method}

    def close(self):  # noqa: D102
        self._pool.shutdown(wait=True, cancel_futures=True)

    def imap_unordered(self, fn, tasks, window):  # noqa: D102
        it = enumerate(tasks)
        pending: dict[Any, int] = {}
        try:
            for i, args in it:
                pending[self._pool.submit(fn, *args)] = i
                if len(pending) >= window:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    exc = fut.exception()
                    yield i, (None if exc else fut.result()), exc
                for i, args in it:
                    pending[self._pool.submit(fn, *args)] = i
                    if len(pending) >= window:
                        break
        finally:
            for fut in pending:
                fut.cancel()


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster by default, or an existing scheduler."""

    kind = "dask"

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        memory_limit: str | int | None = None,
    ):
        from distributed import Client, LocalCluster

        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler, timeout="30s")
            n = sum(self._client.nthreads().values())
            super().__init__(n or workers or 1)
        else:
            n = workers or default_workers()
            super().__init__(n)
            if memory_limit is None:
                memory_limit = _memory_per_worker(n)
            import dask

            # the workers' statistical profiler samples every 10 ms and takes the GIL from
            # pure-Python model code: off for our own cluster (the nanny passes the config)
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    memory_limit=memory_limit,
                    silence_logs=logging.ERROR,
                )
            self._client = Client(self._cluster)

    def describe(self):  # noqa: D102
        return {
            **super().describe(),
            "scheduler": self.scheduler or "LocalCluster",
            "dashboard": self._client.dashboard_link if self._cluster is not None else None,
        }

    def close(self):  # noqa: D102
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()

    def imap_unordered(self, fn, tasks, window):  # noqa: D102
        from distributed import as_completed

        it = enumerate(tasks)
        index: dict[str, int] = {}

        def submit(i: int, args: tuple):
            fut = self._client.submit(fn, *args, pure=False)
            index[fut.key] = i
            return fut

        first = []
        for i, args in it:
            first.append(submit(i, args))
            if len(first) >= window:
                break
        queue = as_completed(first)
        try:
            for fut in queue:
                i = index.pop(fut.key)
                try:
                    yield i, fut.result(), None
                except Exception as exc:
                    yield i, None, exc
                finally:
                    fut.release()
                nxt = next(it, None)
                if nxt is not None:
                    queue.add(submit(*nxt))
        finally:
            queue.clear()


def _memory_per_worker(n: int) -> int:
    """An explicit memory limit: the machine's memory split evenly, at most 4 GiB each."""
    try:
        import psutil

        total = psutil.virtual_memory().total
    except Exception:
        total = 8 * 2**30
    return int(min(4 * 2**30, total * 0.8 / max(1, n)))


def make_executor(
    kind: str = "process",
    workers: int | None = None,
    *,
    scheduler: str | None = None,
    memory_limit: str | int | None = None,
) -> Executor:
    """Create an executor by name: ``serial``, ``process`` or ``dask``."""
    if scheduler and kind != "dask":
        raise ValueError(f"a scheduler address needs executor='dask', not {kind!r}")
    if workers is not None and int(workers) < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler=scheduler, memory_limit=memory_limit)
    raise ValueError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
