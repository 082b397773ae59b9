"""``python -m experiments response``: the sweep of the main revenue assumption (issue 10)."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.__main__ import main
from experiments.response import default_values, main_revenue_parameter, response_table
from model import PARAMETER_INFO, AIEconomy, ParamInfo

Q = 6  # quarters per run: small and fast


def test_main_revenue_parameter_is_first_revenue_parameter_in_usd_bn():
    def info(name, group, unit):
        return ParamInfo(name, 1.0, 0.0, 2.0, unit, group, name, "")

    fake = {p.name: p for p in [info("noise", "revenue", "share"),
                                info("other_money", "financing", "USD bn"),
                                info("revenue_2030", "revenue", "USD bn/yr"),
                                info("revenue_2035", "revenue", "USD bn/yr")]}
    assert main_revenue_parameter(fake) == "revenue_2030"
    name = main_revenue_parameter()
    first = next(n for n, p in PARAMETER_INFO.items()
                 if p.group == "revenue" and p.unit.startswith("USD bn"))
    assert name == first
    with pytest.raises(LookupError):
        main_revenue_parameter({"noise": fake["noise"]})


def test_default_values_span_the_declared_range():
    name = main_revenue_parameter()
    info = PARAMETER_INFO[name]
    values = default_values(name)
    assert len(values) >= 9
    assert values == sorted(values)
    assert values[0] == pytest.approx(info.min, rel=0.01)
    assert values[-1] == pytest.approx(info.max, rel=0.01)
    assert all(info.min <= v <= info.max for v in values)


def test_response_table_statistics_by_hand():
    runs = pd.DataFrame({
        "x": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
        "crisis": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "losses": [30.0, 60.0, 0.0, 1.0, 2.0, 3.0],
        "first_default": [9.0, 5.0, float("nan"), float("nan"), float("nan"), float("nan")],
        "first_default_quarter": ["2027Q2", "2026Q2", "", "", "", ""],
        "revenue_2025": [70.0, 72.0, 74.0, 70.0, 70.0, 70.0],
        "peak_bubble": [3.0, 4.0, 5.0, 1.0, 1.0, 1.0],
        "trough_bubble": [0.5, 0.5, 0.5, 1.0, 1.0, 1.0],
    })
    t = response_table(runs, "x").set_index("x")
    assert t.loc[1.0, "crisis_probability"] == pytest.approx(2 / 3)
    assert t.loc[1.0, "crisis_ci_low"] < 2 / 3 < t.loc[1.0, "crisis_ci_high"]
    assert t.loc[1.0, "mean_losses"] == pytest.approx(30.0)
    assert t.loc[1.0, "revenue_2025"] == pytest.approx(72.0)
    # median (lower) of quarters 5 and 9 over the two runs that default: quarter 5
    assert t.loc[1.0, "first_default"] == "2026Q2"
    assert t.loc[2.0, "first_default"] == "-"
    assert t.loc[2.0, "crisis_probability"] == 0.0
    assert t.loc[1.0, "peak_bubble"] == pytest.approx(4.0)
    assert "equity_drawdown" not in t


def test_response_cli_tiny_grid(tmp_path, capsys):
    name = main_revenue_parameter()
    info = PARAMETER_INFO[name]
    values = [info.min, (info.min + info.max) / 2, info.max]
    out = tmp_path / "resp"
    code = main(["response", "--values", ",".join(f"{v:g}" for v in values), "--seeds", "0-1",
                 "--quarters", str(Q), "--executor", "serial", "--no-progress",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "P(crisis)" in printed and "2025 revenue" in printed
    table = pd.read_csv(out / "response.csv")
    assert len(table) == 3 and (table["runs"] == 2).all()
    assert table[name].tolist() == pytest.approx(values)
    for col in ("revenue_2025", "crisis_probability", "mean_losses", "first_default",
                "peak_bubble", "trough_bubble"):
        assert col in table
    assert table["crisis_probability"].between(0, 1).all()
    assert (table["trough_bubble"] <= table["peak_bubble"]).all()
    # 2025 revenue is the mean over seeds of ai_revenue summed over the first four quarters
    frames = [AIEconomy("baseline", rng=s, agent_data=False, **{name: values[0]}).run(Q)
              for s in (0, 1)]
    expected = sum(f["ai_revenue"].iloc[:4].sum() for f in frames) / 2
    assert table.loc[0, "revenue_2025"] == pytest.approx(expected)
    assert len(pd.read_csv(out / "response_runs.csv")) == 6
    assert (out / "response.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_response_cli_bad_values_exit_2(tmp_path, capsys):
    name = main_revenue_parameter()
    too_big = PARAMETER_INFO[name].max * 10
    code = main(["response", "--values", f"{too_big:g}", "--seeds", "0", "--quarters", "2",
                 "--executor", "serial", "--out", str(tmp_path / "bad")])
    assert code == 2
    err = capsys.readouterr().err
    assert name in err and "range" in err
