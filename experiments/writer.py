"""Where finished runs go: Parquet blocks of ``block_runs`` runs, or a list in memory."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from experiments.storage import BatchStore

__all__ = ["BlockWriter"]


class BlockWriter:
    """Buffers finished runs per scenario and writes each ``block_runs`` as one block.

    Without a store, frames are kept in memory (if ``collect``) and returned by
    :meth:`collected`. Failure records go to the store's ``failures.jsonl``.
    """

    def __init__(self, store: BatchStore | None, block_runs: int, collect: bool = True):
        self.store = store
        self.block_runs = block_runs
        self.collect = collect
        self.blocks_written = 0
        self._buffers: dict[str, list[tuple[pd.DataFrame, list[str]]]] = defaultdict(list)
        self._memory: list[pd.DataFrame] = []

    def add(self, scenario: str, frame: pd.DataFrame | None, keys: list[str]) -> None:
        """Take the finished runs of one task (``frame`` holds the rows of ``keys``)."""
        if frame is None or not keys:
            return
        if self.store is None:
            if self.collect:
                self._memory.append(frame.assign(scenario=scenario))
            return
        self._buffers[scenario].append((frame, keys))
        self.flush(scenario)

    def flush(self, scenario: str, force: bool = False) -> None:
        """Write the buffered runs of ``scenario`` if there are enough (or ``force``)."""
        buf = self._buffers.get(scenario)
        if not buf or self.store is None:
            return
        keys = [k for _, ks in buf for k in ks]
        if len(keys) < self.block_runs and not force:
            return
        self._buffers[scenario] = []
        frame = pd.concat([f for f, _ in buf], ignore_index=True)
        self.store.write_block(scenario, frame, keys)
        self.blocks_written += 1

    def close(self) -> None:
        """Write every buffered run."""
        for scenario in list(self._buffers):
            self.flush(scenario, force=True)

    def failures(self, records: Iterable[dict[str, Any]]) -> None:
        """Append failure records to the failure log (if there is a store)."""
        records = list(records)
        if records and self.store is not None:
            self.store.append_failures(records)

    def collected(self) -> pd.DataFrame:
        """The runs kept in memory (no store), with a ``scenario`` column."""
        return pd.concat(self._memory, ignore_index=True) if self._memory else pd.DataFrame()
