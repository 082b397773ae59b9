"""``experiments.discovery``: PRIM finds a planted box; feature scores; the CLI over a batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import run_batch
from experiments.__main__ import main
from experiments.discovery import describe_box, feature_scores, find_boxes
from experiments.response import main_revenue_parameter
from experiments.sampling import Factor, latin_hypercube, to_points
from model import PARAMETER_INFO

# The planted box: a crisis exactly when a < 0.3 and b > 0.6 (c and d do nothing). It holds
# 0.3 x 0.4 = 12% of the unit square.
A_HIGH, B_LOW = 0.3, 0.6
FACTORS = [Factor(n, 0.0, 1.0) for n in "abcd"]


def planted(a, b, **_):
    return (a < A_HIGH) & (b > B_LOW)


def planted_run(scenario, seed, quarters, overrides):
    """run_fn: a two-quarter 'run' that defaults in its second quarter inside the box."""
    hit = float(planted(**overrides))
    return pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "defaults": [0.0, hit],
                         "cumulative_losses": [0.0, 50.0 * hit]})


def _sample(n, seed=0):
    x = pd.DataFrame(latin_hypercube(FACTORS, n, seed), columns=[f.name for f in FACTORS])
    return x


def test_prim_recovers_a_planted_box():
    x = _sample(2000)
    y = planted(x["a"], x["b"]).to_numpy()
    noise = np.random.default_rng(1).random(len(y)) < 0.02       # 2% of labels flipped
    y = y ^ noise
    boxes = find_boxes(x, y, min_coverage=0.8)
    assert len(boxes) == 1
    box = boxes[0]
    lim = box.limits.set_index("parameter")
    assert set(lim.index) == {"a", "b"}                           # c and d stay free
    assert lim.loc["a", "high"] == pytest.approx(A_HIGH, abs=0.04)
    assert lim.loc["b", "low"] == pytest.approx(B_LOW, abs=0.04)
    assert lim.loc["a", "low"] < 0.01 and lim.loc["b", "high"] > 0.99
    assert box.coverage >= 0.8 and box.density >= 0.85
    assert box.mass == pytest.approx(0.12, abs=0.03)
    # the trajectory trades coverage for density, and the chosen step is on it
    t = box.trajectory
    assert t["coverage"].iloc[0] == pytest.approx(1.0) and t["density"].is_monotonic_increasing
    assert box.step in set(t["step"])
    text = describe_box(box, x, info={})
    assert f"a at most {lim.loc['a', 'high']:.3g} (sampled" in text
    assert f"b at least {lim.loc['b', 'low']:.3g} (sampled" in text
    assert f"{box.coverage:.0%} of all such runs (coverage)" in text


def test_feature_scores_rank_the_planted_parameters_first():
    x = _sample(1000)
    scores = feature_scores(x, planted(x["a"], x["b"]).to_numpy(), seed=0)
    assert scores.sum() == pytest.approx(1.0)
    assert set(scores.index[:2]) == {"a", "b"}
    assert scores[["c", "d"]].max() < 0.5 * scores[["a", "b"]].min()


def test_no_case_or_only_cases_gives_no_box():
    x = _sample(50)
    assert find_boxes(x, np.zeros(50, bool)) == []
    assert find_boxes(x, np.ones(50, bool)) == []


def test_discover_cli_from_a_synthetic_batch(tmp_path, capsys):
    points, _ = to_points(FACTORS, latin_hypercube(FACTORS, 600, seed=2))
    batch = tmp_path / "batch"
    run_batch("synthetic", [0], overrides=points, quarters=2, run_fn=planted_run,
              executor="serial", validate=False, progress=False, out=batch, collect=False)
    out = tmp_path / "disc"
    assert main(["discover", "--from", str(batch), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Box 1:" in printed and "coverage" in printed
    boxes = pd.read_csv(out / "discovery_boxes.csv").set_index("parameter")
    assert set(boxes.index) == {"a", "b"}
    assert boxes.loc["a", "high"] == pytest.approx(A_HIGH, abs=0.05)
    assert boxes.loc["b", "low"] == pytest.approx(B_LOW, abs=0.05)
    features = pd.read_csv(out / "discovery_features.csv")
    assert set(features["parameter"].iloc[:2]) == {"a", "b"}
    assert (out / "discovery.png").read_bytes()[:4] == b"\x89PNG"
    assert len(pd.read_csv(out / "discovery_trajectory.csv")) > 5
    # another target: losses above 10 is the same planted box
    out2 = tmp_path / "disc-losses"
    assert main(["discover", "--from", str(batch), "--target", "losses", "--above", "10",
                 "--out", str(out2)]) == 0
    assert set(pd.read_csv(out2 / "discovery_boxes.csv")["parameter"]) == {"a", "b"}
    # inverted: where crises do not happen; 88% of the square, so no restriction is dense
    out3 = tmp_path / "disc-invert"
    assert main(["discover", "--from", str(batch), "--invert", "--out", str(out3)]) == 0
    assert "are not a crisis (8" in capsys.readouterr().out


def test_discover_cli_new_batch_on_the_model(tmp_path, capsys):
    out = tmp_path / "new"
    revenue = main_revenue_parameter()
    info = PARAMETER_INFO[revenue]
    low, high = info.min, (info.min + info.max) / 2
    code = main(["discover", "--param", f"{revenue}={low:g}:{high:g}", "--param", "herding",
                 "--points", "12", "--seeds", "0", "--quarters", "8", "--executor", "serial",
                 "--no-progress", "--out", str(out)])
    assert code == 0
    runs = pd.read_csv(out / "discovery_runs.csv")
    assert len(runs) == 12 and runs[revenue].between(low, high).all()
    assert "runs over 2 parameters" in capsys.readouterr().out


@pytest.mark.parametrize("args,needle", [
    (["--from", "/nonexistent"], "no manifest.json"),
    (["--target", "nonsense"], "unknown outcome"),
    (["--target", "losses"], "needs --above"),
    (["--min-coverage", "0"], "--min-coverage"),
])
def test_discover_cli_errors_exit_2(tmp_path, capsys, args, needle):
    if args[0] != "--from":
        args = ["--param", "herding", "--points", "10", "--seeds", "0", "--quarters", "1",
                "--executor", "serial", "--no-progress", *args]
    code = main(["discover", *args, "--out", str(tmp_path / "x")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
