"""``experiments.sensitivity``: SALib through our wrapper, the seed share, convergence, CLI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments import run_batch
from experiments.__main__ import main
from experiments.response import main_revenue_parameter
from experiments.sampling import Factor, make_factors
from experiments.sensitivity import (
    SEEDS_ROW,
    _cut_messages,
    _screen_rankings,
    _screened,
    analyse,
    convergence,
    make_design,
    point_matrix,
)
from model import PARAMETER_INFO, load_scenario

# Ishigami function (Ishigami & Homma 1990), the standard test of Sobol' estimators:
# f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3, with analytic indices.
A, B = 7.0, 0.1
V1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = 8 * B**2 * math.pi**8 / 225
V = V1 + V2 + V13
S1_TRUE = {"x1": V1 / V, "x2": V2 / V, "x3": 0.0}
ST_TRUE = {"x1": (V1 + V13) / V, "x2": V2 / V, "x3": V13 / V}
ISHIGAMI = [Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
NOISE = np.random.default_rng(7).normal(0.0, 1.0, size=4)   # one additive shock per seed


def ishigami(x1, x2, x3):
    return np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)


def ishigami_run(scenario, seed, quarters, overrides):
    """run_fn for run_batch: the Ishigami function plus the seed's shock, as a one-row frame."""
    return pd.DataFrame({"y": [ishigami(**overrides) + NOISE[seed]]})


def test_ishigami_sobol_indices_match_analytic_values_within_their_ci():
    design = make_design("sobol", ISHIGAMI, 4096, seed=1)
    x = np.array([[p[f.name] for f in ISHIGAMI] for p in design.points])
    y = ishigami(*x.T)
    matrix = y[:, None] + NOISE[None, :]          # common random numbers: same shock per seed
    t = analyse(design, {"y": matrix}, resamples=500, conf_level=0.99, seed=3)
    t = t.set_index("parameter")
    for name in ("x1", "x2", "x3"):
        assert abs(t.loc[name, "S1"] - S1_TRUE[name]) <= t.loc[name, "S1_conf"], name
        assert abs(t.loc[name, "ST"] - ST_TRUE[name]) <= t.loc[name, "ST_conf"], name
        assert t.loc[name, "S1_conf"] < 0.05
    # ranking by total effect: x1, x2, x3
    assert t.drop(SEEDS_ROW).sort_values("rank").index.tolist() == ["x1", "x2", "x3"]
    # the seed share: Var(shock) over (Var f + Var shock), known exactly here
    expected = NOISE.var(ddof=1) / (V + NOISE.var())
    assert t.loc[SEEDS_ROW, "ST"] == pytest.approx(expected, abs=max(
        t.loc[SEEDS_ROW, "ST_conf"], 0.01))


def test_a_zero_one_outcome_needs_the_n_the_binomial_rule_says():
    # docs/experiments.md plans N for the crisis flag: each of the N pairs behind a total
    # index either flips the outcome or not, with probability q = 2 ST p (1 - p) (p: the
    # share of runs in crisis), so the 95% half-width is 1.96 ST sqrt((1 - q) / (N q)).
    # A crisis here when x1 + x2 / 2 > 1.1 (x3 inert): p = 0.16 by hand.
    factors = [Factor(f"x{i}", 0.0, 1.0) for i in (1, 2, 3)]
    n = 2048
    design = make_design("sobol", factors, n, seed=2)
    x = np.array([[p[f.name] for f in factors] for p in design.points])
    crisis = (x[:, 0] + x[:, 1] / 2 > 1.1).astype(float)
    assert crisis.mean() == pytest.approx(0.16, abs=0.01)
    t = analyse(design, {"crisis": crisis[:, None]}, resamples=1000, seed=0)
    t = t.set_index("parameter")
    share = 0.16 * 0.84
    for name in ("x1", "x2"):
        st, half = t.loc[name, "ST"], t.loc[name, "ST_conf"]
        q = 2 * st * share
        assert half == pytest.approx(1.96 * st * math.sqrt((1 - q) / (n * q)), rel=0.2), name
    assert t.loc["x3", "ST"] == 0.0 and t.loc["x3", "ST_conf"] == 0.0


def test_design_runs_through_run_batch_and_maps_back_to_points():
    design = make_design("sobol", ISHIGAMI, 16, seed=0)
    seeds = [0, 1, 2]
    df = run_batch("ishigami", seeds, overrides=design.points, quarters=1, run_fn=ishigami_run,
                   executor="serial", validate=False, progress=False)
    assert len(df) == len(design.points) * len(seeds)
    matrix = point_matrix(design, df.sample(frac=1, random_state=0), ["y"], seeds)["y"]
    x = np.array([[p[f.name] for f in ISHIGAMI] for p in design.points])
    np.testing.assert_allclose(matrix, ishigami(*x.T)[:, None] + NOISE[None, :3])
    with pytest.raises(ValueError, match="missing"):
        point_matrix(design, df.iloc[1:], ["y"], seeds)


