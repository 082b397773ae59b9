"""Economics that hold up: the response to the revenue assumption, shocks with the right sign,
losses that reconcile, and one test for each defect the review of the first version found.

The sweeps are small (a few values x a few seeds, 40 quarters) so that the shape stays in CI;
the full tables are made by ``python -m experiments response``.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict

import numpy as np
import pytest

from agents.bank import capital_ratio
from core.coefficients import REVENUE_2025
from core.firesales import sell_capacity
from experiments.crisis import crisis_by_run
from model import AIEconomy
from model.distress import clear_defaults
from model.metrics import AI_ROLES
from tests.helpers_core import run_cached

QUARTERS = 40
CALIBRATED_2025 = sum(REVENUE_2025)


def crisis(m: AIEconomy) -> bool:
    """The experiments' crisis flag (a default, a gated fund or a bank below its floor)."""
    return bool(crisis_by_run(m.results().assign(run=0), by=["run"])["crisis"].iloc[0])


def first_default(m: AIEconomy) -> int | None:
    hit = np.flatnonzero(m.results()["defaults"].to_numpy() >= 1)
    return int(hit[0]) if len(hit) else None


def run(seed: int, scenario: str = "baseline", **overrides) -> AIEconomy:
    m = AIEconomy(scenario, rng=seed, agent_data=False, **overrides)
    m.run(QUARTERS)
    return m


# --- the response to the revenue assumption --------------------------------------------------
RESPONSE_VALUES = (300.0, 800.0, 1100.0, 2000.0)
RESPONSE_SEEDS = range(8)


@pytest.fixture(scope="module")
def response() -> dict[float, list[AIEconomy]]:
    return {v: [run(s, revenue_2030=v) for s in RESPONSE_SEEDS] for v in RESPONSE_VALUES}


def test_2025_is_history_whatever_the_assumption(response):
    for value, runs in response.items():
        for m in runs:
            revenue_2025 = m.results()["ai_revenue"].iloc[:4].sum()
            assert abs(revenue_2025 / CALIBRATED_2025 - 1) < 0.10, (value, revenue_2025)


def test_crisis_probability_falls_with_revenue_and_is_graded(response):
    p = {v: statistics.mean(crisis(m) for m in runs) for v, runs in response.items()}
    values = sorted(p)
    assert [p[v] for v in values] == sorted((p[v] for v in values), reverse=True), p
    assert p[300.0] == 1.0                 # far below what the capital needs: always a crisis
    assert p[800.0] >= 0.5                 # the baseline carries real risk ...
    assert 0.1 < p[1100.0] < 0.9           # ... graded, not a cliff ...
    assert p[2000.0] == 0.0                # ... and boom-level revenue carries the debt


def test_the_crisis_comes_earlier_the_lower_the_revenue(response):
    median = {v: statistics.median(q for m in runs if (q := first_default(m)) is not None)
              for v, runs in response.items() if v < 2000.0}
    assert median[300.0] < median[800.0] <= median[1100.0], median


def test_timing_is_stress_not_a_calendar(response):
    """The first defaults are spread over years, not stacked on the quarter leases expire."""
    quarters = {first_default(m) for runs in response.values() for m in runs} - {None}
    assert len(quarters) >= 4, quarters


# --- other assumptions move risk the way the economics says --------------------------------
# Each pair: a safer and a riskier value of one assumption, the rest baseline, 8 seeds.
# Measured medians (losses USD bn, first default quarter) are in the comments; the margins
# asked for are about half the measured ones, so seed noise cannot flip them.
SHAPE_SEEDS = range(8)


def outcomes(**overrides) -> tuple[float, float, float]:
    """Median losses, median first-default quarter (40 if none), crisis share over 8 seeds."""
    runs = [run(s, **overrides) for s in SHAPE_SEEDS]
    losses = [m.results()["cumulative_losses"].iloc[-1] for m in runs]
    first = [QUARTERS if (q := first_default(m)) is None else q for m in runs]
    return (statistics.median(losses), statistics.median(first),
            statistics.mean(crisis(m) for m in runs))


@pytest.mark.parametrize(("name", "safer", "riskier", "loss_ratio"), [
    ("base_rate", 0.02, 0.10, 2.0),           # 37 -> 173: the cost of carrying the debt
    ("lab_burn", 0.3, 2.0, 3.0),              # 14 -> 95: labs spend more than they earn
    ("lab_revenue_share", 0.6, 0.1, 3.0),     # 18 -> 124: the weakest borrowers earn less
])
def test_riskier_assumptions_bring_larger_losses(name, safer, riskier, loss_ratio):
    safe, risky = outcomes(**{name: safer}), outcomes(**{name: riskier})
    assert risky[0] >= loss_ratio * safe[0], (name, safe, risky)
    assert risky[1] <= safe[1] and risky[2] >= safe[2], (name, safe, risky)


def test_a_later_s_curve_brings_the_first_default_earlier():
    # the same 2030 revenue with a higher ceiling means less revenue in 2026-29 (2027: 429B
    # at 1.02x, 222B at 3x), so the weak borrowers fail sooner: quarter 19 -> 11 measured
    mature, growing = (outcomes(revenue_ceiling_multiple=v) for v in (1.05, 2.5))
    assert growing[1] <= mature[1] - 4, (mature, growing)


