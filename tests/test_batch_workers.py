"""A dead worker costs one run (retried once); workers die with the batch; cancel; progress.

Issue 12, items 1 and 2: on the old code one dead worker raised BrokenProcessPool and
aborted the batch, and a SIGKILLed parent left the forkserver, the workers and the
resource tracker alive.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from experiments import run_batch
from experiments.storage import BatchStore
from experiments.tasks import run_model

Q = 2  # quarters per run: small and fast


# -- run functions (module level: worker processes import them by name) ---------------------
def exit_on_seed(scenario, seed, quarters, overrides, *, victim):
    """``os._exit(13)`` in the run of seed ``victim``, every time (a deadly run)."""
    if seed == victim:
        os._exit(13)
    return run_model(scenario, seed, quarters, overrides)


def kill_once(scenario, seed, quarters, overrides, *, victim, marker):
    """SIGKILL this worker in the first run of seed ``victim`` only (a transient death)."""
    if seed == victim and not Path(marker).exists():
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)  # never reached
    return run_model(scenario, seed, quarters, overrides)


def slow_run(scenario, seed, quarters, overrides):
    """A model run that takes at least 0.2 s (to catch a batch in the middle)."""
    time.sleep(0.2)
    return run_model(scenario, seed, quarters, overrides)


@pytest.fixture(scope="module")
def reference():
    return run_batch("bust", "0-7", quarters=Q, executor="serial", progress=False)


def test_process_pool_survives_a_deadly_run(tmp_path, reference):
    out = tmp_path / "o"
    # seed 5 kills its worker every time; chunks of 4 put it third in the second chunk
    df = run_batch("bust", "0-7", quarters=Q, executor="process", workers=2, chunk_size=4,
                   out=out, progress=False, run_fn=functools.partial(exit_on_seed, victim=5))
    pd.testing.assert_frame_equal(df, reference[reference["seed"] != 5].reset_index(drop=True))
    (fail,) = df.attrs["failures"]
    assert fail["seed"] == 5 and fail["attempt"] == 2 and fail["final"]
    assert "WorkerLostError" in fail["error"] and "exited with code 13" in fail["error"]
    (lost,) = df.attrs["retried"]  # only the run on the dead worker is blamed
    assert lost["seed"] == 5 and lost["attempt"] == 1 and not lost["final"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete_with_failures"
    assert m["runs"]["succeeded"] == 7 and m["runs"]["failed"] == 1
    assert m["runs"]["retried"] == 1 and m["runs"]["recovered"] == 0
    assert m["executor"]["workers_replaced"] == 2
    logged = [json.loads(x) for x in (out / "failures.jsonl").read_text().splitlines()]
    assert [(r["seed"], r["attempt"]) for r in logged] == [(5, 1), (5, 2)]


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_killed_worker_run_is_retried(tmp_path, reference, executor):
    run_fn = functools.partial(kill_once, victim=3, marker=str(tmp_path / "killed"))
    df = run_batch("bust", "0-7", quarters=Q, executor=executor, workers=2, chunk_size=1,
                   out=tmp_path / "o", progress=False, run_fn=run_fn)
    assert (tmp_path / "killed").exists()  # the worker was killed...
    pd.testing.assert_frame_equal(df, reference)  # ...and nothing is missing
    assert df.attrs["status"] == "complete" and df.attrs["failures"] == []
    (lost,) = df.attrs["retried"]  # one failure recorded, with its cause, then retried
    assert lost["seed"] == 3 and lost["attempt"] == 1
    assert "WorkerLostError" in lost["error"]
    if executor == "process":
        assert "SIGKILL" in lost["error"]
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert m["runs"]["retried"] == 1 and m["runs"]["recovered"] == 1


def _batch_processes(pid: int, want: int, deadline: float) -> list[psutil.Process]:
    """The processes below ``pid`` once there are ``want`` of them (or at the deadline)."""
    kids: list[psutil.Process] = []
    while time.time() < deadline:
        kids = psutil.Process(pid).children(recursive=True)
        if len(kids) >= want:
            break
        time.sleep(0.1)
    return kids


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize(("executor", "want"), [("process", 4), ("dask", 3)])
def test_batch_dies_with_its_parent(tmp_path, executor, want):
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments", "run", "--seeds", "0-9999", "--quarters", "4",
         "--executor", executor, "--workers", "2", "--block-runs", "2", "--no-progress",
         "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs: list[psutil.Process] = []
    try:
        # process: resource tracker + forkserver + 2 workers; dask: tracker + 2 workers
        procs = _batch_processes(proc.pid, want, time.time() + 60)
        deadline = time.time() + 60
        while not BatchStore(out).block_files() and time.time() < deadline:
            time.sleep(0.1)
        assert BatchStore(out).block_files(), "the batch did not get going"
        procs = psutil.Process(proc.pid).children(recursive=True)
        assert len(procs) >= want
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 10
    while _alive(procs) and time.time() < deadline:
        time.sleep(0.1)
    left = _alive(procs)
    for p in left:  # do not leave them behind for the next test
        p.kill()
    assert not left, [" ".join(p.cmdline())[:100] for p in left]


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_cancel_keeps_finished_runs_and_resume_completes(tmp_path, executor):
    out = tmp_path / "o"
    stop = threading.Event()
    calls: list[tuple[int, int]] = []

    def on_progress(done, total):
        calls.append((done, total))
        if done >= 2:
            stop.set()

    df = run_batch("bust", "0-9", quarters=Q, executor=executor, workers=2, chunk_size=1,
                   out=out, progress=False, run_fn=slow_run, on_progress=on_progress,
                   cancel=stop, block_runs=1)
    assert df.attrs["status"] == "cancelled"
    assert 2 <= df.attrs["runs_executed"] < 10
    assert df["seed"].nunique() == df.attrs["runs_executed"]
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and {t for _, t in calls} == {10}
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "cancelled"
    rest = run_batch("bust", "0-9", quarters=Q, executor="serial", out=out, progress=False,
                     run_fn=slow_run, resume=True)
    assert rest.attrs["runs_executed"] == 10 - df.attrs["runs_executed"]
    ref = run_batch("bust", "0-9", quarters=Q, executor="serial", progress=False)
    pd.testing.assert_frame_equal(rest, ref)


def test_cancel_as_a_function():
    df = run_batch("bust", "0-3", quarters=Q, executor="serial", progress=False,
                   cancel=lambda: True)
    assert df.attrs["status"] == "cancelled" and df.empty
