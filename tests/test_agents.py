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
from core.contracts import (
    Bond,
    ComputeContract,
    CreditLine,
    Deposit,
    EquityStake,
    Lease,
    Loan,
)
from core.finance import lend
from core.state import Status
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
                        maturity=60, category="ig_bond"))
    m.open_books()
    return h


# --- Hyperscaler ---------------------------------------------------------------------------
@pytest.mark.parametrize(("debt", "expected"), [
    (0.0, 0.2),      # no net debt: ratio 0, no pressure: spv_share 0.2
    (110.0, 0.2),    # net debt 100 / OCF 100 = 1.0 <= 1.5: 0.2
    (310.0, 0.35),   # ratio 3.0: pressure 1 + 0.5 x 1.5 = 1.75 -> 0.35
    (510.0, 0.4),    # ratio 5.0: pressure 1 + 0.5 x 3.5 = 2.75 -> 0.55, capped at the
    (1010.0, 0.4),   # shells' share of capex (SPVs own the shells, 1 - 0.6)
])
def test_spv_fraction_rises_with_the_rating_ratio(debt, expected):
    m = MiniEconomy()
    h = hyperscaler(m, cash=10.0, debt=debt)
    m.t = 4
    assert h.annual_operating_cash() == approx(100.0)
    assert h.rating_ratio() == approx(max(0.0, debt - 10.0) / 100.0)
    assert h.spv_fraction() == approx(expected)


def test_spv_fraction_scales_with_appetite_and_starts_in_2025q4():
    m = MiniEconomy(spv_appetite=2.0)
    h = hyperscaler(m, debt=110.0)
    for t in range(3):                       # the named 2025 deals are in the roster
        m.t = t
        assert h.spv_fraction() == 0.0
    m.t = 3
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
    m.market.long_rate, m.market.credit_stress = 0.045, 0.0
    # room = 3.0 x OCF 100 - net debt (210 - 10) = 100; 150 wanted -> 100 sold
    # rating: net debt / OCF = 2.0 -> single A; coupon = long rate 4.5% + A spread 0.8%
    assert h.rating_notch() == 2
    sold = h.issue_bonds(150.0)
    assert sold == approx(100.0)
    new = [c for c in h.issued if isinstance(c, Bond) and c.maturity != 60]   # not the old
    # a ladder like Meta's 2025 deal: 26% at 5 years, 22% at 10, 52% at 30
    assert [(c.maturity - m.t, round(c.principal, 6)) for c in new] == [(20, 26.0), (40, 22.0),
                                                                      (120, 52.0)]
    assert all(c.holder is m.bond_investors and c.rate == approx(0.053) for c in new)
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
    # spend = fixed 2 x 1.0 + 10 x (0.8 mature cost ratio + 0.27) = 12.7: 60% compute
    assert a.compute_budget == approx(0.6 * 12.7)
    assert a.other_budget == approx(0.4 * 12.7)


def test_lab_burn_is_full_with_a_long_runway_and_shrinks_with_scale():
    m = MiniEconomy(lab_burn=0.9)
    m.market.sentiment, m.market.non_ai_growth = 1.0, 1.0
    small = lab(m, cash=100.0, revenue=10.0, burn=0.0)     # no burn yet: runway taken as 8
    small.plan_spending()
    # b = 0.9 x 1 x 1 / 2 = 0.45: spend = 2 + 10 x (0.8 + 0.45) = 14.5
    assert small.compute_budget + small.other_budget == approx(14.5)
    m2 = MiniEconomy(lab_burn=0.9)
    big = lab(m2, cash=1000.0, revenue=90.0, burn=1.0)     # runway 1000 quarters
    big.plan_spending()
    # b = 0.9 / (1 + 9) = 0.09: spend = 2 + 90 x 0.89 = 82.1 < revenue 90: a profit
    assert big.compute_budget + big.other_budget == approx(82.1)


