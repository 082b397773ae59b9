"""The ten phases of a quarter (MODEL.md section 4), one function each.

Each phase reads the model's state, asks the agents to act through their verb methods and
moves every payment through the ledger. ``AIEconomy.step`` calls them in order.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from agents.abs_vehicle import ABSVehicle
from core.coefficients import (
    BASE_RENT,
    BUILDING_LIFE,
    CAPACITY_MARGIN,
    CAPTIVE_GROWTH,
    CAPTIVE_GW_2025,
    CLOUD_GW_PER_REVENUE,
    COST_OF_CAPITAL,
    EQUITY_SUPPLY_2025,
    EQUITY_SUPPLY_GROWTH,
    EQUITY_WINDOW_CAP,
    EQUITY_WINDOW_FROM,
    GAP_HORIZON,
    GUIDED_CAPEX,
    IDLE_NEWS,
    NON_AI_GROWTH,
    NORMAL_MULTIPLE,
    OPEX_PER_GW,
    QUARTERS_PER_YEAR,
    REVENUE_NOISE_FLOOR,
    SECURITIZATION_SENTIMENT,
    SENTIMENT_STRESS_WEIGHT,
    TARGET_UTILISATION,
    TERM_PREMIUM,
    UTILISATION_SMOOTHING,
)
from core.contracts import Backstop, ComputeContract, EquityStake, Lease, Loan, Warrant
from core.events import quarter_label
from core.finance import pay_due, service_loan
from core.markets import (
    ar1_step,
    expected_growth,
    growth_premium,
    ig_spread,
    logistic_revenue,
    spot_rent,
    update_sentiment,
)
from core.state import QuarterFlows, Status
from model.distress import resolve
from model.metrics import compute_metrics

if TYPE_CHECKING:
    from model.economy import AIEconomy

# Guided capex of the five hyperscalers, 2025Q1-2026Q4 (orders placed in 2023-24).
# order in which issuers service their debt: rent reaches SPVs before they pay lenders
DEBT_SERVICE_ORDER = ("outside", "hyperscaler", "lab", "neocloud", "chipmaker", "spv", "abs",
                      "fund", "bank")


def initial_markets(m: AIEconomy) -> None:
    """Starting valuations and marks of equity stakes before the first quarter."""
    p = m.params
    m.market.revenue_prev = logistic_revenue(-1, p.revenue_ceiling, p.revenue_growth, p.revenue_midpoint)
    m.market.bubble_index = growth_premium(m.market.expected_growth) * m.market.sentiment
    m.market.value_ai = m.market.value_prev = (QUARTERS_PER_YEAR * m.market.revenue_prev
                                               * NORMAL_MULTIPLE * m.market.bubble_index)
    m.market.fundamental_prev = m.market.revenue_prev * growth_premium(m.market.expected_growth)
    lab_rev = m.market.revenue_prev * p.lab_revenue_share
    for lab in m.labs:
        lab.prev_income = {"ai_revenue": lab_rev * lab.revenue_share}
        lab.income["ai_revenue"] = lab_rev * lab.revenue_share
    _mark_equity(m)
    for lab in m.labs:
        lab.income.clear()
    for h in m.hyperscalers:          # treasuries plan their cash around guided capex
        h.capex_trend = GUIDED_CAPEX[0] * h.capex_share


def begin_quarter(m: AIEconomy) -> None:
    """Roll the income statements and the quarter's flow counters."""
    m.ledger.begin_quarter()
    m.flows = QuarterFlows()
    m.market.loans_sold = 0.0
    for a in m.all_agents:
        a.prev_income = dict(a.income)
        a.income.clear()
        a.missed = 0.0
        a.capex_this_quarter = 0.0
    for c in m.chipmakers:
        c.vendor_financing = 0.0
    for f in m.funds:
        f.record_return()
    for b in m.banks:
        b.refresh_capital()
    m.market.non_ai_growth = (1.0 + NON_AI_GROWTH) ** m.t
    # outside money for private AI rounds this quarter: grows, and dries up as sentiment sours
    m.market.equity_window = (EQUITY_SUPPLY_2025 * (1.0 + EQUITY_SUPPLY_GROWTH) ** m.t
                       * min(EQUITY_WINDOW_CAP, max(0.0, (m.market.sentiment - EQUITY_WINDOW_FROM)
                                                  / (1.0 - EQUITY_WINDOW_FROM))))


