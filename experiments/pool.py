"""A local process pool that survives a dead worker and dies with its parent.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: when one of its workers dies
(``os._exit`` in a run, SIGKILL, the out-of-memory killer) it fails *every* pending task
with ``BrokenProcessPool`` and cannot be used again, and it cannot say which task was on
the dead worker. Here each worker has its own pipe and runs one task at a time, so:

* a dead worker costs only its own task, reported as :class:`WorkerLostError` with the exit
  code or signal and the last :func:`note` the task sent (the run it was on); a new
  worker takes its place and the other workers go on undisturbed;
* every worker holds the read end of a *lifeline* pipe whose write end only the parent
  holds; a watchdog thread in the worker waits on it and ends the worker as soon as the
  parent is gone (SIGKILL included). On Linux the worker also asks the kernel for
  SIGKILL when its own parent (the forkserver) dies (``prctl(PR_SET_PDEATHSIG)``). With
  the workers gone, the forkserver and the resource tracker exit too.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["WorkerLostError", "WorkerPool", "describe_exit", "note"]

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
EXIT_PARENT_GONE = 70
TaskResult = tuple[int, Any, BaseException | None]
_CONN: Connection | None = None  # in a pool worker: the pipe to the parent


class WorkerLostError(RuntimeError):
    """The worker process running a task died (killed, ``os._exit``, crashed).

    Attributes:
        cause: what happened, e.g. ``"worker process 1234 was killed by SIGKILL"``.
        note: the last value the task passed to :func:`note` (the run it was on), or None.
    """

    def __init__(self, cause: str, note: Any = None):
        super().__init__(cause)
        self.cause = cause
        self.note = note


def note(value: Any) -> None:
    """Tell the parent what this worker is doing now; a no-op outside a pool worker."""
    if _CONN is not None:
        _CONN.send(("note", value))


def describe_exit(pid: int, exitcode: int | None) -> str:
    """One line on how a worker process ended."""
    if exitcode is None:
        return f"worker process {pid} stopped answering"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (from outside, or the out-of-memory killer)" if name == "SIGKILL" else ""
        return f"worker process {pid} was killed by {name}{hint}"
    return f"worker process {pid} exited with code {exitcode} in the middle of a task"


# -- the worker side ---------------------------------------------------------------------------
def _set_parent_death_signal() -> None:
    """Linux: SIGKILL this process when its parent dies (best effort elsewhere: no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _watch_lifeline(lifeline: Connection) -> None:
    """Block until the parent's end of the lifeline closes, then end this process."""
    with contextlib.suppress(BaseException):
        lifeline.recv()  # the parent never sends: this returns only by EOF
    os._exit(EXIT_PARENT_GONE)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it pickles, else a RuntimeError carrying its traceback."""
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}\n{text}")


def _serve(conn: Connection, lifeline: Connection) -> None:
    """Worker main loop: receive ``(fn, args)``, send back the result or the exception."""
    global _CONN
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _set_parent_death_signal()
    threading.Thread(target=_watch_lifeline, args=(lifeline,), daemon=True,
                     name="lifeline").start()
    _CONN = conn
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            task = pickle.loads(data)
            if task is None:
                return
            fn, args = task
            reply = ("done", fn(*args))
        except Exception as exc:
            reply = ("error", _portable(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # the result does not pickle
            conn.send(("error", _portable(exc)))


# -- the parent side ---------------------------------------------------------------------------
@dataclass
class _Worker:
    process: Any
    conn: Connection
    lifeline: Connection
    ticket: int | None = None
    note: Any = None


class WorkerPool:
    """``workers`` processes, one task each at a time; extra tasks wait in a queue here."""

    def __init__(self, workers: int, context: Any = None):
        self._ctx = context or mp.get_context()
        self._tickets = itertools.count()
        self._queue: deque[tuple[int, bytes]] = deque()
        self._done: deque[TaskResult] = deque()
        self._workers = [self._start() for _ in range(int(workers))]
        self.replaced = 0

    def _start(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe()
        life_r, life_w = self._ctx.Pipe(duplex=False)
        p = self._ctx.Process(target=_serve, args=(child_end, life_r), daemon=True,
                              name="experiments-worker")
        p.start()
        child_end.close()
        life_r.close()
        return _Worker(p, parent_end, life_w)

    @property
    def in_flight(self) -> int:
        """Tasks submitted and not yet returned by :meth:`next_done`."""
        busy = sum(w.ticket is not None for w in self._workers)
        return busy + len(self._queue) + len(self._done)

    def submit(self, fn: Callable[..., Any], args: tuple) -> int:
        """Queue ``fn(*args)``; return its ticket."""
        ticket = next(self._tickets)
        self._queue.append((ticket, pickle.dumps((fn, args))))
        self._dispatch()
        return ticket

    def _dispatch(self) -> None:
        for i, w in enumerate(self._workers):
            if not self._queue:
                return
            if w.ticket is not None:
                continue
            ticket, data = self._queue[0]
            try:
                w.conn.send_bytes(data)
            except OSError:  # died while idle: replace it, nobody to blame
                self._replace(i)
                w = self._workers[i]
                w.conn.send_bytes(data)
            self._queue.popleft()
            w.ticket, w.note = ticket, None

    def next_done(self, timeout: float | None = None) -> TaskResult | None:
        """The next finished task ``(ticket, result, exception)``, or None after ``timeout``.

        A task whose worker died comes back with a :class:`WorkerLostError` exception.
        """
        if not self._done:
            busy = [w for w in self._workers if w.ticket is not None]
            if busy:
                waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
                ready = set(wait(waitables, timeout))
                for w in busy:
                    if w.conn in ready:
                        self._read(w)
                    elif w.process.sentinel in ready:
                        self._lost(w)
                self._dispatch()
        return self._done.popleft() if self._done else None

    def _read(self, w: _Worker) -> None:
        try:
            while w.ticket is not None and w.conn.poll():
                kind, value = w.conn.recv()
                if kind == "note":
                    w.note = value
                    continue
                result, exc = (value, None) if kind == "done" else (None, value)
                self._done.append((w.ticket, result, exc))
                w.ticket, w.note = None, None
        except (EOFError, OSError):
            self._lost(w)

    def _lost(self, w: _Worker) -> None:
        w.process.join(timeout=5)
        cause = describe_exit(w.process.pid, w.process.exitcode)
        if w.ticket is not None:
            self._done.append((w.ticket, None, WorkerLostError(cause, w.note)))
            w.ticket = None
        self._replace(self._workers.index(w))

    def _replace(self, i: int) -> None:
        old = self._workers[i]
        self._stop(old, force=True)
        self._workers[i] = self._start()
        self.replaced += 1

    @staticmethod
    def _stop(w: _Worker, force: bool) -> None:
        if force and w.process.is_alive():
            w.process.kill()
        elif not force:
            with contextlib.suppress(OSError):
                w.conn.send_bytes(pickle.dumps(None))
        w.process.join(timeout=5)
        if w.process.is_alive():
            w.process.kill()
            w.process.join(timeout=5)
        for c in (w.conn, w.lifeline):
            c.close()

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed."""
        self._queue.clear()
        for w in self._workers:
            self._stop(w, force=w.ticket is not None)
        self._workers = []