def test_morris_ranks_ishigami_factors():
    design = make_design("morris", ISHIGAMI, 200, levels=4, seed=0)
    x = np.array([[p[f.name] for f in ISHIGAMI] for p in design.points])
    matrix = ishigami(*x.T)[:, None]
    t = analyse(design, {"y": matrix}, resamples=200, seed=0).set_index("parameter")
    # By hand: with 4 levels (-pi, -pi/3, pi/3, pi) a step spans 2/3 of the range and always
    # moves sin^2 x2 between 0 and 3/4, so every effect of x2 is +-7 x 0.75 / (2/3) = 7.875.
    assert t.loc["x2", "mu_star"] == pytest.approx(A * 0.75 / (2 / 3))
    assert t.loc["x2", "sigma"] > 0                        # ... with both signs
    # x3 acts only with x1 (b x3^4 sin x1): smaller, and its signed mean is near zero
    assert t.loc["x3", "mu_star"] < min(t.loc["x1", "mu_star"], t.loc["x2", "mu_star"])
    assert abs(t.loc["x3", "mu"]) < t.loc["x3", "sigma"]
    assert t.loc["x3", "rank"] == 3
    assert math.isnan(t.loc[SEEDS_ROW, "mu_star"])         # one seed: no seed share


def test_whole_number_parameters_and_the_lives_rule():
    factors = make_factors(["gpu_economic_life", "gpu_book_life"])
    assert all(f.integer for f in factors)
    base = {n: getattr(load_scenario("baseline").params, n) for n in PARAMETER_INFO}
    design = make_design("sobol", factors, 64, seed=0, base=base)
    econ = [p["gpu_economic_life"] for p in design.points]
    book = [p["gpu_book_life"] for p in design.points]
    assert all(isinstance(v, int) for v in econ + book)
    assert all(e <= b for e, b in zip(econ, book, strict=True))    # the model's rule holds
    info = PARAMETER_INFO["gpu_book_life"]
    assert set(book) == set(range(int(info.min), int(info.max) + 1))  # every whole value
    for p in design.points:
        load_scenario("baseline", **p)                               # every point is valid
    # economic life only: capped at the scenario's book life
    only = make_design("sobol", make_factors(["gpu_economic_life"]), 32, base=base)
    assert max(p["gpu_economic_life"] for p in only.points) <= base["gpu_book_life"]


def test_make_factors_ranges_groups_and_errors():
    f = make_factors(["herding=0.2:0.6"])
    assert f == [Factor("herding", 0.2, 0.6, False)]
    revenue = make_factors(groups=["revenue"])
    assert [x.name for x in revenue] == [n for n, i in PARAMETER_INFO.items()
                                         if i.group == "revenue"]
    assert len(make_factors()) == len(PARAMETER_INFO)
    with pytest.raises(ValueError, match="unknown parameter"):
        make_factors(["nonsense"])
    with pytest.raises(ValueError, match="allowed range"):
        make_factors(["herding=0:5"])
    with pytest.raises(ValueError, match="unknown group"):
        make_factors(groups=["nonsense"])


def test_convergence_rule_by_hand():
    t = pd.DataFrame({
        "output": ["a"] * 4 + ["b"] * 2,
        "parameter": ["p", "q", "r", SEEDS_ROW, "p", "q"],
        "rank": [1, 2, 3, np.nan, 1, 2],
        "ST": [0.5, 0.3, 0.005, 0.2, 0.4, 0.2],
        "ST_conf": [0.04, 0.02, 0.004, 0.5, 0.08, 0.01],
    })
    c = convergence(t, 256).set_index("output")
    # a: 8% and 6.7% of the index, and r's whole interval lies below 0.01: converged
    assert bool(c.loc["a", "converged"]) is True
    # b: p's half-width is 20% of its index; 10% needs (0.08 / 0.04)^2 = 4x the sample
    assert bool(c.loc["b", "converged"]) is False
    assert c.loc["b", "worst_parameter"] == "p"
    assert c.loc["b", "suggested_n"] == 1024
    assert "--n 1024" in c.loc["b", "message"]
    assert np.isnan(c.loc["b", "suggested_runs"])


