"""Tests of experiments/: executors agree, resume, failures, storage, CLI errors, crisis."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments import grid, load_results, parse_seeds, parse_values, run_batch
from experiments.crisis import CRISIS_DEFINITION, crisis_by_run, crisis_probability
from experiments.grids import parse_param
from experiments.runner import BatchError, run_model
from experiments.storage import BatchStore

Q = 6  # quarters per run in these tests: small and fast


def _numeric_param():
    """A parameter with a finite numeric range, and two values inside it."""
    from model import PARAMETER_INFO

    preferred = ["herding", "revenue_2030", "base_rate"]
    names = [n for n in preferred if n in PARAMETER_INFO] + sorted(PARAMETER_INFO)
    for name in names:
        info = PARAMETER_INFO[name]
        lo, hi = info.min, info.max
        if isinstance(lo, int | float) and isinstance(hi, int | float) and hi > lo:
            return name, lo, hi
    pytest.skip("no numeric parameter with a range in PARAMETER_INFO")


@pytest.fixture(scope="session")
def dask_scheduler():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=":0", memory_limit="1GiB",
                           silence_logs=logging.ERROR)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="module")
def numeric_param():
    name, lo, hi = _numeric_param()
    return name, [lo + (hi - lo) * 0.25, lo + (hi - lo) * 0.75], hi


def fail_on_seed_one(scenario, seed, quarters, overrides):
    """Run function for the failure test: seed 1 raises, the others run the model."""
    if seed == 1:
        raise RuntimeError("boom on seed 1")
    return run_model(scenario, seed, quarters, overrides)


def _cli(*args, env=None, timeout=120):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "experiments", *args],
                          capture_output=True, text=True, timeout=timeout, env=full_env)


# -- parsing -----------------------------------------------------------------------------------
def test_parse_seeds_and_values():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("0,3,5") == [0, 3, 5]
    assert parse_seeds("0-2,7") == [0, 1, 2, 7]
    assert parse_seeds(3) == [3]
    for bad in ["", "a", "5-2", "1,,2", "-3"]:
        with pytest.raises(ValueError, match="seeds"):
            parse_seeds(bad)
    assert parse_values("300:2500:3") == [300, 1400, 2500]
    assert parse_values("0:1:5") == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert parse_values("0.1,0.5") == [0.1, 0.5]
    assert parse_values("7") == [7]
    assert parse_param("herding=0:1:3") == ("herding", [0.0, 0.5, 1.0])
    for bad in ["1:2", "1:2:0", "a:b:c", "1,,2"]:
        with pytest.raises(ValueError, match="start:stop:count"):
            parse_values(bad)
    assert grid(a=[1, 2], b=[3]) == [{"a": 1, "b": 3}, {"a": 2, "b": 3}]


# -- executors ---------------------------------------------------------------------------------
def test_executors_give_identical_frames(dask_scheduler, numeric_param):
    from model import MODEL_COLUMNS

    name, values, _ = numeric_param
    kw = {"overrides": grid({name: values}), "quarters": Q, "progress": False}
    ref = run_batch(["baseline", "bust"], "0-2", executor="serial", **kw)
    proc = run_batch(["baseline", "bust"], "0-2", executor="process", workers=2, **kw)
    dsk = run_batch(["baseline", "bust"], "0-2", executor="dask", scheduler=dask_scheduler, **kw)
    assert list(ref.columns[:4]) == ["scenario", "seed", name, "quarter"]
    assert set(MODEL_COLUMNS) <= set(ref.columns)
    assert len(ref) == 2 * 2 * 3 * Q
    assert ref.groupby(["scenario", name, "seed"]).size().eq(Q).all()
    pd.testing.assert_frame_equal(ref, proc)
    pd.testing.assert_frame_equal(ref, dsk)
    # chunking and worker count do not matter either
    one = run_batch(["baseline", "bust"], "0-2", executor="process", workers=1, chunk_size=5,
                    **kw)
    pd.testing.assert_frame_equal(ref, one)


# -- storage, manifest, resume -----------------------------------------------------------------
def test_parquet_schema_and_manifest(tmp_path, numeric_param):
    from model import MODEL_COLUMNS

    name, values, _ = numeric_param
    out = tmp_path / "b"
    df = run_batch("bust", "0-3", overrides={name: values[0]}, quarters=Q, executor="serial",
                   out=out, progress=False, block_runs=2)
    files = BatchStore(out).block_files()
    assert len(files) == 2 and all(f.parent.name == "scenario=bust" for f in files)
    schema = pq.read_schema(files[0])
    assert str(schema.field("seed").type) == "int64"
    assert str(schema.field(name).type) == "double"
    assert str(schema.field("quarter").type) in ("string", "large_string")
    assert "scenario" not in schema.names  # it is the partition key
    for col in MODEL_COLUMNS:
        assert col in schema.names
    assert len(json.loads(schema.metadata[b"experiments.runs"])) == 2
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert m["scenarios"] == ["bust"] and m["seeds"] == "0-3" and m["quarters"] == Q
    assert m["override_points"] == [{name: values[0]}]
    assert name in m["scenario_parameters"]["bust"]
    assert m["runs"]["planned"] == 4 and m["runs"]["succeeded"] == 4
    assert m["runs"]["failed"] == 0 and m["failures"] == []
    for pkg in ("python", "mesa", "pandas", "pyarrow", "dask"):
        assert m["environment"][pkg]
    assert "commit" in m["environment"]["git"]
    assert m["timings"]["wall_s"] > 0 and m["timings"]["finished"]
    back = pd.read_parquet(out / "runs")
    assert len(back) == 4 * Q and set(back["scenario"].astype(str)) == {"bust"}
    pd.testing.assert_frame_equal(load_results(out), df)
    with pytest.raises(BatchError, match="resume"):
        run_batch("bust", "0-3", overrides={name: values[0]}, quarters=Q, executor="serial",
                  out=out, progress=False)


def _cast_column_by_column(df: pd.DataFrame, head: dict) -> pd.DataFrame:
    """The batch frame of one run as the first version built it (the reference)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(bool)
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64")
        else:
            out[col] = s.astype(str)
    cast = pd.DataFrame(out, index=df.index)
    return pd.concat([pd.DataFrame(head), cast.drop(columns=list(head), errors="ignore")], axis=1)


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.sampled_from(["float", "int", "bool", "str"]), min_size=1, max_size=8),
       rows=st.integers(0, 5), overrides=st.lists(st.sampled_from(["c0", "c2", "x"]),
                                                  unique=True, max_size=3))