# --- 1. demand -----------------------------------------------------------------------------
def demand(m: AIEconomy) -> None:
    """End-customer AI revenue from the logistic path with AR(1) noise; efficiency shocks."""
    p, t = m.params, m.t
    m.market.revenue_prev = m.market.revenue if t > 0 else m.market.revenue_prev
    m.market.noise = ar1_step(m.market.noise, float(m.rng.standard_normal()))
    base = logistic_revenue(t, p.revenue_ceiling, p.revenue_growth, p.revenue_midpoint)
    m.market.revenue = base * max(REVENUE_NOISE_FLOOR, 1.0 + p.revenue_noise * m.market.noise)
    m.market.efficiency *= 1.0 - p.efficiency_gain
    if t == p.efficiency_shock_quarter:
        m.market.efficiency *= 1.0 - p.efficiency_shock_size
        m.log(f"A cheaper model cuts the compute needed per revenue dollar by "
              f"{p.efficiency_shock_size:.0%}", "shock")
    labs = [lab for lab in m.labs if lab.status != Status.DEFAULTED]
    lab_total = m.market.revenue * p.lab_revenue_share if labs else 0.0
    shares = sum(lab.revenue_share for lab in labs)
    for lab in labs:
        m.ledger.transfer(m.customers, lab, lab_total * lab.revenue_share / shares, "ai_revenue")
    cloud = m.market.revenue - lab_total
    m.market.cloud_revenue = cloud
    alive = [h for h in m.hyperscalers if h.status != Status.DEFAULTED]
    cloud_shares = sum(h.cloud_share for h in alive)
    for h in alive:
        m.ledger.transfer(m.customers, h, cloud * h.cloud_share / cloud_shares, "ai_revenue")
        m.ledger.transfer(m.customers, h, h.non_ai_ocf * m.market.non_ai_growth, "non_ai_revenue")


# --- 2. compute ----------------------------------------------------------------------------
def compute(m: AIEconomy) -> None:
    """Labs pay take-or-pay contracts and buy spot compute; utilisation follows."""
    t = m.t
    for a in m.capacity_owners():
        a.bring_online()
    spot_budgets = {}
    for lab in m.labs:
        lab.plan_spending()
        spot_budgets[lab] = lab.pay_compute() if lab.status != Status.DEFAULTED else 0.0
    for c in m.book.of(ComputeContract):
        if c.issuer.role != "lab" and c.in_force(t):
            pay_due(m, c, c.payment(t, c.gw), "compute")      # hyperscaler buys from neocloud
    efficiency = m.market.efficiency
    captive = CAPTIVE_GW_2025 * (1.0 + CAPTIVE_GROWTH) ** t * efficiency
    cloud_gw = m.market.cloud_revenue * CLOUD_GW_PER_REVENUE * efficiency
    contracted_use = sum(lab.used_gw for lab in m.labs)
    spot_wanted = sum(spot_budgets.values()) / m.market.spot_rent
    # spot capacity: what each provider has beyond its contracted and own use
    free = {}
    cloud_total = sum(h.cloud_share for h in m.hyperscalers) or 1.0
    for h in m.hyperscalers:
        own_use = (captive + cloud_gw) * h.cloud_share / cloud_total
        sold = sum(c.gw for c in h.compute_contracts_held() if c.in_force(t))
        free[h] = max(0.0, h.operated_gw - own_use - sold)
    for n in m.neoclouds:
        free[n] = max(0.0, n.operated_gw - n.contracted_gw(t))
    for s in m.spvs:
        if s.merchant:
            free[s] = s.capacity_gw
    total_free = sum(free.values())
    sold_gw = min(spot_wanted, total_free)
    fill = sold_gw / spot_wanted if spot_wanted > 1e-12 else 0.0
    # the spot market clears through one pool: labs pay in, providers are paid pro rata
    spent = 0.0
    for lab, budget in spot_budgets.items():
        if budget * fill > 1e-12:
            spent += lab.pay(m.clearing_house, budget * fill, "compute")
    spot_sales = dict.fromkeys(free, 0.0)
    for provider, f in free.items():
        amount = spent * f / total_free if total_free > 0 else 0.0
        if amount > 1e-12:
            m.ledger.transfer(m.clearing_house, provider, amount, "compute")
            spot_sales[provider] = amount / m.market.spot_rent
    for c in m.book.of(Backstop):
        if c.active:
            unsold = max(0.0, free.get(c.holder, 0.0) - spot_sales.get(c.holder, 0.0))
            paid = pay_due(m, c, c.payment(t, unsold * m.market.spot_rent), "backstop")
            m.record_loss(c.issuer, "guarantee called", paid)
    m.market.capacity_total = sum(a.capacity_gw for a in m.capacity_owners())
    m.market.demand_gw = captive + cloud_gw + contracted_use + sold_gw
    m.market.utilisation = (min(1.0, m.market.demand_gw / m.market.capacity_total)
                            if m.market.capacity_total > 0 else 0.0)
    m.market.utilisation_avg = (UTILISATION_SMOOTHING * m.market.utilisation_avg
                                + (1.0 - UTILISATION_SMOOTHING) * m.market.utilisation)