def test_convergence_advice_says_what_the_suggested_n_costs():
    t = pd.DataFrame({"output": ["b", "b"], "parameter": ["p", "q"], "rank": [1, 2],
                      "ST": [0.4, 0.2], "ST_conf": [0.08, 0.01]})
    # 5 parameters: N (D + 2) = 7 runs per unit of N, one seed; 1024 x 7 = 7,168 runs, and
    # at 24 runs/s that is 298.7 s, about 5 minutes
    c = convergence(t, 256, runs_per_n=7.0, runs_per_second=24.0).set_index("output")
    assert c.loc["b", "suggested_runs"] == 7168
    assert "(7,168 runs, ~5 min at this batch's 24 runs/s)" in c.loc["b", "message"]
    # without a throughput (a resumed batch that ran little), the runs alone
    c = convergence(t, 256, runs_per_n=7.0).set_index("output")
    assert "(7,168 runs)" in c.loc["b", "message"]
    # the N (2^15) a top-five index of 0.085 +- 0.018 needs at N = 4096: hours, not minutes
    t = pd.DataFrame({"output": ["c"], "parameter": ["p"], "rank": [1], "ST": [0.0849],
                      "ST_conf": [0.018]})
    c = convergence(t, 4096, runs_per_n=7.0, runs_per_second=24.0).set_index("output")
    assert c.loc["c", "suggested_n"] == 32768
    assert "(229,376 runs, ~2.7 h at this batch's 24 runs/s)" in c.loc["c", "message"]


@pytest.mark.parametrize("method,size", [("sobol", ["--n", "4"]),
                                         ("morris", ["--trajectories", "3"])])
