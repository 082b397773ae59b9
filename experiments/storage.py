"""On-disk layout of a batch: Parquet blocks, a manifest and a failure log.

::

    OUT/
      manifest.json                 parameters, seeds, versions, git commit, timings, failures
      failures.jsonl                one JSON line per failed run (error, traceback, parameters)
      runs/scenario=<name>/part-<n>-<id>.parquet
                                    one file per block of a few hundred finished runs

The ``runs`` folder is a Hive-partitioned Parquet dataset: ``pandas.read_parquet(OUT /
"runs")`` reads it (``scenario`` comes back as a categorical), or use
:func:`load_results`, which gives the same frame as :func:`experiments.run_batch`.

A block is written to a hidden temporary file and renamed into place, so a killed batch
leaves only whole blocks. Each block lists the runs it holds in its Parquet metadata (key
``experiments.runs``); ``--resume`` reads these lists and skips those runs. Failed runs
are not in any block, so a resumed batch retries them.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

__all__ = ["RUNS_KEY", "BatchStore", "load_results"]

RUNS_KEY = b"experiments.runs"
MANIFEST = "manifest.json"
FAILURES = "failures.jsonl"


def _partitioning() -> ds.Partitioning:
    return ds.partitioning(pa.schema([("scenario", pa.string())]), flavor="hive")


class BatchStore:
    """Reads and writes one batch directory."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self._seq = 0

    # -- runs -------------------------------------------------------------------------
    def block_files(self) -> list[Path]:
        """All finished block files (temporary files excluded)."""
        if not self.runs_dir.exists():
            return []
        return sorted(self.runs_dir.glob("scenario=*/part-*.parquet"))

    def finished_keys(self) -> set[str]:
        """Keys of the runs stored in finished blocks (read from Parquet metadata only)."""
        keys: set[str] = set()
        for f in self.block_files():
            meta = pq.read_schema(f).metadata or {}
            keys.update(json.loads(meta.get(RUNS_KEY, b"[]")))
        return keys

    def clean_temporary(self) -> int:
        """Delete half-written blocks left by a killed batch; return how many."""
        n = 0
        if self.runs_dir.exists():
            for f in self.runs_dir.glob("scenario=*/.tmp-*"):
                f.unlink(missing_ok=True)
                n += 1
        return n

    def write_block(self, scenario: str, frame: pd.DataFrame, keys: Sequence[str]) -> Path:
        """Write one block of finished runs of one scenario (without the scenario column)."""
        folder = self.runs_dir / f"scenario={quote(scenario, safe='')}"
        folder.mkdir(parents=True, exist_ok=True)
        if self._seq == 0:
            self._seq = len(self.block_files())
        self._seq += 1
        name = f"part-{self._seq:06d}-{uuid.uuid4().hex[:8]}.parquet"
        table = pa.Table.from_pandas(frame.drop(columns=["scenario"], errors="ignore"),
                                     preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[RUNS_KEY] = json.dumps(list(keys)).encode()
        table = table.replace_schema_metadata(meta)
        tmp = folder / f".tmp-{name}"
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, folder / name)
        return folder / name

    # -- failures -----------------------------------------------------------------------
    def reset_failures(self) -> None:
        """Start a new failure log (failed runs are retried on resume)."""
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / FAILURES).write_text("")

    def append_failures(self, failures: Iterable[dict[str, Any]]) -> None:
        """Append failure records, one JSON object per line."""
        with open(self.out / FAILURES, "a", encoding="utf-8") as fh:
            for rec in failures:
                fh.write(json.dumps(rec, default=str) + "\n")

    def read_failures(self) -> list[dict[str, Any]]:
        """The failure log as a list of dicts."""
        path = self.out / FAILURES
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # -- manifest -----------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if there is none yet."""
        path = self.out / MANIFEST
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest atomically."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / MANIFEST
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, path)
        return path

    # -- reading ------------------------------------------------------------------------
    def read(self, columns: Sequence[str] | None = None, scenarios: Sequence[str] | None = None,
             ) -> pd.DataFrame:
        """Read the stored runs (optionally only some columns / scenarios) as a DataFrame."""
        if not self.block_files():
            return pd.DataFrame()
        dataset = ds.dataset(self.runs_dir, format="parquet", partitioning=_partitioning())
        flt = None
        if scenarios is not None:
            flt = ds.field("scenario").isin(list(scenarios))
        cols = None
        if columns is not None:
            names = set(dataset.schema.names)
            cols = [c for c in dict.fromkeys(["scenario", *columns]) if c in names]
        table = dataset.to_table(columns=cols, filter=flt)
        df = table.to_pandas()
        if "scenario" in df:
            df["scenario"] = df["scenario"].astype(str)
        return df


def load_results(out: str | os.PathLike, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Load a batch directory as one DataFrame (scenario, seed, overrides, quarter, model columns).

    Rows are sorted by scenario, override values and seed; within a run, in quarter order.
    """
    from experiments.runner import finalize_frame

    store = BatchStore(out)
    manifest = store.read_manifest() or {}
    df = store.read(columns=columns)
    return finalize_frame(df, manifest.get("scenarios"), manifest.get("override_columns", []))