# --- 3. operations -------------------------------------------------------------------------
def operations(m: AIEconomy) -> None:
    """Opex and power, depreciation, payouts."""
    for a in m.capacity_owners():
        a.depreciate()
    for group in (m.hyperscalers, m.labs, m.neoclouds, m.chipmakers, m.spvs, m.banks):
        for a in group:
            if a.status != Status.DEFAULTED:
                a.operate()


# --- 4. debt service -----------------------------------------------------------------------
def debt_service(m: AIEconomy) -> None:
    """Rent on leases, then interest and principal on every loan and bond."""
    t = m.t
    for s in m.spvs:
        s.review_lease()
        s.set_rent()
    for c in m.book.of(Lease):
        if c.active:
            pay_due(m, c, c.scheduled(t), "lease_rent")
    loans = m.book.of(Loan)
    order = {role: i for i, role in enumerate(DEBT_SERVICE_ORDER)}
    loans.sort(key=lambda c: (order[c.issuer.role], c.seniority))
    for loan in loans:
        if loan.issuer.role == "abs":
            continue                      # ABS notes are paid by the waterfall
        if loan.active:
            service_loan(m, loan)
    for v in m.abs_vehicles:
        v.run_waterfall()
    for s in m.spvs:
        s.distribute()


# --- 5. investment -------------------------------------------------------------------------
def investment(m: AIEconomy) -> None:
    """Capex plans: guided in 2025-26, then from expected demand; capped by power."""
    p, t = m.params, m.t
    if t < len(GUIDED_CAPEX):
        # guidance is reported (on-balance-sheet) capex; SPV deals come on top of it
        for h in m.hyperscalers:
            h.planned_capex = GUIDED_CAPEX[t] * h.capex_share / (1.0 - h.spv_fraction())
    else:
        # each hyperscaler builds for its share of expected open demand plus the compute it
        # has sold forward (Oracle's contract with OpenAI needs ~4.5 GW of its own)
        lag = p.build_lag
        growth = math.exp(m.market.expected_growth * lag) * CAPACITY_MARGIN
        contracted = {h: sum(c.gw for c in h.compute_contracts_held() if c.in_force(t + lag))
                      for h in m.hyperscalers}
        open_demand = max(0.0, m.market.demand_gw - sum(contracted.values()))
        alive = [h for h in m.hyperscalers if h.status == Status.ACTIVE]
        share_total = sum(h.cloud_share for h in alive) or 1.0
        # cut when capacity stands idle or the market turns
        confidence = (min(1.0, m.market.utilisation / TARGET_UTILISATION) ** 2
                      * min(1.0, m.market.sentiment))
        for h in m.hyperscalers:
            if h.status != Status.ACTIVE:
                h.planned_capex = 0.0
                continue
            need = open_demand * growth * h.cloud_share / share_total + contracted[h]
            gap_gw = max(0.0, need - h.operated_gw - h.pipeline_gw - h.leased_pipeline_gw)
            h.planned_capex = gap_gw / lag * confidence * p.cost_per_gw
    for n in m.neoclouds:
        n.plan_capex()
    builders = [*m.hyperscalers, *m.neoclouds]
    gw_planned = sum(b.planned_capex for b in builders) / p.cost_per_gw
    power = power_available(m)
    if gw_planned > power > 0:
        for b in builders:
            b.planned_capex *= power / gw_planned


def power_available(m: AIEconomy) -> float:
    """GW of new load that can be connected this quarter (worldwide), after a power crunch."""
    p = m.params
    power = p.power_gw_2025 * (1.0 + p.power_growth) ** m.t
    if 0 <= p.power_crunch_quarter <= m.t:
        power *= 1.0 - p.power_crunch_size
    return power


# --- 6. financing --------------------------------------------------------------------------
def financing(m: AIEconomy) -> None:
    """Labs raise equity; builders fund capex by the pecking order and buy capacity."""
    for lab in m.labs:
        if lab.status != Status.DEFAULTED:
            lab.record_burn()
            lab.raise_funds()
    for b in (*m.hyperscalers, *m.neoclouds):
        if b.status != Status.DEFAULTED:
            b.finance_and_build()
    capex = sum(a.capex_this_quarter for a in m.all_agents)
    m.flows.capex = capex
    m.flows.hyperscaler_capex = sum(h.capex_this_quarter for h in m.hyperscalers)
    m.market.cumulative_capex += capex


