"""One error boundary: every user error exits 2 with one line; strict types; size guards.

Issue 12, items 5, 6, 8 and 9: on the old code a bad --out or an unreachable scheduler
ended in a traceback (exit 1), a closed pipe in a BrokenPipeError traceback, --quarters
401 passed the parser, quarters=1.5 ran one quarter, seeds=np.arange(2) and chunk_size=0
failed from inside, a plan of 10^9 seeds filled memory, and the LocalCluster dashboard
listened on every interface.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tracemalloc
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import psutil
import pytest

from experiments import grid, run_batch
from experiments.errors import BatchError
from experiments.grids import SeedSet, parse_axis, parse_value
from experiments.plan import MAX_POINTS, MAX_RUNS, check_size

Q = 2


@pytest.fixture(scope="module")
def params():
    """Two continuous parameters: (name, a value inside, a value above the range)."""
    from model import PARAMETER_INFO

    found = [(n, (i.min + i.max) / 2, i.max + abs(i.max) + 1)
             for n, i in PARAMETER_INFO.items() if not i.integer and i.max > i.min]
    if len(found) < 2:
        pytest.skip("needs two continuous parameters")
    return found[:2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cases(tmp_path, params):
    (name, _, bad), (other, _, _) = params
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    out = str(tmp_path / "out")
    run = ["run", "--quarters", str(Q), "--executor", "serial", "--no-progress"]
    latin = tmp_path / "latin.toml"
    latin.write_bytes(f"[parameters]\n{name} = {bad}\n# caf\xe9\n".encode("latin-1"))
    number = tmp_path / "number.toml"
    number.write_text("scenario = 5\n")
    boolean = tmp_path / "boolean.toml"
    boolean.write_text(f"[parameters]\n{name} = true\n")
    return {
        "scenario not UTF-8": ([*run, "--scenario", str(latin), "--out", out], "UTF-8"),
        "scenario = 5": ([*run, "--scenario", str(number), "--out", out], "must be a table"),
        "TOML boolean": ([*run, "--scenario", str(boolean), "--out", out], "must be a number"),
        "out in /proc": ([*run, "--out", "/proc/x"], "/proc/x"),
        "out is a file": ([*run, "--out", str(afile)], "is a file"),
        "out below a file": ([*run, "--out", str(afile / "sub")], "cannot write"),
        "scheduler closed": (["run", "--scheduler", f"tcp://127.0.0.1:{_closed_port()}",
                              "--out", out], "cannot reach the Dask scheduler"),
        "scheduler malformed": (["run", "--scheduler", "not an address", "--out", out],
                                "tcp://HOST:PORT"),
        "quarters 401": (["run", "--quarters", "401", "--out", out], "[1, 400]"),
        "quarters 0": (["run", "--quarters", "0", "--out", out], "[1, 400]"),
        "quarters 1.5": (["run", "--quarters", "1.5", "--out", out], "[1, 400]"),
        "set true": ([*run, "--set", f"{name}=true", "--out", out], "expected a number"),
        "set text": ([*run, "--set", f"{name}=abc", "--out", out], "expected a number"),
        "set nan": ([*run, "--set", f"{name}=nan", "--out", out], "finite"),
        "set out of range": ([*run, "--set", f"{name}={bad}", "--out", out], "allowed range"),
        "param true": (["sweep", "--param", f"{name}=true,false", "--out", out],
                       "expected a number"),
        "huge seeds": ([*run, "--seeds", "0-999999999", "--out", out], "--yes"),
        "huge grid": (["sweep", "--param", f"{name}=0:1:100000", "--param",
                       f"{other}=0:1:100000", "--out", out], "--yes"),
        "many grid points": (["sweep", "--param", f"{name}=0:1:20000", "--seeds", "0",
                              "--out", out], "grid points"),
        "unknown scenario": ([*run, "--scenario", "no_such_scenario", "--out", out],
                             "no_such_scenario"),
        "seeds backwards": ([*run, "--seeds", "5-2", "--out", out], "--seeds"),
        "unknown executor": (["run", "--executor", "threads", "--out", out], "--executor"),
    }


def test_every_user_error_is_one_line_exit_2(tmp_path, params, capsys):
    from experiments.__main__ import main

    for label, (argv, needle) in _cases(tmp_path, params).items():
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (label, err)
        assert len(err.strip().splitlines()) == 1, (label, err)
        assert needle in err and "Traceback" not in err, (label, err)
    assert not (tmp_path / "out" / "runs").exists()  # nothing ran


@pytest.mark.parametrize("label", ["out in /proc", "scheduler closed", "quarters 401",
                                   "huge seeds"])
def test_user_errors_in_a_real_process(tmp_path, params, label):
    argv, needle = _cases(tmp_path, params)[label]
    r = subprocess.run([sys.executable, "-m", "experiments", *argv], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr, r.stderr


def test_closed_pipe_exits_quietly(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments", "run", "--seeds", "0-1", "--quarters", str(Q),
         "--executor", "serial", "--no-progress", "--out", str(tmp_path / "o")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the batch prints anything
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == "" and proc.returncode == 141


# -- strict types in run_batch -------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"quarters": 1.5}, "quarters must be a whole number in [1, 400], got 1.5"),
    ({"quarters": True}, "quarters must be a whole number"),
    ({"quarters": "4"}, "quarters must be a whole number"),
    ({"quarters": 401}, "quarters must be a whole number in [1, 400], got 401"),
    ({"chunk_size": 0}, "chunk_size must be a whole number >= 1, got 0"),
    ({"chunk_size": 2.0}, "chunk_size must be a whole number"),
    ({"block_runs": 0}, "block_runs must be"),
    ({"window": 0}, "window must be"),
    ({"workers": 0}, "workers must be"),
    ({"max_runs": 0}, "max_runs must be"),
    ({"seeds": [True, False]}, "seeds are non-negative integers"),
    ({"seeds": [1.5]}, "seeds are non-negative integers"),
    ({"seeds": "a-b"}, "invalid seeds"),
    ({"scenarios": 5}, "scenarios must be"),
    ({"scenarios": [5]}, "a scenario is a name or a TOML path"),
    ({"scenarios": []}, "no scenarios"),
    ({"overrides": 5}, "overrides must be"),
    ({"executor": "threads"}, "unknown executor"),
    ({"executor": "process", "run_fn": lambda *a: None}, "module level"),
    ({"run_fn": 5}, "run_fn must be a function"),
])
def test_bad_arguments_are_refused_before_anything_runs(kwargs, needle):
    args = {"scenarios": "bust", "seeds": "0-1", "quarters": Q, "executor": "serial",
            "progress": False, **kwargs}
    with pytest.raises(BatchError) as exc:
        run_batch(args.pop("scenarios"), args.pop("seeds"), **args)
    assert needle in str(exc.value)


def test_numpy_integers_are_integers():
    ref = run_batch("bust", "0-1", quarters=Q, executor="serial", progress=False)
    df = run_batch("bust", np.arange(2), quarters=np.int64(Q), executor="serial",
                   progress=False, chunk_size=np.int32(1))
    pd.testing.assert_frame_equal(df, ref)


@pytest.mark.parametrize("value", [True, "0.5"])
def test_booleans_and_strings_are_not_parameter_values(value):
    from model import PARAMETER_INFO, ParameterError

    # a parameter whose range holds 0.5 and 1, so the value is refused for its type
    name = next((n for n, i in PARAMETER_INFO.items() if i.min <= 0.5 and i.max >= 1), None)
    if name is None:
        pytest.skip("no parameter whose range holds 0.5 and 1")
    with pytest.raises(ParameterError, match=name):
        run_batch("bust", "0", overrides={name: value}, quarters=Q, executor="serial",
                  progress=False)


def test_cli_values_are_numbers():
    assert parse_value("900") == 900 and parse_value("0.5") == 0.5
    for text in ["true", "False", "abc", "nan", "inf", ""]:
        with pytest.raises(ValueError):
            parse_value(text)


# -- size guards ---------------------------------------------------------------------------------
def test_a_huge_plan_is_refused_without_building_it():
    tracemalloc.start()
    try:
        for seeds in ["0-999999999", range(10**12)]:
            with pytest.raises(BatchError, match="--yes"):
                run_batch("bust", seeds, quarters=Q, executor="serial", progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20  # a list of 10^9 seeds would be ~36 GB
    seeds = SeedSet.parse("0-999999999,5,2000000000")
    assert len(seeds) == 10**9 + 1 and 2_000_000_000 in seeds and 10**9 not in seeds
    assert seeds.compact() == "0-999999999,2000000000" and seeds[-1] == 2_000_000_000
    assert parse_axis("herding=0:1:1000000000").size == 10**9


def test_size_limits_and_how_to_pass_them(params):
    name = params[0][0]
    check_size(MAX_RUNS, MAX_POINTS)  # at the limits: fine
    with pytest.raises(BatchError, match="grid points"):
        check_size(MAX_POINTS + 1, MAX_POINTS + 1)
    check_size(10 * MAX_RUNS, MAX_POINTS + 1, yes=True)
    check_size(10 * MAX_RUNS, 1, max_runs=10 * MAX_RUNS)
    with pytest.raises(BatchError, match="max_runs=3"):
        run_batch("bust", "0-3", quarters=Q, executor="serial", progress=False, max_runs=3)
    df = run_batch("bust", "0-3", quarters=Q, executor="serial", progress=False, max_runs=4)
    assert df["seed"].nunique() == 4
    points = grid({name: np.linspace(0.1, 0.2, MAX_POINTS + 1).tolist()})
    with pytest.raises(BatchError, match="grid points"):
        run_batch("bust", "0", overrides=points, quarters=Q, progress=False)


def test_grid_points_are_validated_without_building_models(params, monkeypatch):
    import experiments.validate
    from experiments.plan import make_plan
    from model import ParameterError

    built = []
    real = experiments.validate._check_options
    monkeypatch.setattr(experiments.validate, "_check_options",
                        lambda *a: built.append(a) or real(*a))
    name, ok, bad = params[0]
    points = [{name: ok}] * 500 + [{name: bad}]
    plan = make_plan("bust", "0", points, Q)
    with pytest.raises(ParameterError, match=f"grid point 500 .*{name}"):
        experiments.validate.validate_plan(plan)
    assert built == []  # model options only build a model; parameters never do


# -- Dask on loopback only -----------------------------------------------------------------------
def test_local_cluster_listens_on_loopback_only(tmp_path):
    from experiments.executors import DaskExecutor

    ex = DaskExecutor(workers=1)
    try:
        dashboard = ex.describe()["dashboard"]
        ports = {urlsplit(dashboard).port, urlsplit(ex._cluster.scheduler_address).port}
        listening = [c for c in psutil.Process().net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port in ports]
        assert {c.laddr.port for c in listening} == ports
        assert all(c.laddr.ip in ("127.0.0.1", "::1") for c in listening), listening
    finally:
        ex.close()
    df = run_batch("bust", "0-1", quarters=Q, executor="dask", workers=1, progress=False,
                   out=tmp_path / "o")
    import json

    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["executor"]["dashboard"].startswith("http://127.0.0.1:")
    assert df["seed"].nunique() == 2