def test_distressed_lab_spends_revenue_plus_half_its_cash():
    m = MiniEconomy(lab_burn=0.9)
    m.market.sentiment = 1.2
    a = lab(m, cash=2.0, revenue=10.0, burn=5.0)
    a.status = Status.DISTRESSED
    a.plan_spending()
    # runway 0.4 -> 0.05; b = 0.9 x 1.2 x 0.05 / 2 = 0.027: plan 2 + 10 x 0.827 = 10.27
    # capped at revenue + half the cash = 10 + 1 = 11: no cap binds
    assert a.compute_budget + a.other_budget == approx(10.27)
    a.fixed_opex = 4.0            # plan 4 + 8.27 = 12.27 -> capped at 11
    a.plan_spending()
    assert a.compute_budget + a.other_budget == approx(11.0)


@pytest.mark.parametrize(("budget", "paid", "used", "spot"), [
    (3.0, 5.4, 1.0, 0.0),    # uses 1 GW but pays the 90% floor: 1.8 x 3; nothing left for spot
    (9.0, 6.0, 2.0, 3.0),    # uses all 2 GW: 6.0; 3.0 left for spot compute
])
def test_lab_pays_take_or_pay_first(budget, paid, used, spot):
    m = MiniEconomy()
    a = lab(m, cash=20.0, revenue=0.0, burn=0.0)
    cloud = hyperscaler(m)
    cloud.capacity_gw = 2.0                # enough capacity to deliver the contract
    m.book.add(ComputeContract(issuer=a, holder=cloud, start=0, end=7, gw=2.0, price=3.0,
                               take_or_pay=0.9))
    m.open_books()
    a.compute_budget = budget
    left = a.pay_compute()
    assert cloud.cash == approx(10.0 + paid)
    assert a.used_gw == approx(used)
    assert left == approx(spot)
    m.check()


def test_a_provider_bills_only_the_capacity_it_can_deliver():
    m = MiniEconomy()
    a = lab(m, cash=20.0, revenue=0.0, burn=0.0)
    cloud = hyperscaler(m)
    cloud.capacity_gw = 1.0                # half of the 2 GW it sold is running
    m.book.add(ComputeContract(issuer=a, holder=cloud, start=0, end=7, gw=2.0, price=3.0,
                               take_or_pay=0.9))
    m.open_books()
    a.compute_budget = 9.0
    left = a.pay_compute()
    # delivered 1 of 2 GW: the lab uses and pays for 1 GW (3.0); the take-or-pay floor applies
    # to what is delivered (0.9 x 1 GW); 6.0 of the budget is left for spot compute
    assert cloud.delivery_share() == approx(0.5)
    assert cloud.cash == approx(13.0) and a.used_gw == approx(1.0) and left == approx(6.0)
    m.check()


# --- private-credit fund -------------------------------------------------------------------
def retail_fund(m: MiniEconomy, cash: float) -> PrivateCreditFund:
    """A fund owned entirely by retail investors (a non-traded BDC), holding only cash."""
    fund = PrivateCreditFund(m, "Fund", cash)
    fund.lp_shares = {m.retail_investors: 1.0}
    m.open_books()
    m.market.base_rate = 0.04
    return fund


