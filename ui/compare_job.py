"""The Compare page's batch: ``experiments.run_batch`` on a process pool, in the background.

The page never runs models itself: it hands the plan to :func:`experiments.run_batch`
(executor ``"process"``) in a background thread and polls. Progress and Cancel are
``run_batch``'s own: ``on_progress(done, total)`` after each finished task counts the runs
done, and a ``threading.Event`` as ``cancel`` stops the batch (no new task starts; the runs
finished are kept). This module imports no UI code.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments import run_batch
from experiments.crisis import CRISIS_DEFINITION, crisis_by_run

MAX_SEEDS = 1000
MAX_QUARTERS = 80


@dataclass(frozen=True)
class Group:
    """Runs that share a scenario source and overrides (one ``run_batch`` call)."""

    labels: tuple[str, ...]  # what the page calls each scenario
    sources: tuple[str, ...]  # what run_batch runs (names or TOML paths)
    overrides: dict[str, float | int | bool]


def total_losses(frame: pd.DataFrame) -> pd.Series:
    """Cumulative losses per row (the model's total)."""
    return frame["cumulative_losses"].astype(float)


def crisis_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the project's crisis rule (experiments.crisis) plus final losses."""
    runs = crisis_by_run(results.drop(columns=["t"], errors="ignore"), by=["scenario", "seed"])
    last = results.sort_values("t").groupby(["scenario", "seed"], sort=False).tail(1)
    losses = pd.Series(total_losses(last).to_numpy(),
                       index=pd.MultiIndex.from_frame(last[["scenario", "seed"]]))
    runs["final_losses"] = [losses.get((s, d), np.nan)
                            for s, d in zip(runs["scenario"], runs["seed"], strict=True)]
    return runs


@dataclass
class CompareJob:
    """A background batch of runs for the Compare page (one per browser session)."""

    scenarios: list[str] = field(default_factory=lambda: ["boom", "baseline", "bust"])
    seeds: int = 10
    quarters: int = 40
    running: bool = False
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    message: str | None = None
    error: str | None = None
    results: pd.DataFrame | None = None
    ran_scenarios: list[str] = field(default_factory=list)
    listener: Callable[[], None] | None = None
    custom: dict[str, tuple[str, dict[str, float | int | bool]]] = field(default_factory=dict)
    workers: int | None = None

    def __post_init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def notify(self) -> None:
        """Tell the page (if it is showing) that something changed."""
        fn = self.listener
        if fn is not None:
            try:
                fn()
            except Exception:  # the Compare tab may have closed
                self.listener = None

    def plan(self) -> list[Group]:
        """Packaged scenarios in one group; each custom scenario in its own."""
        plain = tuple(s for s in self.scenarios if s not in self.custom)
        groups = [Group(plain, plain, {})] if plain else []
        for label in self.scenarios:
            if label in self.custom:
                source, overrides = self.custom[label]
                groups.append(Group((label,), (source,), dict(overrides)))
        return groups

    def start(self, background: bool = True) -> bool:
        """Start the batch (returns False with ``error`` set if the settings are bad)."""
        if self.running:
            return False
        if not self.scenarios:
            self.error = "Pick at least one scenario."
            return False
        if not 1 <= self.seeds <= MAX_SEEDS or not 1 <= self.quarters <= MAX_QUARTERS:
            self.error = f"Seeds must be 1-{MAX_SEEDS} and quarters 1-{MAX_QUARTERS}."
            return False
        self.error, self.message = None, None
        self.running, self.done, self.total = True, 0, len(self.scenarios) * self.seeds
        self.seconds = 0.0
        self._stop = threading.Event()
        groups, scenarios = self.plan(), list(self.scenarios)
        if background:
            self._thread = threading.Thread(target=self._work, args=(groups, scenarios),
                                            daemon=True, name="aidb-compare")
            self._thread.start()
        else:
            self._work(groups, scenarios)
        return True

    def cancel(self) -> None:
        """Stop: no new runs start, runs in flight are dropped; the runs done are kept."""
        if self.running:
            self._stop.set()

    @property
    def cancelled(self) -> bool:
        """Whether Cancel was pressed for the current batch."""
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background thread ends (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self, groups: list[Group], scenarios: list[str]) -> None:
        t0 = time.perf_counter()
        frames = []
        before = 0  # runs done in the groups already finished

        def progress(done: int, _total: int) -> None:
            self.done = before + done
            self.seconds = time.perf_counter() - t0
            self.notify()

        try:
            for g in groups:
                if self.cancelled:
                    break
                df = run_batch(list(g.sources), range(self.seeds), overrides=g.overrides,
                               quarters=self.quarters, executor="process",
                               workers=self.workers, progress=False, on_progress=progress,
                               cancel=self._stop)
                before += len(g.sources) * self.seeds
                if df.empty:
                    continue
                rename = dict(zip(g.sources, g.labels, strict=True))
                df["scenario"] = df["scenario"].map(rename).fillna(df["scenario"])
                frames.append(df.drop(columns=list(g.overrides), errors="ignore"))
            runs = 0
            if frames:
                res = pd.concat(frames, ignore_index=True)
                res.insert(3, "t", res.groupby(["scenario", "seed"]).cumcount())
                self.results = res
                self.ran_scenarios = [s for s in scenarios if s in set(res["scenario"])]
                runs = int(res.groupby(["scenario", "seed"]).ngroups)
            self.done = runs
            self.seconds = time.perf_counter() - t0
            if self.cancelled:
                self.message = f"Cancelled after {runs} of {self.total} runs."
            else:
                self.message = f"{runs} runs in {self.seconds:.1f} s."
        except Exception as exc:  # shown on the page, never a traceback
            self.error = f"The batch stopped: {exc}"
        finally:
            self.running = False
            self.seconds = time.perf_counter() - t0
            self.notify()

    def csv(self) -> bytes:
        """All runs, one row per run and quarter."""
        if self.results is None:
            return b""
        return self.results.to_csv(index=False).encode("utf-8")

    def parquet(self) -> bytes:
        """All runs as Parquet (smaller, typed; read with pandas.read_parquet)."""
        if self.results is None:
            return b""
        buf = io.BytesIO()
        self.results.to_parquet(buf, index=False)
        return buf.getvalue()

    def summary_csv(self) -> bytes:
        """One row per run: crisis, peak bubble index, final losses."""
        if self.results is None:
            return b""
        return crisis_table(self.results).to_csv(index=False).encode("utf-8")


__all__ = ["CRISIS_DEFINITION", "CompareJob", "crisis_table", "total_losses"]
