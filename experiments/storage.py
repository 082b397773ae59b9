"""On-disk layout of a batch: Parquet blocks, a manifest and a failure log.

::

    OUT/
      manifest.json                 the plan and its fingerprint, versions, timings, failures
      failures.jsonl                one JSON line per failed attempt (error, traceback, ...)
      runs/scenario=<name>/part-<n>-<id>.parquet
                                    one file per block of a few hundred finished runs
      damaged/                      blocks that failed verification on resume (moved aside)

The ``runs`` folder is a Hive-partitioned Parquet dataset: ``pandas.read_parquet(OUT /
"runs")`` reads it (``scenario`` comes back as a categorical), or use
:func:`load_results`, which gives the same frame as :func:`experiments.run_batch`.

A block is written to a hidden temporary file and renamed into place, so a killed batch
leaves only whole blocks. Its name ends with the SHA-256 of its content
(``part-000012-<16 hex digits>.parquet``), it lists the runs it holds (key
``experiments.runs``) and its row count (``experiments.rows``) in its Parquet metadata,
and it is written with page checksums. On resume :meth:`BatchStore.verify` checks every
block (content against its name, footer, row count, seed column against the run list,
runs in the plan and in no other block) and moves a damaged one aside, so its runs are
redone. Failed runs are not in any block, so a resumed batch retries them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.errors import BatchError
from experiments.frames import finalize_frame

__all__ = ["RUNS_KEY", "BatchStore", "Damaged", "load_results"]

RUNS_KEY = b"experiments.runs"
ROWS_KEY = b"experiments.rows"
MANIFEST = "manifest.json"
FAILURES = "failures.jsonl"
DAMAGED = "damaged"
HASH_DIGITS = 16
BLOCK_NAME = re.compile(rf"part-\d+-([0-9a-f]{{{HASH_DIGITS}}})\.parquet")


def _partitioning() -> ds.Partitioning:
    return ds.partitioning(pa.schema([("scenario", pa.string())]), flavor="hive")


@dataclass(frozen=True)
class Damaged:
    """A block that failed verification, and where it was moved."""

    block: str
    moved_to: str
    reason: str


def _block_keys(table: pa.Table) -> list[str]:
    """The run keys a block declares, checked for form."""
    meta = table.schema.metadata or {}
    if RUNS_KEY not in meta:
        raise ValueError("no run list in its metadata")
    keys = json.loads(meta[RUNS_KEY])
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError("its run list is not a list of run keys")
    if len(set(keys)) != len(keys):
        raise ValueError("its run list names a run twice")
    return keys


def content_hash(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a file (a block's name ends with it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:HASH_DIGITS]


def _check_block(path: Path, belongs: Callable[[str], bool], seen: set[str]) -> list[str]:
    """Check one block against the hash in its name, its footer and the plan; its run keys.

    Raises:
        ValueError, OSError, pyarrow.ArrowException: what is wrong with it.
    """
    named = BLOCK_NAME.fullmatch(path.name)
    if named is None:
        raise ValueError("its name carries no content hash (not written by a batch)")
    if content_hash(path) != named.group(1):
        raise ValueError("its content does not match the hash in its name (changed on disk)")
    meta_file = pq.read_metadata(path)
    seeds = pq.read_table(path, columns=["seed"])
    keys = _block_keys(seeds)
    meta = seeds.schema.metadata or {}
    if ROWS_KEY in meta and int(meta[ROWS_KEY]) != meta_file.num_rows:
        raise ValueError(f"{meta_file.num_rows} rows where its metadata says "
                         f"{int(meta[ROWS_KEY])}")
    stored = {int(s) for s in seeds.column("seed").to_pylist()}
    declared = {int(json.loads(k)[1]) for k in keys}
    if stored != declared:
        raise ValueError("its seed column does not match its run list")
    foreign = next((k for k in keys if not belongs(k)), None)
    if foreign is not None:
        raise ValueError(f"it holds a run that is not in this batch's plan ({foreign})")
    again = next((k for k in keys if k in seen), None)
    if again is not None:
        raise ValueError(f"it repeats a run already stored in another block ({again})")
    return keys


class BatchStore:
    """Reads and writes one batch directory."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self._seq = 0

    # -- the folder -------------------------------------------------------------------------
    def ensure_writable(self) -> None:
        """Create the output folder if needed and check that files can be written in it.

        Raises:
            BatchError: one line naming the folder and the reason.
        """
        if self.out.exists() and not self.out.is_dir():
            raise BatchError(f"output {self.out} is a file, not a folder: give a folder "
                             "for --out (out=)")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.out, prefix=".write-test-"):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise BatchError(f"cannot write the output folder {self.out} ({reason}): "
                             "choose a folder you can write to for --out (out=)") from None

    # -- runs -------------------------------------------------------------------------------
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

    def verify(self, belongs: Callable[[str], bool]) -> tuple[set[str], list[Damaged]]:
        """Check every block; move damaged ones aside; return the stored run keys.

        A block is damaged if its content does not match the hash in its name (truncated,
        zeroed, garbled anywhere), if its footer does not read, if its row count or seed
        column disagrees with its metadata, or if it holds a run outside the plan
        (``belongs``) or one already stored in another block.
        """
        done: set[str] = set()
        damaged: list[Damaged] = []
        for f in self.block_files():
            try:
                keys = _check_block(f, belongs, done)
            except (OSError, ValueError, KeyError, IndexError, TypeError,
                    pa.ArrowException) as exc:
                damaged.append(self._move_aside(f, f"{type(exc).__name__}: {exc}"))
                continue
            done.update(keys)
        return done, damaged

    def _move_aside(self, block: Path, reason: str) -> Damaged:
        target_dir = self.out / DAMAGED
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"{block.parent.name}-{block.name}"
        shutil.move(block, target)
        rel = block.relative_to(self.out)
        return Damaged(str(rel), str(target.relative_to(self.out)), reason.splitlines()[0][:300])

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
        table = pa.Table.from_pandas(frame.drop(columns=["scenario"], errors="ignore"),
                                     preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[RUNS_KEY] = json.dumps(list(keys)).encode()
        meta[ROWS_KEY] = str(table.num_rows).encode()
        table = table.replace_schema_metadata(meta)
        tmp = folder / f".tmp-{self._seq:06d}-{uuid.uuid4().hex[:8]}.parquet"
        pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
        path = folder / f"part-{self._seq:06d}-{content_hash(tmp)}.parquet"
        os.replace(tmp, path)
        return path

    # -- failures ---------------------------------------------------------------------------
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

    # -- manifest ---------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if there is none yet.

        Raises:
            BatchError: the manifest exists but is not readable JSON.
        """
        path = self.out / MANIFEST
        if not path.exists():
            return None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BatchError(f"{path} is damaged ({type(exc).__name__}): it says which batch "
                             f"{self.out} holds; move the folder aside and start again"
                             ) from None
        if not isinstance(manifest, dict):
            raise BatchError(f"{path} is damaged (not a JSON object): move the folder aside "
                             "and start again")
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest atomically."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / MANIFEST
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, path)
        return path

    # -- reading ----------------------------------------------------------------------------
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
    store = BatchStore(out)
    manifest = store.read_manifest() or {}
    df = store.read(columns=columns)
    return finalize_frame(df, manifest.get("scenarios"), manifest.get("override_columns", []))