# --- 7. credit supply ----------------------------------------------------------------------
def credit_supply(m: AIEconomy) -> None:
    """Fund investors come and go (gated); funds repay lines; banks check capital."""
    for f in m.funds:
        if f.status == Status.DEFAULTED:
            continue
        f.investor_flows()
        f.repay_line()
        m.flows.fund_redemptions += f.redeemed
    if m.t % 4 == 3 and m.t >= 4 and m.market.sentiment >= SECURITIZATION_SENTIMENT:
        # once a year, the fund with the largest book of SPV loans sells a slice as ABS
        active = [f for f in m.funds if f.status == Status.ACTIVE]
        if active:
            ABSVehicle.securitize(m, max(active, key=_spv_book))
    for b in m.banks:
        if b.status != Status.DEFAULTED:
            b.check_capital()
            b.refresh_capital()


def _spv_book(fund) -> float:
    return sum(c.value() for c in fund.held if isinstance(c, Loan) and c.category == "spv_debt")


# --- 8. markets ----------------------------------------------------------------------------
def markets(m: AIEconomy) -> None:
    """Expectations, sentiment, valuations, spreads, rents, used-GPU prices, marks."""
    p, t = m.params, m.t
    observed = math.log(max(m.market.revenue, 1e-9) / max(m.market.revenue_prev, 1e-9))
    surprise = observed - m.market.expected_growth
    m.market.expected_growth = expected_growth(m.market.expected_growth, observed, m.market.sentiment,
                                        p.expectation_memory, p.herding)
    m.market.distress_share = _distress_share(m)
    m.market.revenue_gap, m.market.gap_share = _revenue_gap(m)
    fundamental = m.market.revenue * growth_premium(m.market.expected_growth)
    dln_value = math.log(max(fundamental, 1e-9) / max(m.market.fundamental_prev, 1e-9))
    m.market.fundamental_prev = fundamental
    m.market.sentiment = update_sentiment(m.market.sentiment, dln_value, surprise, m.market.distress_share,
                                   m.market.gap_share)
    m.market.bubble_index = growth_premium(m.market.expected_growth) * m.market.sentiment
    m.market.value_prev = m.market.value_ai
    m.market.value_ai = QUARTERS_PER_YEAR * m.market.revenue * NORMAL_MULTIPLE * m.market.bubble_index
    # rates and spreads
    shock = p.rate_shock_bp / 1e4 if 0 <= p.rate_shock_quarter <= t else 0.0
    m.market.base_rate = max(0.0, p.base_rate + shock)          # policy rates stop at zero
    if t == p.rate_shock_quarter:
        m.log(f"Rates jump by {p.rate_shock_bp:+.0f} bp", "shock")
    m.market.long_rate = m.market.base_rate + TERM_PREMIUM
    m.market.ig_spread = ig_spread(m.market.distress_share
                                   + SENTIMENT_STRESS_WEIGHT * max(0.0, 1.0 - m.market.sentiment))
    # compute rents and used GPUs
    m.market.spot_rent = spot_rent(m.market.spot_rent, m.market.utilisation, p.compute_price_decline)
    if t == p.chip_jump_quarter:
        m.market.spot_rent *= 1.0 - p.chip_jump_size
        for a in m.capacity_owners():
            a.gpu_market *= 1.0 - p.chip_jump_size
        m.log(f"A new chip generation ships: installed GPUs lose {p.chip_jump_size:.0%} of "
              "their value", "shock")
    m.market.gpu_price_index = m.market.spot_rent / BASE_RENT * m.market.fire_sale_factor
    _market_news(m)
    _vest_warrant(m)
    _mark_equity(m)
    for a in (*m.funds, *m.banks):
        a.mark_loans()


def _market_news(m: AIEconomy) -> None:
    """Plain-language milestones of the market: the bubble halving, capacity standing idle."""
    if m.market.bubble_index > m.bubble_peak[0]:
        m.bubble_peak = (m.market.bubble_index, m.t)
        m.news_sent.discard("bubble halved")
    elif m.market.bubble_index < 0.5 * m.bubble_peak[0] and "bubble halved" not in m.news_sent:
        m.news_sent.add("bubble halved")
        m.log(f"The AI bubble index has halved from its {quarter_label(m.bubble_peak[1])} peak "
              f"({m.bubble_peak[0]:.1f} -> {m.market.bubble_index:.1f})", "info")
    idle = 1.0 - m.market.utilisation
    if idle > IDLE_NEWS and "idle" not in m.news_sent:
        m.news_sent.add("idle")
        m.log(f"{idle:.0%} of AI data-centre capacity stands idle; spot GPU rents are "
              f"{m.market.spot_rent / BASE_RENT:.0%} of their 2025 level", "distress")
    elif idle < IDLE_NEWS / 2:
        m.news_sent.discard("idle")


