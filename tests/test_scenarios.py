"""The three stories come out of the packaged scenarios, across seeds.

Revenue is uncertain around each scenario's assumption (log sd ~0.35 by 2030), so a single
seed can tell another story: each test states the shape over seeds 0-7 (40 quarters,
2025Q1-2034Q4) by medians, shares of seeds or every seed where the shape must always hold.
The runs are shared with the invariant tests (``run_cached``). Also: constructor and run()
input errors.
"""

from __future__ import annotations

import statistics

import pandas as pd
import pytest

from model import AIEconomy, ParameterError
from tests.helpers_core import first_status_quarter, run_cached

QUARTERS = 40
SEEDS = range(8)


def frame(scenario: str, seed: int) -> pd.DataFrame:
    df = run_cached(scenario, seed, QUARTERS).results().copy()
    df["year"] = df["quarter"].str[:4].astype(int)
    df["troubled"] = df["distressed"] + df["defaulted_total"]
    return df


def year_mean(df: pd.DataFrame, column: str, first: int, last: int | None = None) -> float:
    last = first if last is None else last
    return float(df.loc[df["year"].between(first, last), column].mean())


def median_over_seeds(scenario: str, measure) -> float:
    return statistics.median(measure(frame(scenario, seed)) for seed in SEEDS)


def revenue_2030(df: pd.DataFrame) -> float:
    return 4 * year_mean(df, "ai_revenue", 2030)


def lp_losses(df: pd.DataFrame) -> float:
    """Losses of the holder sectors behind private credit, at the end of the run."""
    return float(df[["losses_insurers", "losses_pension_funds",
                     "losses_retail_investors"]].iloc[-1].sum())


# --- boom ----------------------------------------------------------------------------------
def test_boom_revenue_reaches_about_2t_a_year_by_2030():
    assert 1500 <= median_over_seeds("boom", revenue_2030) <= 2600
    for seed in SEEDS:
        yearly = [year_mean(frame("boom", seed), "ai_revenue", y) for y in range(2025, 2030)]
        assert yearly == sorted(yearly), (seed, yearly)        # growing every year to 2029


def test_boom_displaces_jobs_and_stays_healthy():
    # ~2T/yr x 0.5 / 80k = ~12.5M jobs in 2030
    assert 9 <= median_over_seeds("boom", lambda df: year_mean(df, "jobs_displaced", 2030)) <= 16
    for seed in SEEDS:
        df = frame("boom", seed)
        assert df["defaults"].sum() == 0, seed
        assert df["troubled"].max() <= 2, seed
        assert df["bank_capital_ratio_min"].min() > 0.10, seed
        assert df["gated_funds"].max() == 0, seed


# --- baseline ------------------------------------------------------------------------------
def test_baseline_grows_strongly_but_falls_short():
    assert 600 <= median_over_seeds("baseline", revenue_2030) <= 1000   # ~800B/yr, not 2T
    for seed in SEEDS:
        df = frame("baseline", seed)
        assert revenue_2030(df) > 4 * 4 * year_mean(df, "ai_revenue", 2025), seed
        gap = [year_mean(df, "revenue_gap", y) for y in range(2025, 2029)]
        # the gap between what the capital needs and what revenue pays widens from 2025
        # (in the seeds where revenue runs ahead of the assumption it closes again by 2028)
        assert gap[1] > 1.2 * gap[0] and gap[2] > gap[0], (seed, gap)


def test_baseline_distress_comes_later():
    for seed in SEEDS:
        df = frame("baseline", seed)
        assert year_mean(df, "troubled", 2025, 2026) == 0.0, seed
        assert year_mean(df, "troubled", 2030, 2034) > 0.0 or df["defaults"].sum() == 0, seed


# --- bust ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_bust_bubble_peaks_early_then_deflates(seed):
    df = frame("bust", seed)
    value = df["equity_value_ai"]
    peak = int(value.idxmax())
    assert peak < 8, df["quarter"][peak]                       # AI equity peaks by 2026
    assert df["bubble_index"].iloc[:4].min() > 3.0             # priced far above the bust
    assert df["equity_drawdown"].max() > 0.75                  # most of it is lost
    bi = df["bubble_index"]
    assert bi.iloc[peak:].min() <= 0.5 * bi.iloc[peak]


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_utilisation_collapses_after_the_shock(seed):
    df = frame("bust", seed)
    before = year_mean(df, "compute_utilisation", 2026)
    after = df.loc[df.index >= 10, "compute_utilisation"].min()     # from 2027Q3 (t = 10)
    # 2026 runs near the 80% target (0.76-0.80 in 2 of 40 seeds), then the bust halves it
    assert before > 0.75, before
    assert after < 0.7 * before, (before, after)


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_hits_neoclouds_before_any_bank(seed):
    m = run_cached("bust", seed, QUARTERS)
    first_neo = first_status_quarter(m, {"neocloud"})
    first_spv = first_status_quarter(m, {"spv"})
    first_bank = first_status_quarter(m, {"bank"})
    assert first_neo is not None
    assert first_bank is None or first_bank > max(first_neo, first_spv or 0), (
        first_spv, first_neo, first_bank)