def test_sensitivity_cli_on_the_model(tmp_path, capsys, method, size):
    out = tmp_path / method
    code = main(["sensitivity", "--method", method, "--param", "herding", "--param",
                 "base_rate=0.01:0.08", *size, "--seeds", "0-1", "--quarters", "4",
                 "--executor", "serial", "--no-progress", "--resamples", "50",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "peak_bubble" in printed
    assert "note: one seed per point" not in printed               # two seeds: averaged
    assert "too small" in printed or "converged at" in printed
    indices = pd.read_csv(out / "sensitivity_indices.csv")
    assert set(indices["parameter"]) == {"herding", "base_rate", SEEDS_ROW}
    assert {"crisis", "losses", "first_default", "peak_bubble"} <= set(indices["output"])
    assert any(o.startswith("losses_") for o in indices["output"])
    conv = pd.read_csv(out / "sensitivity_convergence.csv")
    assert set(conv["output"]) == set(indices["output"])
    runs = pd.read_csv(out / "sensitivity_runs.csv")
    assert runs["base_rate"].between(0.01, 0.08).all()
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,needle", [
    (["--param", "nonsense"], "unknown parameter"),
    (["--param", "herding=0:5"], "allowed range"),
    (["--param", "herding", "--set", "herding=0.5"], "also varied"),
    (["--param", "herding", "--output", "nonsense"], "unknown outcome"),
])
def test_sensitivity_cli_errors_exit_2(tmp_path, capsys, args, needle):
    code = main(["sensitivity", *args, "--n", "2", "--seeds", "0", "--quarters", "1",
                 "--executor", "serial", "--out", str(tmp_path / "x")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_screen_keeps_each_outputs_strongest_parameters():
    # b matters for crises only, c for losses only, d a little for both: the screen must keep
    # each output's top two (a, b; a, c), not the two with the best score averaged over outputs
    # (a, d), or the convergence check would judge an output's top indices without them
    mu = {"crisis": {"a": 1.0, "b": 0.9, "c": 0.0, "d": 0.6},
          "losses": {"a": 100.0, "b": 0.0, "c": 90.0, "d": 60.0}}
    indices = pd.DataFrame([{"output": o, "parameter": name, "mu_star": v}
                            for o, effects in mu.items() for name, v in effects.items()]
                           + [{"output": "crisis", "parameter": SEEDS_ROW, "mu_star": 5.0}])
    factors = make_factors(["herding", "lab_burn", "base_rate", "take_or_pay"])
    named = dict(zip("abcd", factors, strict=True))
    indices["parameter"] = indices["parameter"].map(lambda k: named[k].name if k in named else k)
    kept = _screened(factors, indices, 2, ["crisis", "losses"])
    assert [f.name for f in kept] == [named[k].name for k in "abc"]     # in the factors' order
    assert [f.name for f in _screened(factors, indices, 2, ["crisis"])] == \
        [named[k].name for k in "ab"]


def test_a_screen_reports_where_it_cuts_and_how_clear_the_cut_is():
    # crisis: 0.5 - 0.1 = 0.4 above 0.2 + 0.1 = 0.3 (clear); losses: 50 - 20 < 40 + 15
    rows = [("crisis", "a", 1.0, 0.1), ("crisis", "b", 0.5, 0.1), ("crisis", "c", 0.2, 0.1),
            ("losses", "a", 90.0, 9.0), ("losses", "b", 50.0, 20.0), ("losses", "c", 40.0, 15.0),
            ("flat", "a", float("nan"), float("nan"))]
    indices = pd.DataFrame(rows, columns=["output", "parameter", "mu_star", "mu_star_conf"])
    cuts = _cut_messages(indices, 2)
    assert cuts["crisis"] == ("crisis: the screen cuts after b (mu* 0.5 +- 0.1); first left "
                              "out: c (0.2 +- 0.1); a clear cut")
    assert cuts["losses"].endswith("their intervals overlap: more --trajectories make the cut "
                                   "surer")
    assert "flat" not in cuts                       # constant: convergence says so already
    assert _cut_messages(indices, 3)["crisis"] == "crisis: the screen keeps all 3 parameters"


def test_a_screens_summary_of_other_outputs_speaks_of_cuts_not_convergence(capsys):
    from experiments.sensitivity import _print_summary

    nan = float("nan")
    indices = pd.DataFrame([("crisis", "a", 1.0, 0.1, 0.5, 1),
                            ("losses_bank", "a", 2.0, 0.5, 1.0, 1),
                            ("crisis", SEEDS_ROW, nan, nan, nan, 0)],
                           columns=["output", "parameter", "mu_star", "mu_star_conf", "sigma",
                                    "rank"])
    conv = pd.DataFrame({"output": ["crisis", "losses_bank"], "converged": [False, False],
                         "message": ["crisis: cut", "losses_bank: cut"]})
    _print_summary(indices, conv, ["crisis"])
    assert "other outputs (losses_bank): 0 of 1 converged" in capsys.readouterr().out
    _print_summary(indices, conv, ["crisis"], screen=True)
    printed = capsys.readouterr().out
    assert "other outputs (losses_bank): where the screen cuts them" in printed
    assert "converged" not in printed


def test_screen_then_sobol_on_the_kept_parameters(tmp_path, capsys):
    out = tmp_path / "screened"
    code = main(["sensitivity", "--screen", "1", "--param", "herding", "--param",
                 main_revenue_parameter(), "--param", "substitution_share",
                 "--trajectories", "3", "--n", "4", "--seeds", "0", "--quarters", "6",
                 "--executor", "serial", "--no-progress", "--resamples", "30",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    # one seed: the printout says the indices are conditional on that seed's history
    assert printed.count("note: one seed per point") == 2          # the screen and Sobol'
    screen = pd.read_csv(out / "screen" / "sensitivity_indices.csv")
    assert set(screen["method"]) == {"morris"}
    kept = pd.read_csv(out / "sensitivity_indices.csv")
    assert set(kept["method"]) == {"sobol"}
    params = set(kept["parameter"]) - {SEEDS_ROW}
    # each headline output's strongest screened parameter, and no other
    varied = screen.dropna(subset=["mu_star"])
    varied = varied[(varied["parameter"] != SEEDS_ROW)
                    & ~varied["output"].str.startswith("losses_")]
    tops = {t.sort_values("mu_star", ascending=False, kind="mergesort")["parameter"].iloc[0]
            for _, t in varied.groupby("output")}
    assert params == tops
    assert f"screening kept {len(params)} parameters for Sobol'" in printed
    # the screen says where it cuts, not that its 3 trajectories are "too small" for a
    # convergence it never needs (it once advised thousands of trajectories)
    screen_part = printed.split("screening kept")[0]
    assert "the screen cuts after" in screen_part
    assert "--trajectories 3 is too small" not in screen_part
    cuts = _cut_messages(screen, 1)
    for output, ranked in _screen_rankings(screen, list(cuts)).items():
        assert cuts[output].startswith(f"{output}: the screen cuts after "
                                       f"{ranked['parameter'].iloc[0]} ")
    # substitution_share only changes jobs displaced: it never drives a crisis or a loss
    assert "substitution_share" not in params


def test_sensitivity_same_indices_on_process_pool_and_serial(tmp_path):
    common = ["sensitivity", "--param", "herding", "--param", "base_rate", "--n", "4",
              "--seeds", "0-1", "--quarters", "6", "--no-progress", "--resamples", "50"]
    assert main([*common, "--executor", "serial", "--out", str(tmp_path / "serial")]) == 0
    assert main([*common, "--executor", "process", "--workers", "2",
                 "--out", str(tmp_path / "process")]) == 0
    serial = pd.read_csv(tmp_path / "serial" / "sensitivity_indices.csv")
    process = pd.read_csv(tmp_path / "process" / "sensitivity_indices.csv")
    pd.testing.assert_frame_equal(serial, process)