def test_run_frame_cast_in_one_construction_matches_column_by_column(kinds, rows, overrides):
    """The fast cast (one 2-D array for numeric columns) gives the same frame, dtypes and
    column order as casting column by column, head columns replacing model ones."""
    from experiments.frames import cast_run_frame

    make = {"float": lambda: [i / 3 for i in range(rows)], "int": lambda: list(range(rows)),
            "bool": lambda: [i % 2 == 0 for i in range(rows)],
            "str": lambda: [f"q{i}" for i in range(rows)]}
    df = pd.DataFrame({f"c{i}": make[k]() for i, k in enumerate(kinds)})
    head = {"seed": pd.Series(7, index=df.index, dtype="int64")}
    head.update({name: pd.Series([0.25] * rows, index=df.index) for name in overrides})
    expected = _cast_column_by_column(df, dict(head))
    pd.testing.assert_frame_equal(cast_run_frame(df, head), expected, check_exact=True)


def test_resume_runs_only_missing(tmp_path):
    out = tmp_path / "r"
    stop = threading.Event()

    def on_progress(done, total):
        if done >= 3:
            stop.set()

    first = run_batch(["baseline", "bust"], "0-3", quarters=Q, executor="serial", out=out,
                      progress=False, block_runs=1, on_progress=on_progress, cancel=stop)
    assert first.attrs["status"] == "cancelled" and first.attrs["runs_executed"] == 3
    # a stale half-written block, as a killed batch may leave
    stale = out / "runs" / "scenario=bust" / ".tmp-part-999999-dead.parquet"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"garbage")
    full = run_batch(["baseline", "bust"], "0-3", quarters=Q, executor="process", workers=2,
                     out=out, progress=False, resume=True)
    assert full.attrs["runs_executed"] == 5 and full.attrs["runs_skipped"] == 3
    assert not stale.exists()
    again = run_batch(["baseline", "bust"], "0-3", quarters=Q, executor="serial", out=out,
                      progress=False, resume=True)
    assert again.attrs["runs_executed"] == 0
    ref = run_batch(["baseline", "bust"], "0-3", quarters=Q, executor="serial", progress=False)
    pd.testing.assert_frame_equal(full, ref)
    pd.testing.assert_frame_equal(again, ref)
    m = json.loads((out / "manifest.json").read_text())
    assert len(m["history"]) == 2 and m["runs"]["skipped_done"] == 8
    assert [h["status"] for h in m["history"]] == ["cancelled", "complete"]