def test_consolidating_spvs_does_not_add_risk():
    # on-balance-sheet SPV debt counts in ratings and bond limits: less leverage is built
    # (crisis share 1.0 -> 0.75, median losses 36 -> 24 measured)
    off, on = outcomes(consolidate_spvs=0), outcomes(consolidate_spvs=1)
    assert on[2] <= off[2] and on[0] <= off[0], (off, on)


# --- shocks with the right sign -------------------------------------------------------------
SHOCK_SEEDS = range(5)


def mean_bust_losses(**shock) -> float:
    return statistics.mean(run(s, "bust", **shock).results()["cumulative_losses"].iloc[-1]
                           for s in SHOCK_SEEDS)


@pytest.fixture(scope="module")
def bust_losses() -> float:
    return mean_bust_losses()


def mean_bust_finals(columns: tuple[str, ...], **shock) -> tuple[float, ...]:
    finals = [run(s, "bust", **shock).results().iloc[-1] for s in SHOCK_SEEDS]
    return tuple(statistics.mean(f[c] for f in finals) for c in columns)


def test_a_severe_power_crunch_strands_financed_capacity():
    # A crunch throttles the build-out (less capex, less debt); a severe one also leaves
    # capacity already financed waiting for power: debt service without rent, and defaults.
    # Measured in the bust, crunch from quarter 6, 30 seeds: capex 2547 -> 1999 (cut by 50%)
    # -> 1471 (by 90%), defaulted firms 0.6 -> 0.4 -> 2.9, losses 75 -> 66 -> 89. Against no
    # crunch the losses move either way with the seeds (less debt was taken on), so this
    # reads capex, defaults and the severity of the crunch.
    columns = ("cumulative_capex", "defaulted_total", "cumulative_losses")
    none = mean_bust_finals(columns)
    mild = mean_bust_finals(columns, power_crunch_quarter=6, power_crunch_size=0.5)
    severe = mean_bust_finals(columns, power_crunch_quarter=6, power_crunch_size=0.9)
    assert severe[0] < mild[0] < none[0], (none, mild, severe)
    assert severe[1] >= 2 * max(none[1], mild[1]), (none, mild, severe)
    assert severe[2] > mild[2], (none, mild, severe)


def test_a_chip_generation_jump_raises_the_bust_losses(bust_losses):
    # installed GPUs lose value and rent at once: their owners write them down
    assert mean_bust_losses(chip_jump_quarter=8, chip_jump_size=0.6) > 1.2 * bust_losses


# --- losses that reconcile ------------------------------------------------------------------
REALISED = ("credit_loss", "equity_write_down", "fire_sale", "impairment")


@pytest.mark.parametrize("scenario", ["baseline", "boom", "bust"])
def test_each_loss_is_the_fall_in_its_bearers_net_worth(scenario):
    """Per bearer, the loss table equals what its income statement booked as realised losses
    (write-offs, write-downs at the carried mark, fire-sale discounts, impairments) and the
    guarantees and backstops it paid; a fund's losses are its investors'. 20 seeds."""
    for seed in range(20):
        m = AIEconomy(scenario, rng=seed, agent_data=False)
        booked: dict[str, float] = defaultdict(float)
        for _ in range(QUARTERS):
            m.step()
            for a in m.finance_agents:
                inc = a.income
                booked[a.name] -= sum(inc.get(k, 0.0) for k in REALISED)
                booked[a.name] -= min(0.0, inc.get("guarantee", 0.0))
                if a.role == "chipmaker":
                    booked[a.name] -= min(0.0, inc.get("backstop", 0.0))
        losses = m.losses_by_bearer()
        table = losses.groupby("bearer")["loss"].sum()
        # an ABS vehicle passes its pool's losses down the tranches
        vehicles = [a for a in m.finance_agents if a.role == "abs"]
        pending = sum(v.pool_losses for v in vehicles)
        tranche = losses.loc[losses.channel == "ABS tranche", "loss"].sum()
        assert tranche + pending == pytest.approx(sum(booked[v.name] for v in vehicles),
                                                  abs=1e-6)
        for a in m.finance_agents:
            if a.losses_passed_on > 0.0 or a.role == "abs":
                continue                  # a reorganised or liquidated firm: its creditors bore it
            own = float(table.get(a.name, 0.0))
            passed = getattr(a, "passed_to_lps", 0.0)
            assert own + passed == pytest.approx(booked[a.name], rel=1e-9, abs=1e-6), (
                scenario, seed, a.name)
        lp_sectors = [s.name for s in m.lp_sectors]
        lp_table = float(sum(table.get(name, 0.0) for name in lp_sectors))
        assert lp_table <= sum(f.passed_to_lps for f in m.funds) + 1e-6
        df = m.results()
        assert (np.diff(df["cumulative_losses"].to_numpy()) >= -1e-9).all()