def test_fund_gate_caps_redemptions_and_queues_the_rest():
    m = MiniEconomy(redemption_gate=0.05, lp_redemption_sensitivity=1.0, base_rate=0.04)
    fund = retail_fund(m, 100.0)
    m.market.sentiment, m.market.distress_share = 0.5, 0.1
    fund.returns.extend([-0.05] * 4)
    fund.investor_flows()
    # NAV 100; a year of -20% against a benchmark of 4% + 4% = 8%: shortfall 0.28
    # inflow 100 x max(0, 0.012 x 0.5 + 0.5 x (-0.28) / 4) = 0
    # stress: shortfall 0.8 x 0.28 / 4 = 0.056, distress 0.3 x 0.1 = 0.03, sentiment
    # 0.06 x (1 - 0.5) = 0.03: 0.116; target requests 0.008 + 0.116 = 0.124 of NAV
    # requests persist: 0.6 x 0.008 + 0.4 x 0.124 = 0.0544 of NAV = 5.44
    # the gate, 5% of the retail NAV (all of it), pays 5; 0.44 queued
    assert fund.request_rate == approx(0.0544)
    assert fund.redeemed == approx(5.0)
    assert fund.queued_redemptions == approx(0.44)
    assert fund.gated and fund.cash == approx(95.0) and m.retail_investors.cash == approx(5.0)
    assert fund.capital == approx(-5.0)            # redemptions are capital, not a loss
    assert [e.kind for e in m.events] == ["gate"]
    assert fund.lending_capacity() == 0.0 and not fund.will_roll(None)   # a gated fund

    m.market.sentiment, m.market.distress_share = 1.0, 0.0
    fund.returns.extend([0.02] * 4)
    fund.investor_flows()
    # excess 0.08 - 0.08 = 0; target 0.008; rate 0.6 x 0.0544 + 0.4 x 0.008 = 0.03584
    # NAV 95: requests 3.4048, queue 3.8448, below the gate of 4.75: all paid, the gate lifts;
    # no subscriptions while the fund was gated
    assert fund.request_rate == approx(0.03584)
    assert fund.redeemed == approx(3.8448)
    assert fund.queued_redemptions == approx(0.0)
    assert fund.cash == approx(95.0 - 3.8448)
    assert not fund.gated and [e.kind for e in m.events] == ["gate"]
    m.check()


def test_one_bad_quarter_does_not_gate_a_fund_but_a_bad_year_does():
    m = MiniEconomy(redemption_gate=0.05, base_rate=0.04)
    fund = retail_fund(m, 100.0)
    fund.returns.extend([0.022, 0.022, 0.022, -0.05])     # one bad quarter in a good year
    fund.investor_flows()
    # trailing return 0.016, shortfall 0.064: target 0.008 + 0.8 x 0.064 / 4 = 0.0208
    # requests 0.6 x 0.008 + 0.4 x 0.0208 = 0.01312 of NAV: well below the 5% gate
    assert fund.request_rate == approx(0.01312)
    assert not fund.gated
    gated_after = None
    for quarter in range(1, 9):                             # then losses every quarter
        fund.returns.append(-0.05)
        fund.investor_flows()
        if fund.gated and gated_after is None:
            gated_after = quarter
    assert gated_after is not None and gated_after >= 2     # requests build up first


def test_fund_pays_all_requests_below_the_gate():
    m = MiniEconomy(redemption_gate=0.05, base_rate=0.04)
    fund = retail_fund(m, 100.0)
    fund.returns.extend([0.02] * 4)
    fund.investor_flows()
    # calm: return 8% = benchmark: inflow 100 x 0.012 = 1.2; requests 0.8 < gate 5
    assert fund.redeemed == approx(0.8) and fund.queued_redemptions == approx(0.0)
    assert not fund.gated and m.events == []
    assert fund.cash == approx(100.0 + 1.2 - 0.8)


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
    b.deposits = m.book.add(Deposit(issuer=b, holder=m.depositors, start=0, principal=deposits,
                                    beta=0.5, floating=True, maturity=10_000,
                                    category="deposit"))
    m.book.add(Loan(issuer=m.other_borrowers, holder=b, start=0, principal=loans, rate=0.02,
                    floating=True, maturity=10_000, category="corporate"))
    m.open_books()
    b.refresh_capital()
    return b