def test_resume_after_killed_batch(tmp_path):
    out = tmp_path / "k"
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments", "run", "--scenario", "bust", "--seeds", "0-149",
         "--quarters", "3", "--executor", "serial", "--block-runs", "2", "--no-progress",
         "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = BatchStore(out)
    deadline = time.time() + 60
    try:
        while len(store.block_files()) < 3 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "batch finished before it could be killed"
    done_before = len(store.finished_keys())
    assert done_before >= 6
    df = run_batch("bust", "0-149", quarters=3, executor="process", workers=2, out=out,
                   progress=False, resume=True, collect=False)
    assert df.attrs["runs_executed"] == 150 - done_before
    assert df.attrs["runs_skipped"] == done_before
    res = load_results(out, columns=["seed", "quarter"])
    assert len(res) == 150 * 3
    assert not res.duplicated(["seed", "quarter"]).any()


# -- failures ----------------------------------------------------------------------------------
def test_failing_run_is_recorded_and_batch_completes(tmp_path):
    out = tmp_path / "f"
    df = run_batch("bust", "0-3", quarters=Q, executor="process", workers=2, out=out,
                   progress=False, run_fn=fail_on_seed_one)
    assert sorted(df["seed"].unique()) == [0, 2, 3]
    (fail,) = df.attrs["failures"]
    assert fail["seed"] == 1 and fail["scenario"] == "bust"
    assert "RuntimeError: boom on seed 1" in fail["error"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete_with_failures"
    assert m["runs"]["failed"] == 1 and m["runs"]["succeeded"] == 3
    assert m["failures"][0]["seed"] == 1
    logged = [json.loads(x) for x in (out / "failures.jsonl").read_text().splitlines()]
    assert logged[0]["seed"] == 1 and "Traceback" in logged[0]["traceback"]
    # a resume retries the failed run (here: it fails again)
    again = run_batch("bust", "0-3", quarters=Q, executor="serial", out=out, progress=False,
                      run_fn=fail_on_seed_one, resume=True)
    assert again.attrs["runs_executed"] == 1


def test_cli_failed_runs_exit_code(tmp_path, monkeypatch, capsys):
    import experiments.tasks
    from experiments.__main__ import main

    # the default run function, replaced in this process (the serial executor runs here)
    monkeypatch.setattr(experiments.tasks, "run_model", fail_on_seed_one)
    code = main(["run", "--scenario", "bust", "--seeds", "0-2", "--quarters", "3",
                 "--executor", "serial", "--no-progress", "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "1 runs failed" in err and "failures.jsonl" in err
    assert (tmp_path / "c" / "summary.csv").exists()


def test_no_test_hook_in_production_code():
    from pathlib import Path

    import experiments

    root = Path(experiments.__file__).parent
    for path in root.rglob("*.py"):
        assert "EXPERIMENTS_FAIL_SEEDS" not in path.read_text(), path


# -- errors before any run ---------------------------------------------------------------------
def test_parameter_error_before_any_run(tmp_path, numeric_param):
    from model import ParameterError

    name, _, hi = numeric_param
    bad = hi + abs(hi) + 1
    with pytest.raises(ParameterError):
        run_batch("baseline", "0-9999", overrides=grid({name: [hi, bad]}), quarters=Q,
                  out=tmp_path / "p", progress=False)
    assert not BatchStore(tmp_path / "p").block_files()
    with pytest.raises(TypeError, match="grid"):
        run_batch("baseline", "0", overrides={name: [1, 2]}, progress=False)
    r = _cli("run", "--seeds", "0-99999", "--set", f"{name}={bad}", "--no-progress",
             "--out", str(tmp_path / "q"))
    assert r.returncode == 2
    assert name in r.stderr and "allowed range" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "--seeds", "5-2", "--out", "x"], "argument --seeds"),
    (["run", "--quarters", "0", "--out", "x"], "argument --quarters"),
    (["sweep", "--param", "herding=0:1", "--out", "x"], "start:stop:count"),
    (["sweep", "--param", "no_such_parameter=1,2", "--out", "x"], "unknown parameter"),
    (["run", "--set", "herding", "--out", "x"], "argument --set"),
    (["run", "--executor", "threads", "--out", "x"], "argument --executor"),
    (["run", "--scheduler", "tcp://x:1", "--executor", "process", "--out", "x"], "--scheduler"),
    (["run", "--seeds", "0-3"], "--out"),
    (["crisis-map", "--x", "herding=0:1:3", "--out", "x"], "--y"),
])
def test_cli_argument_errors_are_clear(args, needle, capsys):
    from experiments.__main__ import main

    assert main(args) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_cli_argument_error_messages(capsys):
    from experiments.__main__ import main

    for args, needle in [
        (["run", "--seeds", "5-2", "--out", "x"], "'0-99' (range, inclusive)"),
        (["sweep", "--param", "herding=0:1", "--out", "x"], "argument --param"),
        (["run", "--scheduler", "tcp://x:1", "--executor", "process", "--out", "x"],
         "--scheduler needs --executor dask"),
    ]:
        assert main(args) == 2
        assert needle in capsys.readouterr().err


