"""The manifest of a batch: its plan and fingerprint, environment, counts and timings.

The *plan record* is everything that decides the results: scenarios and a hash of each
one's content, the grid points, the seeds, the quarters, the run function and the code
(a hash of the model's source files plus the numpy and mesa versions). Its SHA-256 is the
batch *fingerprint*. ``resume`` compares the stored record with the new one and names
the first thing that differs, so runs of two different experiments never end up in one
folder.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import platform
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from experiments.plan import BatchPlan

__all__ = ["FORMAT", "code_version", "fingerprint", "plan_difference", "plan_record"]

FORMAT = "ai-debt-bubble/experiments-batch/2"
# source that decides what a run returns: the model, its agents, and the worker-side code
CODE_PACKAGES = ("core", "model", "agents")
CODE_MODULES = ("experiments.tasks", "experiments.frames")
SHOWN = 80  # characters of a value quoted in a one-line message


def now() -> str:
    """The time now, ISO 8601 UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    """Versions of Python and of the packages a batch depends on."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ("ai-debt-bubble", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed",
                "scipy", "networkx", "tqdm", "matplotlib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def git_info() -> dict[str, Any]:
    """Commit and dirty flag of the checkout the model is imported from (if any)."""
    here = Path(__file__).resolve().parent
    spec = importlib.util.find_spec("model")
    places = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for where in [*places, here]:
        try:
            commit = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"],
                                    capture_output=True, text=True, timeout=10, check=True
                                    ).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain",
                                    "--untracked-files=no"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
            return {"commit": commit, "dirty": bool(dirty), "repo": str(where.parent)}
        except (OSError, subprocess.SubprocessError):
            continue
    return {"commit": None, "dirty": None, "repo": None}


def _source_files() -> list[Path]:
    files: list[Path] = []
    for name in CODE_PACKAGES:
        spec = importlib.util.find_spec(name)
        for root in (spec.submodule_search_locations or []) if spec else []:
            files.extend(p for p in Path(root).rglob("*") if p.suffix in (".py", ".toml"))
    for name in CODE_MODULES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            files.append(Path(spec.origin))
    return sorted(files)


@functools.cache
def code_version() -> dict[str, Any]:
    """A hash of the source that decides a run's results, and the versions of its libraries."""
    digest = hashlib.sha256()
    for path in _source_files():
        if "__pycache__" in path.parts:
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    v = versions()
    return {"source_hash": digest.hexdigest()[:16], "package": v.get("ai-debt-bubble"),
            "mesa": v.get("mesa"), "numpy": v.get("numpy")}


def function_name(fn: Callable[..., Any] | None) -> str | None:
    """``module.qualname`` of a run function (partials: of the function they wrap)."""
    if fn is None:
        return None
    inner = getattr(fn, "func", fn)
    name = f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', repr(inner))}"
    if inner is not fn:
        args = [repr(a) for a in getattr(fn, "args", ())]
        args += [f"{k}={v!r}" for k, v in (getattr(fn, "keywords", None) or {}).items()]
        name += f"({', '.join(args)})"
    return name


def plan_record(plan: BatchPlan, scenario_hashes: Mapping[str, str | None],
                run_fn: Callable[..., Any] | None) -> dict[str, Any]:
    """Everything that decides a batch's results, as plain JSON values."""
    return json.loads(json.dumps({
        "scenarios": list(plan.scenarios),
        "scenario_hashes": dict(scenario_hashes),
        "override_points": list(plan.points),
        "seeds": plan.seeds.compact(),
        "quarters": plan.quarters,
        "run_fn": function_name(run_fn),
        "code": code_version(),
    }, default=str))


def fingerprint(record: Mapping[str, Any]) -> str:
    """SHA-256 of a plan record (canonical JSON)."""
    text = json.dumps(record, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def _points_difference(old: list, new: list) -> str:
    if len(old) != len(new):
        return f"grid points: {len(old)} stored, {len(new)} now"
    i = next(i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
    what = "overrides" if len(new) == 1 else f"grid point {i}"
    return f"{what}: {_short(old[i])} stored, {_short(new[i])} now"


def _scenario_difference(old: Mapping[str, Any], new: Mapping[str, Any],
                         old_params: Mapping[str, Any], new_params: Mapping[str, Any]) -> str:
    name = next(s for s in new["scenarios"]
                if old["scenario_hashes"].get(s) != new["scenario_hashes"].get(s))
    before, after = old_params.get(name) or {}, new_params.get(name) or {}
    changed = next((k for k in after if before.get(k) != after.get(k)), None)
    detail = (f" ({changed}: {before.get(changed)} stored, {after.get(changed)} now)"
              if changed else "")
    return f"scenario {name!r} changed since the batch started{detail}"


def plan_difference(stored: Mapping[str, Any], new: Mapping[str, Any],
                    stored_params: Mapping[str, Any] | None = None,
                    new_params: Mapping[str, Any] | None = None) -> str | None:
    """One line naming the first thing that differs between two plan records, or None."""
    if fingerprint(stored) == fingerprint(new):
        return None
    for field in ("scenarios", "seeds", "quarters"):
        if stored.get(field) != new.get(field):
            return f"{field}: {_short(stored.get(field))} stored, {_short(new.get(field))} now"
    if stored.get("override_points") != new.get("override_points"):
        return _points_difference(stored.get("override_points") or [],
                                  new.get("override_points") or [])
    if stored.get("scenario_hashes") != new.get("scenario_hashes"):
        return _scenario_difference(stored, new, stored_params or {}, new_params or {})
    if stored.get("run_fn") != new.get("run_fn"):
        return (f"run function: {stored.get('run_fn') or 'the model'} stored, "
                f"{new.get('run_fn') or 'the model'} now")
    old_code, new_code = stored.get("code") or {}, new.get("code") or {}
    key = next((k for k in new_code if old_code.get(k) != new_code.get(k)), "code")
    return (f"the code changed since the batch started ({key}: {old_code.get(key)} stored, "
            f"{new_code.get(key)} now)")