def test_bank_lending_room_from_capital_and_reserves():
    m = MiniEconomy(bank_capital_requirement=0.10, countercyclical_buffer=0.0)
    b = bank(m, cash=30.0, deposits=200.0, loans=190.0)
    # equity 30 + 190 - 200 = 20; RWA 190; ratio 10.5%
    # capital room = 20 / (0.10 + 0.005) - 190 = 0.476; liquidity room = 30 - 10% x 200 = 10
    assert b.equity == approx(20.0) and b.capital_ratio == approx(20 / 190)
    assert b.lending_room() == approx(20 / 0.105 - 190)
    rich = bank(MiniEconomy(bank_capital_requirement=0.10, countercyclical_buffer=0.0),
                cash=60.0, deposits=200.0, loans=190.0)
    # equity 50: capital room 50 / 0.105 - 190 = 286.2; liquidity room 60 - 20 = 40
    assert rich.lending_room() == approx(40.0)
    # the countercyclical buffer raises the capital needed for new loans: equity 22 on RWA
    # 182 leaves 22 / 0.105 - 182 = 27.5 (liquidity 40 - 20 binds: 20) without a buffer, and
    # 22 / 0.13 - 182 < 0 with a 2.5% buffer
    plain = bank(MiniEconomy(bank_capital_requirement=0.10, countercyclical_buffer=0.0),
                 cash=40.0, deposits=200.0, loans=182.0)
    assert plain.lending_room() == approx(20.0)
    buffered = bank(MiniEconomy(bank_capital_requirement=0.10, countercyclical_buffer=0.025),
                    cash=40.0, deposits=200.0, loans=182.0)
    assert buffered.lending_room() == 0.0


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
    m = MiniEconomy(bank_capital_requirement=0.10, countercyclical_buffer=0.0)
    b = bank(m, cash=260.0, deposits=200.0, loans=190.0)
    # equity 250: capital room 250 / 0.105 - 190 = 2190.95, less what it lent this quarter
    b.lent_this_quarter = 2100.0
    assert b.lending_room() == approx(250 / 0.105 - 190 - 2100)
    b.status = Status.DISTRESSED
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


def test_neocloud_builds_its_backlog_whatever_the_mood_and_its_spot_book_on_confidence():
    m = MiniEconomy(build_lag=4, cost_per_gw=50.0)
    n = Neocloud(m, "Neo", {"cash": 10.0, "spot_share": 0.2})
    buyer = hyperscaler(m)
    m.book.add(ComputeContract(issuer=buyer, holder=n, start=2, end=20, gw=4.0, price=3.0))
    n.capacity_gw = 2.0
    n.pipeline = [(3, 0.5)]
    m.market.sentiment, m.market.utilisation = 1.0, 0.8
    n.plan_capex()
    # has 2 + 0.5 GW; the contract needs 4 at t + 4: a gap of 1.5 GW, built whatever the mood;
    # the spot book wants 4 / (1 - 0.2) = 5 GW in all: 1 GW more. Closed over the 4-quarter
    # build lag: (1.5 + 1) / 4 x 50 = 31.25 a quarter
    assert n.planned_capex == approx(31.25)
    m.market.sentiment, m.market.utilisation = 0.6, 0.4
    n.plan_capex()
    # confidence 0.6 x (0.4 / 0.8)^2 = 0.15 scales only the spot book: (1.5 + 0.15) / 4 x 50
    assert n.planned_capex == approx(20.625)
    buyer.status = Status.DISTRESSED         # no one builds for a buyer in distress
    n.plan_capex()
    assert n.planned_capex == approx(0.0)


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
    # rent is cash: interest 20 x 5% / 4 = 0.25, principal due 20 / 80 = 0.25 and the equity
    # yield 12% / 4 x 4 = 0.12: 0.62. Book depreciation (40 / 80 = 0.5) does not enter: an
    # accounting life cannot raise the cash rent (a short book life once made xAI default)
    assert spv.lease.rent == approx(0.62)
    m.params = m.params.with_overrides(gpu_book_life=8, gpu_economic_life=8)
    spv.gpu_book = 40.0
    spv.set_rent()
    assert spv.lease.rent == approx(0.62)


# --- market functions ----------------------------------------------------------------------
@pytest.mark.parametrize(("revenue_2030", "multiple"), [(150.0, 1.02), (800.0, 1.15),
                                                        (2000.0, 1.25), (3000.0, 3.0)])
def test_revenue_path_keeps_2025_and_hits_the_2030_assumption(revenue_2030, multiple):
    path = markets.RevenuePath.solve(revenue_2030, multiple)
    # 2025 is observed: the same four quarters (~75B) whatever the assumption
    assert [path.at(t) for t in range(4)] == [13.78, 16.76, 20.32, 24.55]
    # the four quarters of 2030 add up to the assumption, and revenue levels off at the ceiling
    assert sum(path.at(t) for t in range(20, 24)) == approx(revenue_2030, rel=1e-9)
    assert path.at(1000) == approx(multiple * revenue_2030 / 4)
    assert all(path.at(t + 1) > path.at(t) for t in range(60))


