"""Executors: run tasks serially, in a local process pool, or on Dask.

All executors share one small interface: :meth:`Executor.submit` a task, then take
finished tasks with :meth:`Executor.next_done` (in completion order, with a timeout so
the caller can check a cancel flag). The runner keeps a bounded window of tasks in
flight, so a batch of 100,000 runs never queues every task, nor every result, at once.
A task whose worker died comes back with :class:`experiments.pool.WorkerLostError`.

* ``serial``: in this process, one task after the other (debugging, tiny batches). A run
  that kills its process (``os._exit``) kills the batch here: use a pool for such code.
* ``process``: :class:`experiments.pool.WorkerPool` with the ``forkserver`` start method
  (the parent holds pandas/pyarrow/tqdm threads, which makes ``fork`` unsafe); the
  server preloads the model so a worker starts in ~0.3 s. A dead worker is replaced and
  costs only its own task; workers end when the parent dies.
* ``dask``: :mod:`dask.distributed`. Without a scheduler address a ``LocalCluster`` of
  ``workers`` processes is started and stopped around the batch: one thread each, nanny
  on (it restarts a dead worker), dashboard on 127.0.0.1 only, explicit memory limit, and
  a task on a dead worker reported at once (``allowed-failures: 0``, one task per worker)
  so the runner retries it like on the process pool. With ``scheduler="tcp://host:8786"``
  the same tasks go to an existing cluster (whose own retry settings apply); its workers
  must have this project installed with the same versions as the client.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from experiments.errors import BatchError
from experiments.pool import WorkerLostError, WorkerPool

__all__ = ["EXECUTORS", "DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor",
           "WorkerLostError", "default_workers", "make_executor"]

EXECUTORS = ("serial", "process", "dask")
DASHBOARD_ADDRESS = "127.0.0.1:0"  # loopback only, a free port
SCHEDULER_CONNECT_S = 10.0

TaskResult = tuple[int, Any, BaseException | None]


def default_workers() -> int:
    """Number of CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    """Base class: a context manager that runs ``fn(*args)`` tasks."""

    kind = "base"

    def __init__(self, workers: int = 1):
        self.workers = int(workers)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers and clusters (tasks still running are abandoned)."""

    def describe(self) -> dict[str, Any]:
        """Facts for the manifest."""
        return {"kind": self.kind, "workers": self.workers}

    @property
    def default_window(self) -> int:
        """Tasks worth keeping in flight: a few per worker, so none waits for work."""
        return 4 * self.workers

    @property
    def in_flight(self) -> int:
        """Tasks submitted and not yet returned by :meth:`next_done`."""
        raise NotImplementedError

    def submit(self, fn: Callable[..., Any], args: tuple) -> int:
        """Start ``fn(*args)``; return a ticket (an int) that :meth:`next_done` returns."""
        raise NotImplementedError

    def next_done(self, timeout: float | None = None) -> TaskResult | None:
        """The next finished task ``(ticket, result, exception)``, or None after ``timeout``.

        A task that raised comes back with its exception; the others go on.
        """
        raise NotImplementedError

    def imap_unordered(self, fn: Callable[..., Any], tasks: Iterable[tuple], window: int,
                       ) -> Iterator[TaskResult]:
        """Yield ``(task index, result, exception)`` as tasks finish, ``window`` in flight."""
        it = iter(tasks)
        index: dict[int, int] = {}
        position = 0
        while True:
            for args in it:
                index[self.submit(fn, args)] = position
                position += 1
                if self.in_flight >= window:
                    break
            if not self.in_flight:
                return
            done = self.next_done(None)
            if done is not None:
                ticket, result, exc = done
                yield index.pop(ticket), result, exc


class SerialExecutor(Executor):
    """Runs the tasks in the calling process, when they are collected."""

    kind = "serial"

    def __init__(self, workers: int | None = None):
        super().__init__(1)
        self._queue: deque[tuple[int, Callable[..., Any], tuple]] = deque()
        self._next = 0

    @property
    def in_flight(self) -> int:  # noqa: D102
        return len(self._queue)

    @property
    def default_window(self) -> int:  # noqa: D102
        return 1

    def submit(self, fn, args):  # noqa: D102
        self._next += 1
        self._queue.append((self._next, fn, args))
        return self._next

    def next_done(self, timeout=None):  # noqa: D102
        if not self._queue:
            return None
        ticket, fn, args = self._queue.popleft()
        try:
            return ticket, fn(*args), None
        except Exception as exc:
            return ticket, None, exc


class ProcessExecutor(Executor):
    """A local process pool that survives dead workers (:class:`WorkerPool`)."""

    kind = "process"

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        super().__init__(workers or default_workers())
        method = start_method or os.environ.get("EXPERIMENTS_START_METHOD") or "forkserver"
        if method not in mp.get_all_start_methods():
            method = "spawn"
        self.start_method = method
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["experiments.tasks", "model", "model.economy"])
        self._pool = WorkerPool(self.workers, ctx)

    def describe(self):  # noqa: D102
        return {**super().describe(), "start_method": self.start_method,
                "workers_replaced": self._pool.replaced}

    @property
    def in_flight(self) -> int:  # noqa: D102
        return self._pool.in_flight

    def submit(self, fn, args):  # noqa: D102
        return self._pool.submit(fn, args)

    def next_done(self, timeout=None):  # noqa: D102
        return self._pool.next_done(timeout)

    def close(self):  # noqa: D102
        self._pool.close()


def check_scheduler_reachable(address: str, timeout: float = SCHEDULER_CONNECT_S) -> None:
    """Fail fast, in one line, if nothing listens at a ``tcp://host:port`` address.

    Raises:
        BatchError: the address is malformed or nothing answers there.
    """
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise BatchError(f"invalid Dask scheduler address {address!r}: expected "
                         "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BatchError(f"cannot reach the Dask scheduler at {address} ({reason}): check "
                         "the address, or start one with `dask scheduler`") from None


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster by default, or an existing scheduler."""

    kind = "dask"

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        memory_limit: str | int | None = None,
    ):
        from distributed import Client

        self.scheduler = scheduler
        self._cluster = None
        self._futures: dict[int, Any] = {}
        self._next = 0
        if scheduler:
            check_scheduler_reachable(scheduler)
            try:
                self._client = Client(scheduler, timeout=f"{SCHEDULER_CONNECT_S}s")
            except OSError as exc:
                raise BatchError(f"cannot connect to the Dask scheduler at {scheduler}: "
                                 f"{exc}") from None
            n = sum(self._client.nthreads().values())
            super().__init__(n or workers or 1)
        else:
            n = workers or default_workers()
            super().__init__(n)
            self._cluster = _local_cluster(n, memory_limit)
            self._client = Client(self._cluster)

    def describe(self):  # noqa: D102
        return {
            **super().describe(),
            "scheduler": self.scheduler or "LocalCluster",
            "dashboard": self._client.dashboard_link if self._cluster is not None else None,
        }

    @property
    def in_flight(self) -> int:  # noqa: D102
        return len(self._futures)

    @property
    def default_window(self) -> int:
        """On our own cluster one task per worker: a dead worker then takes only its own."""
        return self.workers if self._cluster is not None else 4 * self.workers

    def submit(self, fn, args):  # noqa: D102
        self._next += 1
        self._futures[self._next] = self._client.submit(fn, *args, pure=False)
        return self._next

    def next_done(self, timeout=None):  # noqa: D102
        from distributed import wait as dask_wait
        from distributed.scheduler import KilledWorker

        if not self._futures:
            return None
        try:
            done, _ = dask_wait(list(self._futures.values()), timeout=timeout,
                                return_when="FIRST_COMPLETED")
        except TimeoutError:
            return None
        ticket = next(t for t, f in self._futures.items() if f in done)
        fut = self._futures.pop(ticket)
        try:
            return ticket, fut.result(), None
        except KilledWorker as exc:
            return ticket, None, WorkerLostError(f"Dask worker died: {exc}")
        except Exception as exc:
            return ticket, None, exc
        finally:
            fut.release()

    def close(self):  # noqa: D102
        for fut in self._futures.values():
            fut.cancel()
        self._futures.clear()
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def _local_cluster(n: int, memory_limit: str | int | None) -> Any:
    """A LocalCluster of ``n`` single-threaded worker processes, bound to 127.0.0.1."""
    import dask
    from distributed import LocalCluster

    settings = {
        # the workers' statistical profiler samples every 10 ms and takes the GIL from
        # pure-Python model code: off for our own cluster (the nanny passes the config)
        "distributed.worker.profile.enabled": False,
        # a task on a dead worker is reported at once and the runner retries it (as on
        # the process pool); one task per worker, so only that task is affected
        "distributed.scheduler.allowed-failures": 0,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with dask.config.set(settings):
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=DASHBOARD_ADDRESS,
            memory_limit=memory_limit if memory_limit is not None else _memory_per_worker(n),
            silence_logs=logging.ERROR,
        )


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
        raise BatchError(f"a scheduler address needs executor='dask', not {kind!r}")
    if workers is not None and int(workers) < 1:
        raise BatchError(f"workers must be >= 1, got {workers}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler=scheduler, memory_limit=memory_limit)
    raise BatchError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
