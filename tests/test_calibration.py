"""The calibration report (MODEL.md section 8): its table, and all seven targets passing."""

from __future__ import annotations

import math

import pytest

from model import calibration
from model.calibration import TARGETS, calibration_table, main

COLUMNS = ["target", "range", "model", "min over seeds", "max over seeds", "scenario", "source",
           "pass"]


@pytest.fixture(scope="module")
def table():
    return calibration_table(seeds=range(2))


def test_table_has_seven_documented_rows(table):
    assert list(table.columns) == COLUMNS
    assert len(table) == 7
    assert list(table["target"]) == [t.name for t in TARGETS]
    assert set(table["scenario"]) == {"baseline", "boom"}
    assert list(table["scenario"]).count("boom") == 1


def test_table_values_are_consistent(table):
    for t, row in zip(TARGETS, table.to_dict("records"), strict=True):
        assert math.isfinite(row["model"]) and row["model"] > 0, row
        assert row["min over seeds"] - 0.1 <= row["model"] <= row["max over seeds"] + 0.1, row
        assert row["pass"] == (t.low <= row["model"] <= t.high), row
        assert row["source"] == t.source
        expected = (f">= {t.low:,.0f}" if t.high == math.inf
                    else f"{t.low:,.0f}-{t.high:,.0f}")
        assert row["range"] == expected


def test_each_measure_reads_the_right_quarters():
    run = calibration.simulate("baseline", 0, quarters=8)
    df = run.frame
    # 2025 totals are the sum of the first four quarters; "end 2025" is 2025Q4's stock
    assert TARGETS[0].measure(run) == pytest.approx(df["hyperscaler_capex"][:4].sum())
    assert TARGETS[1].measure(run) == pytest.approx(df["spv_debt"][3])
    assert TARGETS[2].measure(run) == pytest.approx(df["ig_bonds_issued"][:4].sum())
    assert TARGETS[5].measure(run) == pytest.approx(sum(run.agent_revenue["Nvidia"][:4]))
    assert len(run.agent_revenue["OpenAI"]) == 8


def test_all_targets_pass_for_the_reported_ten_seeds(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "7/7 targets pass (USD bn; mean over 10 seeds)" in out
    assert "FAIL" not in out


def test_main_rejects_zero_seeds(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--seeds", "0"])
    assert exc.value.code == 2
    assert "--seeds must be at least 1" in capsys.readouterr().err