def test_ar1_step():
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


def test_spot_rent_falls_with_slack_and_rises_when_demand_outruns_capacity():
    # 3 x 0.98 x (1 + 0.6 x (0.5 - 0.8)) = 2.94 x 0.82 = 2.4108
    assert markets.spot_rent(3.0, 0.5, 0.02) == approx(2.4108)
    # demand 20% above capacity: 2.94 x (1 + 0.3 x 0.4) = 3.2928: rents rise (defect 11)
    assert markets.spot_rent(3.0, 1.2, 0.02) == approx(3.2928)
    assert markets.spot_rent(3.0, 1.2, 0.02) > 3.0
    assert markets.spot_rent(3.0, 0.8, 0.02) == approx(2.94)          # at target: the trend
    assert markets.spot_rent(3.0, 9.0, 0.0) == approx(3.0 * (1 + 0.3 * 0.7))   # capped
    assert markets.spot_rent(0.21, 0.0, 0.15) == 0.2                 # floor


def test_capacity_value_splits_gpus_from_powered_shells():
    # 2025 prices (rent 3 at 80% use): GPUs at their market value, shells at book: 30 + 20
    assert markets.capacity_value(30.0, 20.0, 3.0, 0.8) == approx(50.0)
    # half the rent at half the use: GPUs earn 1.5 x 0.4 / 2.4 = 25% -> 7.5;
    # shells keep 0.4 + 0.6 x 0.4 / 0.8 = 70% of book -> 14
    assert markets.capacity_value(30.0, 20.0, 1.5, 0.4) == approx(7.5 + 14.0)
    # fire sales press on used GPUs, not on shells
    assert markets.capacity_value(30.0, 20.0, 1.5, 0.4, 0.5) == approx(3.75 + 14.0)
    # idle shells fall to the floor of 40% of book
    assert markets.capacity_value(0.0, 20.0, 0.2, 0.0) == approx(8.0)


def test_ratings_and_spreads():
    from core import ratings

    assert ratings.notch_from_leverage(-5.0, 100.0) == 0            # net cash: AAA
    assert ratings.notch_from_leverage(200.0, 100.0) == 2           # 2x: A
    assert ratings.notch_from_leverage(400.0, 100.0) == 3           # 4x: BBB, still IG
    assert ratings.notch_from_leverage(401.0, 100.0) == 4           # BB
    assert ratings.notch_from_leverage(10.0, -1.0) == 6             # no cash flow: CCC
    assert ratings.label(3) == "BBB" and ratings.is_investment_grade(3)
    assert not ratings.is_investment_grade(4)
    # unsecured spreads widen with stress: BBB 120 bp calm, x (1 + 3 x 0.5) in stress
    assert ratings.bond_spread(3, 0.0) == approx(0.012)
    assert ratings.bond_spread(3, 0.5) == approx(0.012 * 2.5)
    # offtaker pricing: an A customer backs a loan at S+225, a BB one at S+450 (CoreWeave)
    assert ratings.secured_spread(2, 0.0) == approx(0.0225)
    assert ratings.secured_spread(4, 0.0) - ratings.secured_spread(2, 0.0) >= 0.02
    spreads = [ratings.secured_spread(n, 0.0) for n in range(7)]
    assert spreads == sorted(spreads)
    # the high-yield market shuts when sentiment sours; investment grade stays open
    assert ratings.bond_market_open(3, 0.3) and not ratings.bond_market_open(4, 0.3)
    assert ratings.bond_market_open(4, 1.0) and not ratings.bond_market_open(6, 1.0)
    assert markets.ig_spread(-1.0) == markets.IG_SPREAD_BASE


# --- packaging -----------------------------------------------------------------------------
def test_agents_package_imports_on_its_own():
    """``import agents`` in a fresh interpreter (it used to be a circular import via model)."""
    out = subprocess.run([sys.executable, "-c", "import agents; print(agents.SPV.role)"],
                         cwd=ROOT, check=True, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "spv"
