"""``python -m experiments oat``: one assumption at a time (points, table, files, errors)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments import oat
from experiments.__main__ import main
from experiments.crisis import crisis_by_run
from model import PARAMETER_INFO, AIEconomy, load_scenario

Q = 24  # quarters per run: long enough for defaults (the first comes in ~2029), still fast


def test_grid_values_round_whole_numbers_and_drop_repeats():
    # build_lag 1-10: 1, 3.25, 5.5, 7.75, 10 -> rounded half up
    assert oat.grid_values(PARAMETER_INFO["build_lag"], 5) == [1, 3, 6, 8, 10]
    assert all(type(v) is int for v in oat.grid_values(PARAMETER_INFO["build_lag"], 5))
    # consolidate_spvs 0-1: 0, 0.25, 0.5, 0.75, 1 -> 0, 0, 1, 1, 1 -> 0, 1
    assert oat.grid_values(PARAMETER_INFO["consolidate_spvs"], 5) == [0, 1]
    # floats keep every value, without linspace's binary noise (0.22499999999999998)
    assert oat.grid_values(PARAMETER_INFO["revenue_noise"], 5) == [0.0, 0.075, 0.15, 0.225, 0.3]
    with pytest.raises(ValueError, match="at least 2"):
        oat.grid_values(PARAMETER_INFO["revenue_noise"], 1)


def test_refused_values_are_left_out_with_the_models_reason():
    baseline = load_scenario("baseline")            # gpu_book_life 24, gpu_economic_life 16
    points, left = oat.plan_points(baseline, ["gpu_economic_life", "build_lag"], 3)
    # gpu_economic_life 4, 22, 40: 40 is above the book life; build_lag 1, 5.5 -> 6, 10
    assert [(p.parameter, p.value) for p in points] == [
        ("gpu_economic_life", 4), ("gpu_economic_life", 22),
        ("build_lag", 1), ("build_lag", 6), ("build_lag", 10)]
    assert [(x.parameter, x.value) for x in left] == [("gpu_economic_life", 40)]
    assert "must not exceed gpu_book_life (24)" in left[0].reason
    assert str(left[0]).startswith("gpu_economic_life=40 (gpu_economic_life (40) must not")
    # refused at the scenario's other values: with a 40-quarter book life all three pass
    longer = load_scenario("baseline", gpu_book_life=40)
    points, left = oat.plan_points(longer, ["gpu_economic_life"], 3)
    assert [p.value for p in points] == [4, 22, 40] and left == []


def test_parameter_selection():
    # by default neither the shocks (off unless timed) nor the labour placebos
    by_default = [n for n, i in PARAMETER_INFO.items() if i.group not in ("shocks", "labour")]
    assert oat.select_parameters() == by_default
    assert "substitution_share" in oat.select_parameters(["labour"])
    assert oat.select_parameters(["policy"]) == [
        n for n, i in PARAMETER_INFO.items() if i.group == "policy"]
    # --param alone: exactly those, any group, in declaration order
    assert oat.select_parameters(None, ["lab_burn", "rate_shock_bp", "revenue_2030"]) == [
        "revenue_2030", "lab_burn", "rate_shock_bp"]
    with pytest.raises(ValueError, match="lab_burn is in group financing"):
        oat.select_parameters(["policy"], ["lab_burn"])


def test_the_scenario_itself_runs_once():
    base = load_scenario("baseline").params.as_dict()
    points = [oat.Point("herding", base["herding"]), oat.Point("herding", 1.0),
              oat.Point("lolr_budget", base["lolr_budget"]), oat.Point("lolr_budget", 500.0)]
    assert oat.distinct_overrides(points, base) == [{}, {"herding": 1.0},
                                                    {"lolr_budget": 500.0}]


def test_effects_are_last_minus_first_largest_on_losses_first():
    table = pd.DataFrame({
        "parameter": ["a", "a", "a", "b", "b"], "value": [0, 1, 2, 10.0, 20.0],
        "runs": [2] * 5, "crisis_probability": [0.0, 0.5, 1.0, 0.5, 0.0],
        "mean_losses": [10.0, 40.0, 15.0, 30.0, 2.0], "losses_p10": [1.0] * 5,
        "losses_p90": [50.0] * 5, "first_default": ["-", "2029Q3", "2029Q1", "2030Q1", "-"],
        "share_with_default": [0.0, 0.5, 1.0, 0.5, 0.0]})
    eff = oat.effects(table)
    assert eff["parameter"].tolist() == ["b", "a"]          # |2 - 30| > |15 - 10|
    assert eff["effect_losses"].tolist() == [-28.0, 5.0]
    assert eff["effect_crisis"].tolist() == [-0.5, 1.0]
    lines = oat.format_table(table, eff).splitlines()
    assert lines[0].split()[:2] == ["parameter", "value"]
    assert lines[1].split()[0] == "b" and lines[1].split()[-2:] == ["-28.0", "-0.50"]
    assert lines[2].split()[0] == "20"                      # the name is on the first row only
    assert lines[3].split()[0] == "a" and lines[3].split()[-2:] == ["+5.0", "+1.00"]


def _by_hand(point: dict, seeds=(0, 1)) -> tuple[float, float]:
    """Crisis share and mean final losses of the baseline at ``point``, run directly."""
    frames = [AIEconomy("baseline", rng=s, agent_data=False, **point).run(Q).assign(seed=s)
              for s in seeds]
    crisis = crisis_by_run(pd.concat(frames, ignore_index=True), by=["seed"])["crisis"]
    losses = [f["cumulative_losses"].iloc[-1] for f in frames]
    return float(crisis.mean()), sum(losses) / len(losses)


def test_oat_cli_small_study(tmp_path, capsys):
    out = tmp_path / "oat"
    argv = ["oat", "--param", "gpu_book_life", "--param", "build_lag", "--count", "3",
            "--seeds", "0-1", "--quarters", str(Q), "--executor", "serial", "--no-progress",
            "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    # gpu_book_life 8, 24, 40: 8 is below the economic life (16), refused; 24 is the
    # baseline itself (no override). build_lag 1, 5.5 -> 6, 10.
    assert "5 points (5 distinct) x 2 seeds = 10 runs" in printed
    assert ("left out: gpu_book_life=8 (gpu_economic_life (16) must not exceed "
            "gpu_book_life (8)") in printed
    table = pd.read_csv(out / "oat.csv")
    assert sorted(zip(table["parameter"], table["value"], strict=True)) == [
        ("build_lag", 1), ("build_lag", 6), ("build_lag", 10),
        ("gpu_book_life", 24), ("gpu_book_life", 40)]
    assert (table["runs"] == 2).all()
    # the numbers are those of the runs themselves
    for row in table.itertuples():
        crisis, losses = _by_hand({row.parameter: int(row.value)})
        assert row.crisis_probability == pytest.approx(crisis), row
        assert row.mean_losses == pytest.approx(losses), row
    assert 0 < table["crisis_probability"].sum() < len(table)     # not a trivial case
    # one batch: the points are its grid, the scenario itself once
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "oat"
    assert manifest["override_points"] == [{}, {"gpu_book_life": 40}, {"build_lag": 1},
                                           {"build_lag": 6}, {"build_lag": 10}]
    assert manifest["runs"]["executed"] == 10
    # grouped by parameter, the larger effect on losses first
    eff = pd.read_csv(out / "oat_effects.csv")
    first = eff["parameter"].iloc[0]
    assert abs(eff["effect_losses"].iloc[0]) >= abs(eff["effect_losses"].iloc[1])
    rows = table[table["parameter"] == first]
    assert eff["effect_losses"].iloc[0] == pytest.approx(
        rows["mean_losses"].iloc[-1] - rows["mean_losses"].iloc[0])
    assert table["parameter"].iloc[0] == first
    header = printed.splitlines().index(next(x for x in printed.splitlines()
                                             if x.startswith("parameter")))
    assert printed.splitlines()[header + 1].startswith(first)
    assert len(pd.read_csv(out / "oat_runs.csv")) == 10           # 5 points x 2 seeds
    png = (out / "oat.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    # --resume completes the same batch: nothing runs again, same table
    assert main([*argv, "--resume"]) == 0
    capsys.readouterr()
    assert json.loads((out / "manifest.json").read_text())["runs"]["executed"] == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "oat.csv"), table)


@pytest.mark.parametrize(("flag", "value", "named"), [
    ("--param", "revenue_2031", "revenue_2030"),
    ("--group", "shock", "financing"),
    ("--count", "1", ">= 2"),
])
def test_bad_selection_exits_2_with_one_line(tmp_path, capsys, flag, value, named):
    out = tmp_path / "bad"
    assert main(["oat", flag, value, "--executor", "serial", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0] and named in err[0], err
    assert not out.exists()


def test_a_parameter_both_varied_and_set_exits_2(tmp_path, capsys):
    code = main(["oat", "--param", "lab_burn", "--set", "lab_burn=1", "--executor", "serial",
                 "--out", str(tmp_path / "clash")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--set lab_burn" in err[0]