def _distress_share(m: AIEconomy) -> float:
    """Share of AI firms distressed or defaulted, weighted by last quarter's total assets."""
    firms = [*m.hyperscalers, *m.labs, *m.neoclouds, *m.spvs]
    sizes = [max(a.snap.assets, 0.0) if a.snap else 0.0 for a in firms]
    total = sum(sizes)
    hit = sum(s for a, s in zip(firms, sizes, strict=True) if a.status != Status.ACTIVE)
    return hit / total if total > 0 else 0.0


def _revenue_gap(m: AIEconomy) -> tuple[float, float]:
    """Revenue the AI capital stock needs (depreciation + cost of capital + opex) minus revenue."""
    p = m.params
    owners = m.capacity_owners()
    capital = sum(a.gpu_book + a.building_book for a in owners)
    gpu = sum(a.gpu_book for a in owners)
    building = capital - gpu
    needed = (gpu / p.gpu_economic_life + building / BUILDING_LIFE + COST_OF_CAPITAL / QUARTERS_PER_YEAR * capital
              + OPEX_PER_GW * m.market.capacity_total)
    captive_value = CAPTIVE_GW_2025 * (1 + CAPTIVE_GROWTH) ** m.t * BASE_RENT
    earned = m.market.revenue + captive_value
    gap = needed - earned
    # markets judge the gap on the revenue they expect two years out
    expected = (m.market.revenue * math.exp(GAP_HORIZON * max(m.market.expected_growth, 0.0))
                + captive_value)
    return gap, max(0.0, needed - expected) / needed if needed > 0 else 0.0


def _vest_warrant(m: AIEconomy) -> None:
    """AMD's warrant vests linearly as OpenAI deploys AMD GW (tranches 2026H2-2031)."""
    w = m.warrant
    if w is None or not w.active:
        return
    start, quarters = m.warrant_vesting
    w.vested = min(1.0, max(0.0, (m.t - start + 1) / quarters))


def _mark_equity(m: AIEconomy) -> None:
    """Mark equity stakes and warrants to market; gains and losses hit the holders."""
    values: dict = {}
    for c in (*m.book.of(EquityStake), *m.book.of(Warrant)):
        issuer = c.issuer
        if issuer not in values:
            values[issuer] = m.valuation(issuer)
        if isinstance(c, EquityStake):
            new = c.fraction * values[issuer]
        else:
            new = c.intrinsic(values[issuer])
        change = new - c.mark
        if abs(change) > 1e-12:
            c.mark = new
            c.holder.revalue(change, "equity_marks")
            if not isinstance(c, EquityStake):
                issuer.revalue(-change, "equity_marks")


# --- 9. distress ---------------------------------------------------------------------------
def distress(m: AIEconomy) -> None:
    """Distress chain and default clearing, then flag who is in trouble or has recovered."""
    resolve(m)
    for a in m.finance_agents:
        a.snap = snap = a.snapshot()     # the end-of-quarter figures, reused by record()
        if a.status == Status.DEFAULTED:
            continue
        arrears = sum(c.arrears for c in a.issued)
        troubled = (a.missed > 1e-6 or arrears > 1e-6
                    or (snap.equity < -1e-6 and a.role != "abs"))
        if troubled and a.status == Status.ACTIVE:
            a.status = Status.DISTRESSED
            a.snap = replace(snap, status=a.status)
            what = (f"misses {a.missed:.1f}B of payments" if a.missed > 1e-6
                    else "has negative equity")
            m.log(f"{a.name} {what} and is in distress", "distress", a)
        elif not troubled and a.status == Status.DISTRESSED:
            a.status = Status.ACTIVE
            a.snap = replace(snap, status=a.status)
            m.log(f"{a.name} is current on its payments again", "info", a)


# --- 10. record ----------------------------------------------------------------------------
def record(m: AIEconomy) -> None:
    """Compute the quarter's statistics and collect them."""
    m.vendor_history.append(sum(c.vendor_financing for c in m.chipmakers))
    m.chip_history.append(sum(c.sales for c in m.chipmakers))
    m.current = compute_metrics(m)
    for a in m.all_agents:
        if a.role == "outside":           # the others were taken in the distress phase
            a.snap = a.snapshot()
    m.datacollector.collect(m)
    if m.t % 4 == 3:
        m.book.compact()
