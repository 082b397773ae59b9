"""Resume adds only the missing runs of the same plan, and repairs damaged blocks.

Issue 12, items 3 and 4: on the old code a resume with other overrides, another scenario
file or other seeds mixed two experiments in one folder, and a truncated, zeroed or
garbled block made the resume crash with a pyarrow traceback.
"""

from __future__ import annotations

import json
import logging
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments import load_results, run_batch
from experiments.errors import BatchError
from experiments.storage import RUNS_KEY, BatchStore, content_hash
from experiments.tasks import run_model

Q = 2


def other_run(scenario, seed, quarters, overrides):
    """Another run function (a different plan from the model's own)."""
    return run_model(scenario, seed, quarters, overrides)


@pytest.fixture(scope="module")
def param():
    """A continuous parameter and two values inside its range."""
    from model import PARAMETER_INFO

    for name, info in PARAMETER_INFO.items():
        if not info.integer and info.max > info.min:
            span = info.max - info.min
            return name, info.min + 0.25 * span, info.min + 0.75 * span
    pytest.skip("no continuous parameter")


def _batch(out, **kw):
    args = {"scenarios": "bust", "seeds": "0-1", "quarters": Q, "executor": "serial",
            "out": out, "progress": False, **kw}
    return run_batch(args.pop("scenarios"), args.pop("seeds"), **args)


def test_resume_refuses_a_different_plan(tmp_path, param):
    name, a, b = param
    out = tmp_path / "o"
    first = _batch(out, overrides={name: a})
    cases = [
        ({"overrides": {name: b}}, f"overrides: {{\"{name}\": {a}}} stored"),
        ({"overrides": None}, "overrides"),
        ({"overrides": {name: a}, "seeds": "0-3"}, "seeds: 0-1 stored, 0-3 now"),
        ({"overrides": {name: a}, "quarters": Q + 1}, "quarters"),
        ({"overrides": {name: a}, "scenarios": ["bust", "baseline"]}, "scenarios"),
        ({"overrides": {name: a}, "run_fn": other_run}, "run function"),
    ]
    for kw, needle in cases:
        with pytest.raises(BatchError, match="different batch") as exc:
            _batch(out, resume=True, **kw)
        assert needle in str(exc.value) and "\n" not in str(exc.value)
    # the stored batch is untouched, and the same plan resumes (nothing left to run)
    pd.testing.assert_frame_equal(load_results(out), first)
    same = _batch(out, overrides={name: a}, resume=True)
    assert same.attrs["runs_executed"] == 0
    pd.testing.assert_frame_equal(same, first)


def test_resume_refuses_a_changed_scenario_file(tmp_path, param):
    name, a, b = param
    toml = tmp_path / "mine.toml"
    toml.write_text(f'[scenario]\nname = "mine"\n\n[parameters]\n{name} = {a}\n')
    out = tmp_path / "o"
    _batch(out, scenarios=str(toml))
    toml.write_text(f'[scenario]\nname = "mine"\n\n[parameters]\n{name} = {b}\n')
    with pytest.raises(BatchError, match=f"changed since the batch started \\({name}: {a} "
                                         f"stored, {b} now\\)"):
        _batch(out, scenarios=str(toml), resume=True)


def test_cli_resume_with_other_overrides_is_refused(tmp_path, param, capsys):
    from experiments.__main__ import main

    name, a, b = param
    common = ["run", "--scenario", "bust", "--seeds", "0-1", "--quarters", str(Q),
              "--executor", "serial", "--no-progress", "--out", str(tmp_path / "o")]
    assert main([*common, "--set", f"{name}={a}"]) == 0
    capsys.readouterr()
    assert main([*common, "--set", f"{name}={b}", "--resume"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "different batch" in err and name in err
    df = load_results(tmp_path / "o")
    assert len(df) == 2 * Q and set(df[name]) == {a}  # nothing mixed in


def _zero_middle(path, n=256):
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    assert any(data[mid:mid + n]), "the range to zero is already zero"
    data[mid:mid + n] = bytes(n)
    path.write_bytes(bytes(data))


def _runs_in(block):
    return len(json.loads(pq.read_schema(block).metadata[RUNS_KEY]))


def test_damaged_blocks_are_moved_aside_and_redone(tmp_path, caplog):
    out = tmp_path / "o"
    ref = _batch(out, seeds="0-11", block_runs=2, chunk_size=2)
    blocks = BatchStore(out).block_files()
    assert len(blocks) == 6 and all(_runs_in(b) == 2 for b in blocks)
    # truncated; zeroed in the middle; garbled footer; rewritten with other metadata
    blocks[0].write_bytes(blocks[0].read_bytes()[: blocks[0].stat().st_size // 2])
    _zero_middle(blocks[1])
    blocks[2].write_bytes(blocks[2].read_bytes()[:-12] + b"not parquet!")
    table = pq.read_table(blocks[3])
    keys = json.loads(table.schema.metadata[RUNS_KEY])
    pq.write_table(table.replace_schema_metadata(
        {**table.schema.metadata, RUNS_KEY: json.dumps(keys[:1]).encode()}), blocks[3])
    # a block whose name matches its content but whose run list lies about its seeds,
    # and an exact copy of a good block (its runs would be counted twice)
    liar = blocks[4].with_name("part-000000-tmp.parquet")
    pq.write_table(table.replace_schema_metadata(
        {**table.schema.metadata, RUNS_KEY: json.dumps(["[\"bust\", 99, {}]"]).encode()}),
        liar)
    liar.rename(liar.with_name(f"part-000000-{content_hash(liar)}.parquet"))
    shutil.copy(blocks[5], blocks[5].with_name(f"part-999999-{content_hash(blocks[5])}.parquet"))
    with caplog.at_level(logging.WARNING, logger="experiments"):
        fixed = _batch(out, seeds="0-11", block_runs=2, executor="process", resume=True)
    assert fixed.attrs["runs_executed"] == 8 and fixed.attrs["runs_skipped"] == 4
    assert len(fixed.attrs["repairs"]) == 6
    pd.testing.assert_frame_equal(fixed, ref)
    pd.testing.assert_frame_equal(load_results(out), ref)
    moved = [r.getMessage() for r in caplog.records if "moved damaged block" in r.getMessage()]
    assert len(moved) == 6 and all("\n" not in m for m in moved)
    assert len(list((out / "damaged").iterdir())) == 6
    reasons = " ".join(r["reason"] for r in fixed.attrs["repairs"])
    for needle in ("does not match the hash", "repeats a run", "seed column"):
        assert needle in reasons
    again = _batch(out, seeds="0-11", block_runs=2, resume=True)
    assert again.attrs["runs_executed"] == 0 and again.attrs["repairs"] == []


def test_resume_refuses_folders_it_cannot_trust(tmp_path):
    out = tmp_path / "o"
    _batch(out)
    manifest = out / "manifest.json"
    good = manifest.read_text()
    manifest.write_text(good[:100])
    with pytest.raises(BatchError, match=r"manifest\.json is damaged"):
        _batch(out, resume=True)
    old = json.loads(good)
    del old["plan"]
    manifest.write_text(json.dumps(old))
    with pytest.raises(BatchError, match="older version"):
        _batch(out, resume=True)
    manifest.unlink()
    with pytest.raises(BatchError, match=r"no manifest\.json"):
        _batch(out, resume=True)
    with pytest.raises(BatchError, match="already holds results"):
        _batch(out)