def test_bust_hits_spvs_in_most_seeds():
    # an SPV whose lessee keeps paying rides out the bust: no SPV falls into distress in
    # 3 seeds of 40 (a neocloud always does)
    hit = sum(first_status_quarter(run_cached("bust", s, QUARTERS), {"spv"}) is not None
              for s in SEEDS)
    assert hit >= len(SEEDS) - 2, hit


def test_bust_is_worse_than_baseline_and_the_baseline_than_the_boom():
    losses = {s: median_over_seeds(s, lambda df: df["cumulative_losses"].iloc[-1])
              for s in ("boom", "baseline", "bust")}
    assert losses["bust"] > 1.5 * losses["baseline"] > 1.5 * losses["boom"], losses
    drawdown = {s: median_over_seeds(s, lambda df: df["equity_drawdown"].max())
                for s in ("boom", "baseline", "bust")}
    assert drawdown["bust"] > drawdown["baseline"] > drawdown["boom"], drawdown


def test_bust_losses_reach_the_savers_behind_private_credit_and_funds_gate():
    """The cascade of the story: SPV and neocloud losses land on the funds, which pass them
    to their investors (insurers, pensions, retail) and gate; senior bank lines lose little."""
    gated = [frame("bust", seed)["gated_funds"].max() >= 1 for seed in SEEDS]
    assert all(gated)
    assert median_over_seeds("bust", lp_losses) > 1.0
    assert median_over_seeds("bust", lp_losses) > 3 * median_over_seeds("baseline", lp_losses)
    banks = median_over_seeds("bust", lambda df: df["losses_bank"].iloc[-1])
    assert banks < median_over_seeds("bust", lp_losses)


def test_revenue_ranks_boom_baseline_bust():
    r = {s: median_over_seeds(s, revenue_2030) for s in ("boom", "baseline", "bust")}
    assert r["boom"] > 1.8 * r["baseline"] > 1.8 * r["bust"], r
    assert 200 <= r["bust"] <= 400, r                          # near 300B/yr


# --- input errors --------------------------------------------------------------------------
def test_unknown_roster():
    with pytest.raises(ParameterError, match=r"roster must be one of \('calibrated', "
                       r"'synthetic', 'empty'\), got 'bogus'"):
        AIEconomy("baseline", roster="bogus")


@pytest.mark.parametrize("size", [None, 0, -3, 100_001, 2.5, True, "3"])
def test_bad_roster_size(size):
    with pytest.raises(ParameterError, match=r"roster_size must be a whole number in "
                       r"\[1, 100000\]"):
        AIEconomy("baseline", roster="synthetic", roster_size=size)


@pytest.mark.parametrize("scenario", ["baseline", "bust"])
def test_synthetic_roster_runs_and_keeps_the_books(scenario):
    small = AIEconomy(scenario, rng=0, roster="synthetic", roster_size=1)
    big = AIEconomy(scenario, rng=0, roster="synthetic", roster_size=3)
    assert len(big.finance_agents) > len(small.finance_agents)
    roles = {a.role for a in big.finance_agents}
    assert {"hyperscaler", "lab", "neocloud", "chipmaker", "fund", "bank"} <= roles
    big.check_invariants()
    for _ in range(QUARTERS):
        big.step()
        big.check_invariants()
    assert len(big.results()) == QUARTERS


@pytest.mark.parametrize("quarters", [-1, 401, 2.5, True, "4", None])
def test_bad_quarters(quarters):
    m = AIEconomy("baseline", rng=0)
    with pytest.raises(ParameterError, match=r"quarters must be a whole number in \[0, 400\]"):
        m.run(quarters=quarters)
    assert m.t == 0


def test_run_zero_and_backwards_do_nothing():
    m = AIEconomy("baseline", rng=0)
    df = m.run(0)
    assert df.empty and m.t == 0 and m.quarter_label == ""
    m.run(3)
    assert m.quarter_label == "2025Q3"
    again = m.run(2)
    assert m.t == 3 and len(again) == 3
    assert list(again["quarter"]) == ["2025Q1", "2025Q2", "2025Q3"]