# -- commands and figures ----------------------------------------------------------------------
def test_cli_compare_and_crisis_map(tmp_path, numeric_param, capsys):
    from experiments.__main__ import main

    name, values, _ = numeric_param
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "bust", "--seeds", "0-2", "--quarters", "4",
                 "--executor", "serial", "--no-progress", "--out", str(out)]) == 0
    for f in ["compare.png", "fan_revenue_capex.png", "fan_bubble_index.png",
              "fan_ai_debt_total.png", "fan_defaults.png"]:
        assert (out / f).read_bytes()[:4] == b"\x89PNG"
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["scenario"]) == ["baseline", "bust"]
    assert set(summary["runs"]) == {3} and "crisis_probability" in summary
    quantiles = pd.read_csv(out / "quantiles.csv")
    assert {"p10", "p50", "p90"} <= set(quantiles.columns)
    xs = ",".join(str(v) for v in values)
    assert main(["crisis-map", "--x", f"{name}={xs}", "--y", f"{name}={xs}", "--out",
                 str(tmp_path / "map")]) == 2
    assert "two different parameters" in capsys.readouterr().err


def test_crisis_map_figure_and_table(tmp_path, numeric_param):
    from experiments.plots import crisis_heatmap

    name, values, _ = numeric_param
    df = run_batch("bust", "0-1", overrides=grid({name: values}), quarters=Q, executor="serial",
                   progress=False)
    df2 = df.assign(other=df["seed"] % 2)  # a second axis for the figure
    table = crisis_probability(df2, [name, "other"], runs=crisis_by_run(df2, by=[
        "scenario", "seed", name, "other"]))
    assert set(table["runs"]) == {1}
    fig = crisis_heatmap(table, name, "other", note=CRISIS_DEFINITION)
    fig.savefig(tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_crisis_definition_on_synthetic_runs():
    q = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    rows = []
    calm = {"defaults": [0] * 4, "bank": [0.12] * 4, "gated": [0] * 4, "bubble": [1] * 4}
    cases = {
        0: {**calm, "bubble": [1, 2, 3, 2.5]},  # calm
        1: {**calm, "defaults": [0, 0, 1, 0]},  # a default
        2: {**calm, "bank": [0.12, 0.1, 0.07, 0.09]},  # weakest bank below 8%
        3: {**calm, "bubble": [1, 4, 2, 1]},  # deflation only: not a crisis
        4: {**calm, "gated": [0, 1, 1, 0]},  # a fund gates redemptions
    }
    for seed, c in cases.items():
        for i in range(4):
            rows.append({"scenario": "s", "seed": seed, "quarter": q[i],
                         "defaults": c["defaults"][i], "bank_capital_ratio_min": c["bank"][i],
                         "bank_capital_ratio": 0.2, "gated_funds": c["gated"][i],
                         "bubble_index": c["bubble"][i]})
    runs = crisis_by_run(pd.DataFrame(rows)).set_index("seed")
    assert list(runs["crisis"]) == [False, True, True, False, True]
    assert runs.loc[1, "crisis_quarter"] == "2025Q3" and runs.loc[1, "credit_event"]
    assert runs.loc[2, "crisis_quarter"] == "2025Q3" and runs.loc[2, "bank_stress"]
    assert runs.loc[4, "crisis_quarter"] == "2025Q2" and runs.loc[4, "fund_gate"]
    assert runs.loc[3, "crash"] and runs.loc[3, "max_drawdown"] == pytest.approx(0.75)
    assert runs.loc[0, "crisis_quarter"] == ""
    prob = crisis_probability(pd.DataFrame(rows), ["scenario"])
    assert prob["crisis_probability"][0] == pytest.approx(0.6)
    assert "bubble_index deflation alone is not a crisis" in CRISIS_DEFINITION
