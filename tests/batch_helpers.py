"""Run functions for batch tests (importable by worker processes, like any run_fn)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from experiments.tasks import run_model


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
