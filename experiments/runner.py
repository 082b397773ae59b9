"""Batches of model runs: :func:`run_batch`.

A *run* is one ``AIEconomy(scenario, rng=seed, **overrides).run(quarters)``. A batch is
every combination of scenarios x override points x seeds. The same seed is used at every
grid point and in every scenario (common random numbers), so differences between points
are not sampling noise of different draws.

How a batch runs:

1. Every distinct (scenario, overrides) is validated up front by constructing one
   ``AIEconomy`` (a bad value raises :class:`model.ParameterError` before any run starts).
2. Runs already stored in ``out`` are skipped when ``resume=True``.
3. One run is timed in this process (its result is kept) and the rest are cut into chunks
   of about one second of work (and at least four chunks per worker, for the tail).
4. Chunks go to the executor with a bounded window in flight; as they finish, results are
   buffered per scenario and written as Parquet blocks of ``block_runs`` runs.
5. A run that raises is recorded (error, traceback, parameters) in ``failures.jsonl`` and
   the manifest, and the batch goes on.

The returned frame does not depend on the executor, the number of workers, the chunking
or on whether the batch was resumed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import subprocess
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.executors import EXECUTORS, make_executor
from experiments.grids import parse_seeds
from experiments.storage import BatchStore

__all__ = [
    "BatchError",
    "RunSpec",
    "finalize_frame",
    "normalize_overrides",
    "run_batch",
    "run_chunk",
    "run_model",
]

TARGET_TASK_SECONDS = 1.0
DEFAULT_BLOCK_RUNS = 256
FAIL_SEEDS_ENV = "EXPERIMENTS_FAIL_SEEDS"
MANIFEST_FAILURES_SHOWN = 200


class BatchError(ValueError):
    """A batch cannot start (bad arguments, existing output without resume, ...)."""


@dataclass(frozen=True)
class RunSpec:
    """One run: scenario, seed and the index of its override point."""

    scenario: str
    seed: int
    point: int
    key: str


def run_key(scenario: str, seed: int, overrides: Mapping[str, Any]) -> str:
    """Canonical identity of a run (used for resume)."""
    return json.dumps([scenario, int(seed), dict(sorted(overrides.items()))], default=str)


def run_model(scenario: str, seed: int, quarters: int, overrides: Mapping[str, Any]):
    """The default run function: one model run, returning its results frame.

    Test hook: if the environment variable ``EXPERIMENTS_FAIL_SEEDS`` holds a seed list
    (e.g. ``"3"`` or ``"3,5"``), runs with those seeds raise ``RuntimeError`` instead.
    """
    fail = os.environ.get(FAIL_SEEDS_ENV)
    if fail and int(seed) in parse_seeds(fail):
        raise RuntimeError(f"injected failure for seed {seed} ({FAIL_SEEDS_ENV})")
    from model import AIEconomy

    # batches keep only the model-level frame: skip the agent-level statistics
    return AIEconomy(scenario, rng=int(seed), agent_data=False, **overrides).run(quarters)


def _cast_run_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Fix dtypes so that every block has the same Parquet schema."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(bool)
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64")
        else:
            out[col] = s.astype(str)
    return pd.DataFrame(out, index=df.index)


def run_chunk(
    tasks: Sequence[tuple[str, int, str, dict[str, Any], dict[str, Any]]],
    quarters: int,
    run_fn: Callable[..., pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """Run a chunk of runs of one scenario (the unit of work sent to an executor).

    Args:
        tasks: ``(scenario, seed, key, overrides, column values)`` per run, where column
            values are the effective values of every override column at this point.
        quarters: quarters per run.
        run_fn: ``run_fn(scenario, seed, quarters, overrides) -> DataFrame``; default
            :func:`run_model`. Must be importable (picklable by reference) for process/dask.

    Returns:
        ``{"frame": DataFrame | None, "keys": [...], "failures": [...], "seconds": float}``;
        the frame has columns seed, override columns, then the model's columns.
    """
    fn = run_fn or run_model
    frames, keys, failures = [], [], []
    t0, c0 = time.perf_counter(), time.process_time()
    for scenario, seed, key, overrides, colvals in tasks:
        t1 = time.perf_counter()
        try:
            df = fn(scenario, seed, quarters, dict(overrides))
            if not isinstance(df, pd.DataFrame):
                raise TypeError(f"run function returned {type(df).__name__}, not a DataFrame")
            df = _cast_run_frame(df.reset_index(drop=True))
            head = {"seed": pd.Series(int(seed), index=df.index, dtype="int64")}
            for name, value in colvals.items():
                head[name] = pd.Series([value] * len(df), index=df.index)
            df = pd.concat([pd.DataFrame(head), df.drop(columns=list(head), errors="ignore")],
                           axis=1)
            frames.append(df)
            keys.append(key)
        except Exception as exc:
            failures.append({
                "key": key,
                "scenario": scenario,
                "seed": int(seed),
                "overrides": dict(overrides),
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc()[-4000:],
                "seconds": round(time.perf_counter() - t1, 4),
            })
    frame = pd.concat(frames, ignore_index=True) if frames else None
    return {"frame": frame, "keys": keys, "failures": failures,
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
            "pid": os.getpid()}


def normalize_overrides(overrides: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
                        ) -> list[dict[str, Any]]:
    """Turn ``overrides`` into a list of grid points (dicts).

    * ``None`` or ``{}``: one point, the scenario's own parameters;
    * a dict of scalars: one point with these fixed values;
    * a list of dicts: one point per dict (use :func:`experiments.grid` for products).

    A dict whose values are lists is refused (ambiguous): write ``grid(name=[...])``.
    """
    if overrides is None:
        return [{}]
    if isinstance(overrides, Mapping):
        for name, value in overrides.items():
            if isinstance(value, list | tuple | set | range):
                raise TypeError(
                    f"overrides[{name!r}] is a list: pass fixed values as a dict of scalars, "
                    f"or grid points as a list of dicts, e.g. experiments.grid({name}=[...])"
                )
        return [dict(overrides)]
    points = [dict(p) for p in overrides]
    if not points:
        raise BatchError("overrides is an empty list: give at least one grid point ({} is one)")
    for p in points:
        for name in p:
            if not isinstance(name, str) or not name.isidentifier():
                raise BatchError(f"invalid parameter name {name!r} in overrides")
    return points


def _validate(scenarios: Sequence[str], points: Sequence[dict], columns: Sequence[str],
              params_out: dict[str, Any] | None = None,
              ) -> dict[tuple[str, int], dict[str, Any]]:
    """Construct one AIEconomy per (scenario, point); return effective column values.

    ``params_out`` receives each scenario's full parameter set (before overrides).
    """
    from model import AIEconomy, ParameterError

    values: dict[tuple[str, int], dict[str, Any]] = {}
    if params_out is not None:
        for scenario in scenarios:
            try:
                params = AIEconomy(scenario, rng=0).params
                params_out[scenario] = (dataclasses.asdict(params)
                                        if dataclasses.is_dataclass(params) else None)
            except Exception:  # the loop below reports the error
                continue
    for scenario in scenarios:
        for i, point in enumerate(points):
            try:
                m = AIEconomy(scenario, rng=0, **point)
            except ParameterError:
                raise
            except TypeError as exc:
                raise ParameterError(f"scenario {scenario!r}, overrides {point}: {exc}") from exc
            except Exception as exc:
                raise BatchError(f"scenario {scenario!r}, overrides {point}: "
                                 f"{type(exc).__name__}: {exc}") from exc
            params = getattr(m, "params", None)
            values[scenario, i] = {c: point[c] if c in point else getattr(params, c, None)
                                   for c in columns}
    return values


def _column_values(points: Sequence[dict], columns: Sequence[str], scenarios: Sequence[str],
                   effective: Mapping[tuple[str, int], dict[str, Any]] | None,
                   ) -> dict[tuple[str, int], dict[str, Any]]:
    """Effective override-column values per (scenario, point), with one dtype per column."""
    out = {}
    for s in scenarios:
        for i, p in enumerate(points):
            if effective is not None:
                out[s, i] = dict(effective[s, i])
            else:
                out[s, i] = {c: p.get(c) for c in columns}
    for c in columns:
        vals = [v[c] for v in out.values()]
        if all(isinstance(x, bool) for x in vals):
            continue
        if all(isinstance(x, int | float) and not isinstance(x, bool) for x in vals):
            for v in out.values():
                v[c] = float(v[c])
        else:
            for v in out.values():
                v[c] = None if v[c] is None else str(v[c])
    return out


def finalize_frame(df: pd.DataFrame, scenarios: Sequence[str] | None,
                   override_columns: Sequence[str]) -> pd.DataFrame:
    """Column order and row order of a batch frame (the same for every executor).

    Columns: scenario, seed, override columns, quarter, then the model's columns.
    Rows: scenario in the order given, override values, seed, quarter.
    """
    if df.empty:
        return df.reset_index(drop=True)
    overrides = [c for c in override_columns if c in df.columns]
    first = ["scenario", "seed", *overrides, "quarter"]
    cols = [c for c in first if c in df.columns] + [c for c in df.columns if c not in first]
    df = df[cols].copy()
    df["scenario"] = df["scenario"].astype(str)
    df["seed"] = df["seed"].astype("int64")
    if "quarter" in df:
        df["quarter"] = df["quarter"].astype(str)
    order = list(dict.fromkeys([*(scenarios or []), *sorted(df["scenario"].unique())]))
    rank = df["scenario"].map({s: i for i, s in enumerate(order)})
    by = [c for c in [*overrides, "seed", "quarter"] if c in df.columns]
    df = df.assign(_rank=rank).sort_values(["_rank", *by], kind="mergesort")
    return df.drop(columns="_rank").reset_index(drop=True)


def _compact_seeds(seeds: Sequence[int]) -> str:
    parts, i, s = [], 0, list(seeds)
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[j] + 1:
            j += 1
        parts.append(str(s[i]) if j == i else f"{s[i]}-{s[j]}")
        i = j + 1
    return ",".join(parts)


def _versions() -> dict[str, str | None]:
    out = {"python": platform.python_version()}
    for pkg in ("ai-debt-bubble", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed",
                "scipy", "networkx", "tqdm", "matplotlib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def _git_info() -> dict[str, Any]:
    places = []
    try:
        import model

        places.append(Path(model.__file__).resolve().parent)
    except Exception:
        pass
    places.append(Path(__file__).resolve().parent)
    for where in places:
        try:
            commit = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"],
                                    capture_output=True, text=True, timeout=10, check=True
                                    ).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain",
                                    "--untracked-files=no"], capture_output=True, text=True,
                                   timeout=10).stdout.strip()
            return {"commit": commit, "dirty": bool(dirty), "repo": str(where.parent)}
        except Exception:
            continue
    return {"commit": None, "dirty": None, "repo": None}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _progress_bar(total: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="run", desc=desc, disable=not enabled, dynamic_ncols=True,
                smoothing=0.05, file=sys.stderr)


def run_batch(
    scenarios: str | Sequence[str],
    seeds: str | int | Iterable[int],
    *,
    overrides: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    quarters: int = 40,
    executor: str = "process",
    workers: int | None = None,
    out: str | os.PathLike | None = None,
    progress: bool = True,
    resume: bool = False,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    block_runs: int = DEFAULT_BLOCK_RUNS,
    window: int | None = None,
    run_fn: Callable[..., pd.DataFrame] | None = None,
    validate: bool = True,
    collect: bool = True,
    meta: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run every scenario x override point x seed and return (and/or store) the results.

    Args:
        scenarios: a scenario name (``"bust"``), a TOML path, or a list of them.
        seeds: ``"0-99"``, ``"0,3,5"``, an int or an iterable of ints; each is ``rng=seed``.
        overrides: ``None``; a dict of fixed parameter values (``{"herding": 0.8}``); or a
            list of dicts, one per grid point (``experiments.grid(herding=[0, .5, 1])``).
        quarters: quarters per run.
        executor: ``"serial"``, ``"process"`` or ``"dask"``.
        workers: processes (default: the CPUs available); ignored for ``serial``.
        out: directory for Parquet blocks + manifest; ``None`` keeps everything in memory.
        progress: show a tqdm progress bar (runs done, runs/s, ETA) on stderr.
        resume: skip runs already stored in ``out`` (otherwise existing results are an error).
        scheduler: address of an existing Dask scheduler (``executor="dask"`` only).
        chunk_size: runs per task; default: ~1 s of work, >= 4 tasks per worker.
        block_runs: runs per Parquet file (memory held per scenario before writing).
        window: tasks in flight at once; default 4 per worker.
        run_fn: replaces :func:`run_model` (testing, custom runs); must be importable.
        validate: construct one AIEconomy per (scenario, point) before starting.
        collect: return the results frame; ``False`` returns an empty frame (use with
            ``out`` for very large batches and read the Parquet later).
        meta: extra entries for the manifest (the CLI stores its command line there).

    Returns:
        DataFrame with columns ``scenario``, ``seed``, one column per overridden parameter
        (its effective value), ``quarter`` and every model column, one row per run and
        quarter. ``df.attrs`` holds ``failures`` (list of dicts), ``runs_executed``,
        ``runs_skipped`` and ``manifest`` (path or None).

    Raises:
        model.ParameterError: a parameter name or value is invalid (before any run).
        BatchError: other invalid arguments, or ``out`` has results and ``resume`` is False.
    """
    started = time.perf_counter()
    started_at = _now()
    scenario_list = [scenarios] if isinstance(scenarios, str | os.PathLike) else list(scenarios)
    scenario_list = [str(s) for s in scenario_list]
    if not scenario_list:
        raise BatchError("no scenarios given")
    scenario_list = list(dict.fromkeys(scenario_list))
    seed_list = parse_seeds(seeds)
    points = normalize_overrides(overrides)
    columns = list(dict.fromkeys(name for p in points for name in p))
    if int(quarters) < 1:
        raise BatchError(f"quarters must be >= 1, got {quarters}")
    quarters = int(quarters)
    if executor not in EXECUTORS:
        raise BatchError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise BatchError("a scheduler address needs executor='dask'")
    if block_runs < 1:
        raise BatchError(f"block_runs must be >= 1, got {block_runs}")

    # 1. validation, one model per distinct (scenario, overrides)
    t_val = time.perf_counter()
    scenario_params: dict[str, Any] = {}
    effective = _validate(scenario_list, points, columns, scenario_params) if validate else None
    validate_s = time.perf_counter() - t_val
    colvals = _column_values(points, columns, scenario_list, effective)

    # 2. the plan and what is already done
    specs = [RunSpec(s, seed, i, run_key(s, seed, p))
             for s in scenario_list for i, p in enumerate(points) for seed in seed_list]
    store = BatchStore(out) if out is not None else None
    done: set[str] = set()
    history: list[dict] = []
    if store is not None:
        old = store.read_manifest()
        existing = store.block_files()
        if existing and not resume:
            raise BatchError(f"{store.out} already holds results ({len(existing)} blocks): "
                             "use resume=True (--resume) to complete them, or a new directory")
        if old and resume:
            if old.get("quarters") not in (None, quarters):
                raise BatchError(f"{store.out} holds {old.get('quarters')}-quarter runs; "
                                 f"cannot resume with quarters={quarters}")
            history = [*old.get("history", []), {k: old.get(k) for k in
                                                  ("status", "runs", "timings")}]
        store.clean_temporary()
        done = store.finished_keys() if resume else set()
        store.reset_failures()
    todo = [s for s in specs if s.key not in done]
    skipped = len(specs) - len(todo)

    manifest: dict[str, Any] = {
        "format": "ai-debt-bubble/experiments-batch/1",
        "status": "running",
        **dict(meta or {}),
        "scenarios": scenario_list,
        "seeds": _compact_seeds(seed_list),
        "n_seeds": len(seed_list),
        "override_points": points,
        "override_columns": columns,
        "quarters": quarters,
        "scenario_parameters": scenario_params,
        "run_fn": None if run_fn is None else f"{run_fn.__module__}.{run_fn.__qualname__}",
        "runs": {"planned": len(specs), "skipped_done": skipped, "to_run": len(todo),
                 "executed": 0, "succeeded": 0, "failed": 0},
        "environment": {**_versions(), "platform": platform.platform(),
                        "git": _git_info()},
        "timings": {"started": started_at, "validate_s": round(validate_s, 3)},
        "history": history,
    }
    if store is not None:
        store.write_manifest(manifest)

    # 3. execution
    buffers: dict[str, list[dict]] = defaultdict(list)
    collected: list[pd.DataFrame] = []
    failures: list[dict] = []
    n_ok = n_fail = n_blocks = 0
    run_seconds = cpu_seconds = 0.0
    exec_info: dict[str, Any] = {"kind": executor}

    def flush(scenario: str, force: bool = False) -> None:
        nonlocal n_blocks
        buf = buffers[scenario]
        n = sum(len(r["keys"]) for r in buf)
        if not buf or (n < block_runs and not force):
            return
        frames = [r["frame"] for r in buf if r["frame"] is not None]
        keys = [k for r in buf for k in r["keys"]]
        buffers[scenario] = []
        if frames and store is not None:
            store.write_block(scenario, pd.concat(frames, ignore_index=True), keys)
            n_blocks += 1

    def handle(scenario: str, result: dict) -> None:
        nonlocal n_ok, n_fail, run_seconds, cpu_seconds
        n_ok += len(result["keys"])
        n_fail += len(result["failures"])
        run_seconds += result.get("seconds", 0.0)
        cpu_seconds += result.get("cpu_seconds", 0.0)
        if result["failures"]:
            failures.extend(result["failures"])
            if store is not None:
                store.append_failures(result["failures"])
        if result["frame"] is not None:
            if store is None:
                if collect:
                    result["frame"].insert(0, "scenario", scenario)
                    collected.append(result["frame"])
            else:
                buffers[scenario].append(result)
                flush(scenario)

    def task_args(specs_: Sequence[RunSpec]) -> tuple:
        return ([(s.scenario, s.seed, s.key, points[s.point], colvals[s.scenario, s.point])
                 for s in specs_], quarters, run_fn)

    bar = _progress_bar(len(todo), progress and bool(todo), desc=" ".join(scenario_list)[:30])
    status = "complete"
    pilot_s = None
    chunk = chunk_size
    try:
        rest = todo
        if todo and executor != "serial" and chunk_size is None:
            # time one run here; its result is kept
            t = time.perf_counter()
            handle(todo[0].scenario, run_chunk(*task_args(todo[:1])))
            pilot_s = time.perf_counter() - t
            bar.update(1)
            rest = todo[1:]
        if rest:
            with make_executor(executor, workers, scheduler=scheduler) as ex:
                exec_info = ex.describe()
                n_workers = max(1, ex.workers)
                if chunk is None:
                    if executor == "serial":
                        chunk = max(1, min(len(rest), block_runs))
                    else:
                        by_time = max(1, round(TARGET_TASK_SECONDS / max(pilot_s or 1e-3, 1e-3)))
                        by_tail = max(1, math.ceil(len(rest) / (4 * n_workers)))
                        chunk = max(1, min(by_time, by_tail, block_runs))
                win = window or 4 * n_workers
                groups: list[list[RunSpec]] = []
                by_scenario: dict[str, list[RunSpec]] = defaultdict(list)
                for s in rest:
                    by_scenario[s.scenario].append(s)
                for lst in by_scenario.values():
                    groups.extend(lst[i:i + chunk] for i in range(0, len(lst), chunk))
                exec_info.update(chunk_size=chunk, window=win, tasks=len(groups))
                if store is not None:
                    manifest["executor"] = exec_info
                    store.write_manifest(manifest)
                for i, result, exc in ex.imap_unordered(
                        run_chunk, (task_args(g) for g in groups), win):
                    group = groups[i]
                    if exc is not None:
                        result = {"frame": None, "keys": [], "seconds": 0.0, "failures": [{
                            "key": s.key, "scenario": s.scenario, "seed": s.seed,
                            "overrides": points[s.point],
                            "error": f"task failed: {type(exc).__name__}: {exc}",
                            "traceback": "".join(traceback.format_exception(exc))[-4000:],
                        } for s in group]}
                    handle(group[0].scenario, result)
                    bar.update(len(group))
                    if n_fail:
                        bar.set_postfix(failed=n_fail, refresh=False)
    except BaseException:
        status = "interrupted"
        raise
    finally:
        bar.close()
        for scenario in list(buffers):
            flush(scenario, force=True)
        wall = time.perf_counter() - started
        executed = n_ok + n_fail
        if status == "complete" and n_fail:
            status = "complete_with_failures"
        manifest.update({
            "status": status,
            "executor": exec_info,
            "block_runs": block_runs,
            "blocks_written": n_blocks,
            "runs": {**manifest["runs"], "executed": executed, "succeeded": n_ok,
                     "failed": n_fail},
            "failures": [{k: v for k, v in f.items() if k != "traceback"}
                         for f in failures[:MANIFEST_FAILURES_SHOWN]],
            "failures_file": "failures.jsonl" if store is not None else None,
        })
        manifest["timings"].update({
            "finished": _now(),
            "wall_s": round(wall, 3),
            "pilot_run_s": None if pilot_s is None else round(pilot_s, 4),
            "runs_per_s": round(executed / wall, 2) if wall > 0 else None,
            "mean_run_s": round(run_seconds / executed, 4) if executed else None,
            "mean_run_cpu_s": round(cpu_seconds / executed, 4) if executed else None,
        })
        if store is not None:
            store.write_manifest(manifest)

    # 4. the results frame
    if not collect:
        df = pd.DataFrame()
    elif store is not None:
        df = store.read()
        if not df.empty:
            plan = pd.DataFrame([{"scenario": s.scenario, "seed": s.seed,
                                  **colvals[s.scenario, s.point]} for s in specs])
            plan = plan.drop_duplicates()
            df = df.merge(plan, on=list(plan.columns), how="inner")
        df = finalize_frame(df, scenario_list, columns)
    else:
        df = pd.concat(collected, ignore_index=True) if collected else pd.DataFrame()
        df = finalize_frame(df, scenario_list, columns)
    df.attrs.update({
        "failures": [{k: v for k, v in f.items() if k != "traceback"} for f in failures],
        "runs_executed": n_ok + n_fail,
        "runs_skipped": skipped,
        "manifest": None if store is None else str(store.out / "manifest.json"),
    })
    return df
