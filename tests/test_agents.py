"""Agents' decision rules and the market functions, on small hand-made situations.

Each test builds two or three agents in a MiniEconomy (no roster), sets the state a rule reads,
and checks the decision against arithmetic done by hand in the comments.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import markets
from core.contracts import Bond, ComputeContract, CreditLine, EquityStake, Lease, Loan
from core.finance import lend
from tests.helpers_core import (
    HYPERSCALER_SPEC,
    LAB_SPEC,
    AILab,
    Bank,
    Chipmaker,
    Hyperscaler,
    MiniEconomy,
    Neocloud,
    PrivateCreditFund,
)

approx = pytest.approx
ROOT = Path(__file__).resolve().parents[1]


def hyperscaler(m: MiniEconomy, cash: float = 10.0, debt: float = 0.0, **spec) -> Hyperscaler:
    """A hyperscaler with 25/quarter of non-AI operating cash (100 a year) and legacy bonds."""
    h = Hyperscaler(m, "Hyper", {**HYPERSCALER_SPEC, "cash": cash, **spec})
    if debt:
        m.book.add(Bond(issuer=h, holder=m.bond_investors, start=0, principal=debt, rate=0.04,
                        maturity=40, category="ig_bond"))
    m.open_books()
    return h


# --- Hyperscaler ---------------------------------------------------------------------------
@pytest.mark.parametrize(("debt", "expected"), [
    (0.0, 0.2),      # no net debt: ratio 0, no pressure: spv_share 0.2
    (110.0, 0.2),    # net debt 100 / OCF 100 = 1.0 <= 1.5: 0.2
    (310.0, 0.35),   # ratio 3.0: pressure 1 + 0.5 x 1.5 = 1.75 -> 0.35
    (510.0, 0.55),   # ratio 5.0: pressure 1 + 0.5 x 3.5 = 2.75 -> 0.55
    (1010.0, 0.6),   # ratio 10: 0.2 x 5.25 = 1.05, capped at MAX_SPV_SHARE 0.6
])
def test_spv_fraction_rises_with_the_rating_ratio(debt, expected):
    m = MiniEconomy()
    h = hyperscaler(m, cash=10.0, debt=debt)
    m.t = 1
    assert h.annual_operating_cash() == approx(100.0)
    assert h.rating_ratio() == approx(max(0.0, debt - 10.0) / 100.0)
    assert h.spv_fraction() == approx(expected)


def test_spv_fraction_scales_with_appetite_and_is_zero_in_the_first_quarter():
    m = MiniEconomy(spv_appetite=2.0)
    h = hyperscaler(m, debt=110.0)
    assert h.spv_fraction() == 0.0           # t = 0: the 2025Q1 deals are in the roster
    m.t = 1
    assert h.spv_fraction() == approx(0.4)   # 0.2 x 2 x 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 2000.0), min_size=2, max_size=6))
def test_spv_fraction_never_falls_as_debt_rises(debts):
    m = MiniEconomy()
    h = hyperscaler(m, debt=1.0)
    bond = h.issued[0]
    m.t = 4
    fractions = []
    for d in sorted(debts):
        bond.principal = d
        fractions.append(h.spv_fraction())
    assert fractions == sorted(fractions)
    assert all(0.0 <= f <= 0.6 for f in fractions)


def test_operating_cash_counts_last_quarters_ai_and_compute_revenue():
    m = MiniEconomy()
    h = hyperscaler(m)
    h.prev_income = {"ai_revenue": 5.0, "compute": 2.5, "opex": -3.0}
    m.market.non_ai_growth = 1.1
    # 4 x (25 x 1.1 + 5 + 2.5) = 4 x 35 = 140
    assert h.annual_operating_cash() == approx(140.0)


def test_issue_bonds_fills_up_to_the_rating_threshold():
    m = MiniEconomy()
    h = hyperscaler(m, cash=10.0, debt=210.0)
    m.market.long_rate, m.market.ig_spread = 0.045, 0.008
    # room = 3.0 x OCF 100 - net debt (210 - 10) = 100; 150 wanted -> 100 sold
    # coupon = long rate 4.5% + spread 0.8% + 0.003 x ratio 2.0 = 5.9%
    sold = h.issue_bonds(150.0)
    assert sold == approx(100.0)
    new = h.issued[-1]
    assert isinstance(new, Bond) and new.holder is m.bond_investors
    assert new.rate == approx(0.059) and new.principal == approx(100.0)
    assert new.maturity == m.t + 40
    assert h.cash == approx(110.0) and h.debt == approx(310.0)
    assert m.flows.ig_bonds_issued == approx(100.0) and h.bonds_issued == approx(100.0)
    assert any(e.kind == "deal" and "100B of bonds" in e.text for e in m.events)
    m.check()


def test_no_bonds_above_the_threshold_small_or_distressed():
    m = MiniEconomy()
    h = hyperscaler(m, cash=10.0, debt=410.0)       # net debt 400 > 3 x 100
    assert h.issue_bonds(50.0) == 0.0 and h.debt == 410.0
    m2 = MiniEconomy()
    h2 = hyperscaler(m2, cash=10.0, debt=210.0)
    assert h2.issue_bonds(0.4) == 0.0                # below the 0.5 minimum deal
    h2.status = "distressed"
    assert h2.issue_bonds(50.0) == 0.0
    assert h2.debt == 210.0


def test_cash_target_is_a_multiple_of_planned_capex():
    m = MiniEconomy(cash_target=0.75)
    h = hyperscaler(m)
    h.planned_capex, h.capex_trend = 20.0, 30.0
    # 0.75 x 4 x max(30, 20) + 5 = 95
    assert h.cash_target() == approx(95.0)


# --- AI lab --------------------------------------------------------------------------------
def lab(m: MiniEconomy, cash: float, revenue: float, burn: float) -> AILab:
    a = AILab(m, "Lab", {**LAB_SPEC, "cash": cash})
    a.income["ai_revenue"] = revenue
    a.burn = burn
    return a


def test_lab_burn_formula():
    m = MiniEconomy(lab_burn=0.9)
    m.market.sentiment, m.market.non_ai_growth = 1.2, 1.0
    a = lab(m, cash=20.0, revenue=10.0, burn=5.0)
    a.plan_spending()
    # runway = 20 / 5 = 4 quarters -> min(1, 4/8) = 0.5
    # b = 0.9 x 1.2 x 0.5 / (1 + 10/10) = 0.27
    # spend = fixed 2 x 1.0 + 10 x 1.27 = 14.7: 60% compute, 40% other
    assert a.compute_budget == approx(0.6 * 14.7)
    assert a.other_budget == approx(0.4 * 14.7)


def test_lab_burn_is_full_with_a_long_runway_and_shrinks_with_scale():
    m = MiniEconomy(lab_burn=0.9)
    m.market.sentiment, m.market.non_ai_growth = 1.0, 1.0
    small = lab(m, cash=100.0, revenue=10.0, burn=0.0)     # no burn yet: runway taken as 8
    small.plan_spending()
    # b = 0.9 x 1 x 1 / 2 = 0.45: spend = 2 + 14.5 = 16.5
    assert small.compute_budget + small.other_budget == approx(16.5)
    m2 = MiniEconomy(lab_burn=0.9)
    big = lab(m2, cash=1000.0, revenue=90.0, burn=1.0)     # runway 1000 quarters
    big.plan_spending()
    # b = 0.9 / (1 + 9) = 0.09: spend = 2 + 90 x 1.09 = 100.1
    assert big.compute_budget + big.other_budget == approx(100.1)


def test_distressed_lab_spends_revenue_plus_half_its_cash():
    m = MiniEconomy(lab_burn=0.9)
    m.market.sentiment = 1.2
    a = lab(m, cash=2.0, revenue=10.0, burn=5.0)
    a.status = "distressed"
    a.plan_spending()
    # runway 0.4 -> 0.05; b = 0.9 x 1.2 x 0.05 / 2 = 0.027: plan 2 + 10.27 = 12.27
    # capped at revenue + half the cash = 10 + 1 = 11
    assert a.compute_budget + a.other_budget == approx(11.0)


@pytest.mark.parametrize(("budget", "paid", "used", "spot"), [
    (3.0, 5.4, 1.0, 0.0),    # uses 1 GW but pays the 90% floor: 1.8 x 3; nothing left for spot
    (9.0, 6.0, 2.0, 3.0),    # uses all 2 GW: 6.0; 3.0 left for spot compute
])
def test_lab_pays_take_or_pay_first(budget, paid, used, spot):
    m = MiniEconomy()
    a = lab(m, cash=20.0, revenue=0.0, burn=0.0)
    cloud = hyperscaler(m)
    m.book.add(ComputeContract(issuer=a, holder=cloud, start=0, end=7, gw=2.0, price=3.0,
                               take_or_pay=0.9))
    m.open_books()
    a.compute_budget = budget
    left = a.pay_compute()
    assert cloud.cash == approx(10.0 + paid)
    assert a.used_gw == approx(used)
    assert left == approx(spot)
    m.check()


# --- private-credit fund -------------------------------------------------------------------
def test_fund_gate_caps_redemptions_and_queues_the_rest():
    m = MiniEconomy(redemption_gate=0.05, lp_redemption_sensitivity=1.0)
    fund = PrivateCreditFund(m, "Fund", 100.0)
    m.open_books()
    m.market.sentiment = 0.5
    fund.last_return = -0.05
    fund.investor_flows()
    # NAV 100. Inflow: 100 x max(0, 0.012 x 0.5 + 0.5 x (-0.05 - 0.005)) = 0
    # stress = 4 x 0.05 + 0.05 x (1 - 0.5) = 0.225; request = 100 x (0.008 + 0.225) = 23.3
    # gate 5% of NAV = 5 paid, 18.3 queued
    assert fund.redeemed == approx(5.0)
    assert fund.queued_redemptions == approx(18.3)
    assert fund.gated and fund.cash == approx(95.0) and m.lps.cash == approx(5.0)
    assert fund.capital == approx(-5.0)            # redemptions are capital, not a loss
    assert [e.kind for e in m.events] == ["gate"]

    m.market.sentiment = 1.0
    fund.last_return = 0.0
    fund.investor_flows()
    # NAV 95. Inflow 95 x (0.012 - 0.0025) = 0.9025; request 95 x 0.008 = 0.76
    # queue 18.3 + 0.76 = 19.06; gate 5% x 95 = 4.75 paid; 14.31 left
    assert fund.redeemed == approx(4.75)
    assert fund.queued_redemptions == approx(14.31)
    assert fund.cash == approx(95.0 + 0.9025 - 4.75)
    assert fund.gated and [e.kind for e in m.events] == ["gate"]    # logged once
    m.check()


def test_fund_pays_all_requests_below_the_gate():
    m = MiniEconomy(redemption_gate=0.05)
    fund = PrivateCreditFund(m, "Fund", 100.0)
    m.open_books()
    fund.investor_flows()
    # calm: sentiment 1, return 0: request 0.8 < gate 5; inflow 0.95
    assert fund.redeemed == approx(0.8) and fund.queued_redemptions == approx(0.0)
    assert not fund.gated and m.events == []
    assert fund.cash == approx(100.0 + 0.95 - 0.8)


def test_fund_lending_capacity_keeps_a_buffer():
    m = MiniEconomy()
    fund = PrivateCreditFund(m, "Fund", 50.0)
    m.book.add(Loan(issuer=m.other_borrowers, holder=fund, start=0, principal=150.0))
    m.open_books()
    fund.nav_mark = fund.nav           # the quarter's NAV snapshot, as AIEconomy takes it
    # NAV 200, buffer 4% = 8: capacity 50 - 8 = 42 (no bank line)
    assert fund.lending_capacity() == approx(42.0)
    fund.status = "distressed"
    assert fund.lending_capacity() == 0.0


# --- bank ----------------------------------------------------------------------------------
def bank(m: MiniEconomy, cash: float, deposits: float, loans: float) -> Bank:
    b = Bank(m, "Bank", cash)
    b.deposits = m.book.add(Loan(issuer=b, holder=m.depositors, start=0, principal=deposits,
                                 rate=-0.01, floating=True, maturity=10_000,
                                 category="deposit"))
    m.book.add(Loan(issuer=m.other_borrowers, holder=b, start=0, principal=loans, rate=0.02,
                    floating=True, maturity=10_000, category="corporate"))
    m.open_books()
    b.refresh_capital()
    return b


def test_bank_lending_room_from_capital_and_reserves():
    m = MiniEconomy(bank_capital_requirement=0.10)
    b = bank(m, cash=30.0, deposits=200.0, loans=190.0)
    # equity 30 + 190 - 200 = 20; RWA 190; ratio 10.5%
    # capital room = 20 / (0.10 + 0.005) - 190 = 0.476; cash room = 30 - 5% x 200 = 20
    assert b.equity == approx(20.0) and b.capital_ratio == approx(20 / 190)
    assert b.lending_room() == approx(20 / 0.105 - 190)
    rich = bank(MiniEconomy(bank_capital_requirement=0.10), cash=60.0, deposits=200.0,
                loans=190.0)
    # equity 50: capital room 50 / 0.105 - 190 = 286.2; cash room 60 - 10 = 50
    assert rich.lending_room() == approx(50.0)


def test_bank_lending_room_is_zero_below_the_requirement():
    m = MiniEconomy(bank_capital_requirement=0.10)
    b = bank(m, cash=30.0, deposits=260.0, loans=250.0)
    # equity 20 / RWA 250 = 8% < 10%: 20 / 0.105 - 250 < 0
    assert b.capital_ratio == approx(0.08)
    assert b.lending_room() == 0.0
    fund = PrivateCreditFund(m, "Fund", 10.0)
    line = m.book.add(CreditLine(issuer=fund, holder=b, start=0, principal=2.0, limit=20.0,
                                 category="warehouse"))
    b.check_capital()
    assert b.breached and line.limit == 2.0            # undrawn part of the line cut
    assert [e.kind for e in m.events] == ["bank_breach"]
    b.check_capital()
    assert [e.kind for e in m.events] == ["bank_breach"]   # reported once


def test_bank_lending_room_shrinks_with_lending_and_distress():
    m = MiniEconomy(bank_capital_requirement=0.10)
    b = bank(m, cash=60.0, deposits=200.0, loans=190.0)
    b.lent_this_quarter = 280.0
    assert b.lending_room() == approx(50 / 0.105 - 190 - 280)
    b.status = "distressed"
    assert b.lending_room() == 0.0


# --- chipmaker, neocloud, SPV --------------------------------------------------------------
def test_chipmaker_pays_costs_and_half_the_profit():
    m = MiniEconomy()
    c = Chipmaker(m, "Chips", {"cash": 100.0, "market_share": 1.0, "gross_margin": 0.7})
    c.prev_income = {"gpu_purchase": 100.0}
    c.operate()
    # costs (1 - 0.7 + 0.10) x 100 = 40; profit 60: half (30) paid out, cash 100 - 40 - 30
    assert m.suppliers.cash == approx(40.0)
    assert m.equity_investors.cash == approx(30.0)
    assert c.cash == approx(30.0)


def test_neocloud_orders_for_its_backlog_scaled_by_confidence():
    m = MiniEconomy(build_lag=4, cost_per_gw=50.0)
    n = Neocloud(m, "Neo", {"cash": 10.0, "spot_share": 0.2})
    buyer = hyperscaler(m)
    m.book.add(ComputeContract(issuer=buyer, holder=n, start=2, end=20, gw=4.0, price=3.0))
    n.capacity_gw = 2.0
    n.pipeline = [(3, 0.5)]
    m.market.sentiment, m.market.utilisation = 1.0, 0.8
    n.plan_capex()
    # wanted 4 / (1 - 0.2) = 5 GW at t + 4; gap 5 - 2 - 0.5 = 2.5 GW x 50 = 125
    assert n.planned_capex == approx(125.0)
    m.market.sentiment, m.market.utilisation = 0.6, 0.4
    n.plan_capex()
    # confidence 0.6 x (0.4 / 0.8)^2 = 0.15: 18.75
    assert n.planned_capex == approx(18.75)


def test_spv_full_payout_rent():
    m = MiniEconomy()
    sponsor = hyperscaler(m, cash=100.0)
    fund = PrivateCreditFund(m, "Fund", 30.0)
    spv = m.add_spv("Rent SPV", sponsor)
    lend(m, fund, spv, 20.0, Loan, rate=0.05, maturity=79, amortising=True,
         category="spv_debt")
    m.book.add(EquityStake(issuer=spv, holder=fund, start=0, fraction=1.0, cost_basis=4.0))
    spv.building_book = 40.0
    spv.lease = m.book.add(Lease(issuer=sponsor, holder=spv, start=0, end=15))
    spv.set_rent()
    # interest 20 x 5% / 4 = 0.25; principal 20 / 80 = 0.25 < depreciation 40 / 80 = 0.5;
    # equity yield 12% / 4 x 4 = 0.12: rent 0.25 + 0.5 + 0.12 = 0.87
    assert spv.lease.rent == approx(0.87)


# --- market functions ----------------------------------------------------------------------
def test_logistic_revenue_and_ar1():
    # at the midpoint revenue is half the ceiling: 900 / 4 / 2 = 112.5 a quarter
    assert markets.logistic_revenue(13, 900.0, 0.21, 13.0) == approx(112.5)
    # one quarter later: 225 / (1 + e^-0.21) = 225 / 1.81058 = 124.27
    assert markets.logistic_revenue(14, 900.0, 0.21, 13.0) == approx(225 / (1 + math.exp(-0.21)))
    assert markets.logistic_revenue(1000, 900.0, 0.21, 13.0) == approx(225.0)
    # 0.6 x 0.5 + sqrt(1 - 0.36) x 1 = 0.3 + 0.8 = 1.1
    assert markets.ar1_step(0.5, 1.0) == approx(1.1)


def test_expected_growth_and_growth_premium():
    # 0.75 x 0.1 + 0.25 x 0.2 + 0.05 x 0.5 x (1.5 - 1) = 0.075 + 0.05 + 0.0125 = 0.1375
    assert markets.expected_growth(0.1, 0.2, 1.5, 0.75, 0.5) == approx(0.1375)
    assert markets.growth_premium(0.0) == 1.0
    assert markets.growth_premium(math.log(2) / 4) == approx(3.0)   # 100%/yr: 1 + 2 x 1
    assert markets.growth_premium(1.0) == approx(5.0)              # annual growth capped at 2
    assert markets.growth_premium(-0.3) == 1.0


def test_sentiment_update_and_bounds():
    # 1 + 0.15 x 0.2 + 0.05 - 1.5 x 0.1 - 0.1 x 0.5 + 0.1 x 0 = 0.88
    assert markets.update_sentiment(1.0, 0.2, 0.05, 0.1, 0.5) == approx(0.88)
    assert markets.update_sentiment(2.4, 5.0, 1.0, 0.0, 0.0) == markets.SENTIMENT_MAX
    assert markets.update_sentiment(0.4, -5.0, -1.0, 1.0, 1.0) == markets.SENTIMENT_MIN


def test_spot_rent_falls_faster_with_slack():
    # 3 x 0.98 x (1 + 0.6 x (0.5 - 0.8)) = 2.94 x 0.82 = 2.4108
    assert markets.spot_rent(3.0, 0.5, 0.02) == approx(2.4108)
    # tight market: 2.94 x (1 + 0.1 x 0.05) = 2.9547
    assert markets.spot_rent(3.0, 0.95, 0.02) == approx(2.9547)
    assert markets.spot_rent(3.0, 0.85, 0.02) == approx(2.94)
    assert markets.spot_rent(0.21, 0.0, 0.15) == 0.2                 # floor


def test_capacity_value_and_ig_spread():
    # 6 years x 4 x (3 x 0.8 - 0.35) = 24 x 2.05 = 49.2 (< cost 50)
    assert markets.capacity_value_per_gw(3.0, 0.8, 0.35, 50.0) == approx(49.2)
    assert markets.capacity_value_per_gw(5.0, 1.0, 0.35, 50.0) == 50.0    # at most its cost
    assert markets.capacity_value_per_gw(0.3, 0.5, 0.35, 50.0) == 0.0     # rent < opex
    assert markets.ig_spread(0.5) == approx(0.0075 + 0.015)
    assert markets.ig_spread(-1.0) == markets.IG_SPREAD_BASE


# --- packaging -----------------------------------------------------------------------------
def test_agents_package_imports_on_its_own():
    """``import agents`` in a fresh interpreter (it used to be a circular import via model)."""
    out = subprocess.run([sys.executable, "-c", "import agents; print(agents.SPV.role)"],
                         cwd=ROOT, check=True, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "spv"
