"""Preparing the output folder: refuse to mix batches, verify what is stored, resume.

``run_batch(out=..., resume=True)`` (``--resume``) adds only the missing runs of the *same*
plan: the stored plan record must match the new one (see :mod:`experiments.manifest`),
otherwise the call is refused with one line naming what differs. Every stored block is
then read and checked; a damaged one is moved to ``OUT/damaged/`` with a one-line warning
and its runs are redone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from experiments.errors import BatchError
from experiments.manifest import plan_difference
from experiments.plan import BatchPlan
from experiments.storage import BatchStore, Damaged

__all__ = ["Prepared", "prepare_output"]

log = logging.getLogger("experiments")


@dataclass
class Prepared:
    """The output folder, ready: the runs already stored and what was repaired."""

    store: BatchStore | None
    done: set[str] = field(default_factory=set)
    history: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)


def _check_same_plan(store: BatchStore, old: Mapping[str, Any] | None, has_blocks: bool,
                     record: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """Refuse to resume into a folder that holds (or was started for) another plan."""
    where = f"cannot resume {store.out}"
    if old is None:
        if has_blocks:
            raise BatchError(f"{where}: it holds result blocks but no manifest.json, so "
                             "their plan is unknown; use a new --out (out=)")
        return
    if "plan" not in old:
        raise BatchError(f"{where}: it was written by an older version of experiments "
                         "(no plan fingerprint); use a new --out (out=)")
    diff = plan_difference(old["plan"], record, old.get("scenario_parameters"), params)
    if diff:
        raise BatchError(f"{where}: it holds a different batch ({diff}); rerun with that "
                         "batch's arguments, or use a new --out (out=)")


def prepare_output(out: Any, resume: bool, plan: BatchPlan, record: Mapping[str, Any],
                   params: Mapping[str, Any]) -> Prepared:
    """Check the folder, the stored plan and every stored block; return what is done.

    Raises:
        BatchError: unusable folder; results present without ``resume``; another plan.
    """
    if out is None:
        return Prepared(None)
    store = BatchStore(out)
    store.ensure_writable()
    old = store.read_manifest()
    blocks = store.block_files()
    if blocks and not resume:
        raise BatchError(f"{store.out} already holds results ({len(blocks)} blocks): use "
                         "--resume (resume=True) to complete them, or a new --out (out=)")
    prepared = Prepared(store)
    if resume:
        _check_same_plan(store, old, bool(blocks), record, params)
        if old:
            prepared.history = [*old.get("history", []),
                                {k: old.get(k) for k in ("status", "runs", "timings")}]
    store.clean_temporary()
    if resume and blocks:
        prepared.done, prepared.damaged = store.verify(plan.holds_key)
        for d in prepared.damaged:
            log.warning("%s: moved damaged block %s to %s (%s); its runs will be redone",
                        store.out, d.block, d.moved_to, d.reason)
    store.reset_failures()
    return prepared