# --- defects found in the first version: one test each ---------------------------------------
def test_1_bank_capital_ratios_stay_finite_and_failed_banks_leave_the_statistic():
    assert capital_ratio(5.0, 0.0) == 1.0 and capital_ratio(-5.0, 0.0) == -1.0
    assert capital_ratio(-500.0, 10.0) == -1.0
    df = run(0, cost_per_gw=120.0).results()
    for col in ("bank_capital_ratio", "bank_capital_ratio_min"):
        assert np.isfinite(df[col]).all() and df[col].between(-1.0, 1.0).all(), col
    assert (df["failed_banks"] >= 0).all()


def test_2_a_rate_shock_alone_fails_no_bank():
    """800 bp from 2027 with revenue that carries the debt: banks earn a margin on deposits."""
    for seed in range(3):
        m = run(seed, "boom", rate_shock_quarter=8, rate_shock_bp=800.0)
        df = m.results()
        assert df["failed_banks"].max() == 0, seed
        assert df["bank_capital_ratio_min"].min() > m.params.bank_capital_requirement, seed
        assert not [e for e in m.events if e.kind == "bank_breach"], seed


def test_3_a_defaulter_gives_up_all_it_owns():
    m = AIEconomy("baseline", rng=0)
    oracle = m.agent_by_name("Oracle")
    assert oracle.other_assets > 0
    value = oracle.going_concern_value()
    assert value >= oracle.cash + oracle.other_assets
    clear_defaults(m, [oracle])
    text = next(t for _, t in m.event_log if t.startswith("Oracle"))
    assert "recover 0%" not in text
    m.check_invariants()


@pytest.mark.parametrize("seed", range(3))
def test_4_no_cash_is_stranded_in_a_defaulted_vehicle(seed):
    m = run_cached("bust", seed, QUARTERS)
    for a in m.finance_agents:
        if a.status == "defaulted" and a.role in ("spv", "fund", "bank", "abs"):
            assert abs(a.cash) < 1e-6, a.name
            assert not [c for c in a.held if c.active], a.name


def test_5_fire_sold_capacity_stays_in_the_market_with_its_new_owner():
    m = AIEconomy("baseline", rng=0)
    seller = m.agent_by_name("CoreWeave")
    total = sum(a.capacity_gw for a in m.capacity_owners())
    gw = seller.capacity_gw
    proceeds = sell_capacity(m, seller)
    assert seller.capacity_gw == pytest.approx(0.0)
    assert m.secondary.capacity_gw == pytest.approx(gw)
    assert sum(a.capacity_gw for a in m.capacity_owners()) == pytest.approx(total)
    assert m.secondary.gpu_book + m.secondary.building_book == pytest.approx(proceeds)


@pytest.mark.parametrize("seed", range(3))
def test_6_a_gated_fund_makes_no_new_loans(seed):
    m = AIEconomy("bust", rng=seed, agent_data=False)
    gated_seen = False
    for _ in range(QUARTERS):
        gated = {f.account for f in m.funds if f.gated}
        m.step()
        gated_seen |= bool(gated)
        owners = m.ledger.owners
        for (payer, payee, kind), amount in m.ledger.pairs.items():
            if payer in gated and kind == "lending" and owners[payee].role in AI_ROLES:
                pytest.fail(f"{owners[payer].name} lent {amount:.2f} to {owners[payee].name} "
                            f"while gated ({m.quarter_label})")
    assert gated_seen


def test_7_the_book_life_does_not_drive_the_cash_rent():
    """An 8-year book life once made xAI default in 2025Q1."""
    df = run(0, gpu_book_life=8, gpu_economic_life=8).results()
    assert df["defaults"].iloc[:4].sum() == 0


@pytest.mark.parametrize("scenario", ["baseline", "boom", "bust"])
def test_8_the_event_log_reads_well(scenario):
    for seed in range(3):
        m = run_cached(scenario, seed, QUARTERS)
        texts = [e.text for e in m.events]
        assert not [e for e in m.events if e.t == 0 and e.kind in ("distress", "default")]
        bad = [t for t in texts if re.search(r"-0%|\b0\.0B|-0\.0B|recover -", t)]
        assert not bad, bad[:3]
        entries = defaultdict(int)
        for e in m.events:
            if e.kind == "distress" and "is in distress" in e.text:
                entries[e.agents[0]] += 1
        assert max(entries.values(), default=0) <= 3, dict(entries)     # no flip-flopping


def test_9_a_bank_breach_is_logged_in_the_quarter_the_frame_shows_it():
    m = AIEconomy("baseline", rng=0)
    jpm = m.agent_by_name("JPMorgan")
    m.run(3)
    # a large write-off at the start of 2025Q4: most of its corporate book is lost
    book = next(c for c in jpm.held if c.category == "corporate")
    lost = 0.9 * jpm.equity
    book.principal -= lost
    book.issuer.revalue(lost, "debt_forgiven")
    jpm.write_off(book, lost, "loan default")
    m.step()
    df = m.results()
    breach = [e for e in m.events if e.kind == "bank_breach"]
    assert breach and breach[0].t == 3
    assert df["bank_capital_ratio_min"].iloc[3] < m.params.bank_capital_requirement
    assert math.isfinite(df["bank_capital_ratio_min"].iloc[3])
