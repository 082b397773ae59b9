"""The three stories (MODEL.md sections 1 and 5) come out of the packaged scenarios.

Each test states a qualitative shape with a threshold that leaves room for calibration to
move, over seeds 0-2 (40 quarters, 2025Q1-2034Q4). The runs are shared with the invariant
tests (``run_cached``), so this file costs little. Also: constructor and run() input errors.
"""

from __future__ import annotations

import pandas as pd
import pytest

from model import AIEconomy, ParameterError
from tests.helpers_core import SHARED_SEEDS, first_status_quarter, run_cached

QUARTERS = 40
SEEDS = list(SHARED_SEEDS)


def frame(scenario: str, seed: int) -> pd.DataFrame:
    df = run_cached(scenario, seed, QUARTERS).results().copy()
    df["year"] = df["quarter"].str[:4].astype(int)
    df["troubled"] = df["distressed"] + df["defaulted_total"]
    return df


def year_mean(df: pd.DataFrame, column: str, first: int, last: int | None = None) -> float:
    last = first if last is None else last
    return float(df.loc[df["year"].between(first, last), column].mean())


# --- boom ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_boom_revenue_reaches_about_2t_a_year_by_2030(seed):
    df = frame("boom", seed)
    annual_2030 = 4 * year_mean(df, "ai_revenue", 2030)
    assert 1500 <= annual_2030 <= 2600, annual_2030
    yearly = [year_mean(df, "ai_revenue", y) for y in range(2025, 2031)]
    assert yearly == sorted(yearly), yearly                     # growing every year to 2030


@pytest.mark.parametrize("seed", SEEDS)
def test_boom_displaces_jobs_and_stays_healthy(seed):
    df = frame("boom", seed)
    jobs = [year_mean(df, "jobs_displaced", y) for y in range(2025, 2031)]
    assert jobs == sorted(jobs) and jobs[-1] > 5 * jobs[0], jobs
    # ~2T/yr x 0.5 / 80k = ~12.5M jobs in 2030
    assert 9 <= jobs[-1] <= 16, jobs[-1]
    assert df["troubled"].max() <= 3, df["troubled"].max()
    assert df["defaults"].sum() == 0
    assert df["bank_capital_ratio_min"].min() > 0.10


# --- baseline ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_baseline_grows_strongly_but_falls_short(seed):
    df = frame("baseline", seed)
    annual = [4 * year_mean(df, "ai_revenue", y) for y in (2025, 2030)]
    assert annual[1] > 5 * annual[0], annual                    # strong growth
    assert 600 <= annual[1] <= 1000, annual[1]                  # ~800B/yr by 2030, not 2T
    gap = [year_mean(df, "revenue_gap", y) for y in range(2025, 2029)]
    # the gap widens over 2025-2028: every later year above 2025, the widest well above it
    assert min(gap[1:]) > 1.2 * gap[0] and max(gap[1:]) > 1.5 * gap[0], gap
    assert gap[1] > gap[0] and gap[2] > gap[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_baseline_distress_comes_later(seed):
    df = frame("baseline", seed)
    early = year_mean(df, "troubled", 2025, 2026)
    late = year_mean(df, "troubled", 2030, 2034)
    assert late > early, (early, late)


# --- bust ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_bust_bubble_inflates_then_deflates_by_half(seed):
    df = frame("bust", seed)
    bi = df["bubble_index"]
    peak = int(bi.idxmax())
    assert peak > 0 and bi.iloc[peak] > 1.3 * bi.iloc[0], (bi.iloc[0], bi.iloc[peak])  # it rose
    assert peak < 12, df["quarter"][peak]                       # before the shock has played out
    assert bi.iloc[peak:].min() <= 0.5 * bi.iloc[peak], (bi.iloc[peak], bi.iloc[peak:].min())


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_utilisation_collapses_after_the_shock(seed):
    df = frame("bust", seed)
    before = year_mean(df, "compute_utilisation", 2026)
    after = df.loc[df.index >= 10, "compute_utilisation"].min()     # from 2027Q3 (t = 10)
    assert before > 0.9, before
    assert after < 0.7 * before, (before, after)


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_hits_spvs_and_neoclouds_before_any_bank(seed):
    m = run_cached("bust", seed, QUARTERS)
    first_spv = first_status_quarter(m, {"spv"})
    first_neo = first_status_quarter(m, {"neocloud"})
    first_bank = first_status_quarter(m, {"bank"})
    assert first_spv is not None and first_neo is not None, (first_spv, first_neo)
    assert first_bank is None or first_bank > max(first_spv, first_neo), (
        first_spv, first_neo, first_bank)
    # the same order in the event log
    names = {a.name: a.role for a in m.finance_agents}
    hits = [(e.t, names.get(a)) for e in m.events if e.kind in ("distress", "default")
            for a in e.agents]
    bank_t = [t for t, role in hits if role == "bank"]
    spv_t = [t for t, role in hits if role == "spv"]
    assert spv_t and (not bank_t or min(spv_t) < min(bank_t))


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_is_worse_than_baseline(seed):
    bust, base = frame("bust", seed), frame("baseline", seed)
    assert bust["defaults"].sum() > base["defaults"].sum()
    assert bust["cumulative_losses"].iloc[-1] > 3 * max(base["cumulative_losses"].iloc[-1], 1.0)
    assert bust["troubled"].max() > base["troubled"].max()


@pytest.mark.parametrize("seed", SEEDS)
def test_bust_losses_reach_private_credit_and_banks(seed):
    """The cascade of the story: SPV and neocloud losses land on funds (which gate) and banks."""
    bust, base = frame("bust", seed), frame("baseline", seed)
    assert bust["losses_fund"].iloc[-1] > 10.0
    assert bust["losses_bank"].iloc[-1] > 1.0
    assert bust["gated_funds"].max() >= 1
    assert base["gated_funds"].max() == 0
    assert base["losses_fund"].iloc[-1] + base["losses_bank"].iloc[-1] < 1.0


def test_revenue_ranks_boom_baseline_bust():
    for seed in SEEDS:
        r = {s: 4 * year_mean(frame(s, seed), "ai_revenue", 2030)
             for s in ("boom", "baseline", "bust")}
        assert r["boom"] > 1.8 * r["baseline"] > 1.8 * r["bust"], r
        assert 200 <= r["bust"] <= 400, r                       # plateau near 300B/yr


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
