"""The calibration report: its table, and every target passing for the reported seeds."""

from __future__ import annotations

import math

import pytest

from model import calibration
from model.calibration import REFERENCES, TARGETS, calibration_table, main

COLUMNS = ["target", "range", "model", "min over seeds", "max over seeds", "scenario", "source",
           "pass", "value"]


@pytest.fixture(scope="module")
def table():
    return calibration_table(seeds=range(2))


def test_table_lists_every_target_then_the_references(table):
    assert list(table.columns) == COLUMNS
    assert list(table["target"]) == [t.name for t in (*TARGETS, *REFERENCES)]
    assert len(TARGETS) >= 15
    assert set(table["scenario"]) == {"baseline", "boom"}
    assert table["pass"].iloc[len(TARGETS):].isna().all()      # references are not judged
    for t in TARGETS:
        assert t.source and t.low <= t.high


def test_table_values_are_consistent(table):
    for t, row in zip(TARGETS, table.to_dict("records"), strict=False):
        assert math.isfinite(row["value"]), row
        assert row["pass"] == (t.low <= row["value"] <= t.high), row
        assert row["source"] == t.source


def test_each_measure_reads_the_right_quarters():
    run = calibration.simulate("baseline", 0, quarters=8)
    df = run.frame
    by_name = {t.name: t for t in TARGETS}
    # 2025 totals are the sum of the first four quarters; "end 2025" is 2025Q4's stock
    assert by_name["hyperscaler capex, 2025 total"].measure(run) == pytest.approx(
        df["hyperscaler_capex"][:4].sum())
    assert by_name["SPV debt outstanding, end 2025"].measure(run) == pytest.approx(
        df["spv_debt"][3])
    assert by_name["hyperscaler IG bonds issued in 2025"].measure(run) == pytest.approx(
        df["ig_bonds_issued"][:4].sum())
    assert by_name["Nvidia data-centre revenue, 2025"].measure(run) == pytest.approx(
        sum(run.agent_revenue["Nvidia"][:4]))
    assert len(run.agent_revenue["OpenAI"]) == 8
    # the financing mix: the shares and what is left for the firms' own cash add up to one
    shares = [t.measure(run) for t in TARGETS if t.name.startswith("financing 2025-28")]
    bonds = next(t for t in REFERENCES if "corporate bonds" in t.name).measure(run)
    assert sum(shares) + bonds == pytest.approx(1.0)


def test_all_targets_pass_for_the_reported_ten_seeds(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert f"{len(TARGETS)}/{len(TARGETS)} targets pass (USD bn; mean over 10 seeds)" in out
    assert "FAIL" not in out and "reference" in out


def test_main_rejects_zero_seeds(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--seeds", "0"])
    assert exc.value.code == 2
    assert "--seeds must be at least 1" in capsys.readouterr().err
