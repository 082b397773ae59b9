"""Headless experiment batches over the AI debt bubble model.

Python API::

    from experiments import run_batch, grid, load_results
    df = run_batch(["baseline", "bust"], "0-19", quarters=40, executor="process", workers=2)
    df = run_batch("bust", "0-99", overrides=grid(herding=[0, 0.5, 1]), out="results/herd")

Command line: ``python -m experiments --help`` (run, sweep, compare, crisis-map,
calibrate, bench). See docs/experiments.md.
"""

from experiments.crisis import CRISIS_DEFINITION, crisis_by_run, crisis_probability
from experiments.executors import EXECUTORS, make_executor
from experiments.grids import grid, parse_param, parse_seeds, parse_values
from experiments.runner import BatchError, normalize_overrides, run_batch, run_model
from experiments.storage import BatchStore, load_results

__all__ = [
    "CRISIS_DEFINITION",
    "EXECUTORS",
    "BatchError",
    "BatchStore",
    "crisis_by_run",
    "crisis_probability",
    "grid",
    "load_results",
    "make_executor",
    "normalize_overrides",
    "parse_param",
    "parse_seeds",
    "parse_values",
    "run_batch",
    "run_model",
]
