"""The phases of a quarter, one function each (docs/model.md, "Process overview").

Each phase reads the model's state, asks the agents to act through their verb methods and
moves every payment through the ledger. ``AIEconomy.step`` calls them in order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from operator import attrgetter
from typing import TYPE_CHECKING

from agents.abs_vehicle import ABSVehicle
from core.coefficients import (
    CAPACITY_MARGIN,
    CAPEX_ADJUSTMENT,
    CAPTIVE_GROWTH,
    CAPTIVE_GW_2025,
    CLOUD_GW_PER_REVENUE,
    EQUITY_SUPPLY_2025,
    EQUITY_SUPPLY_GROWTH,
    EQUITY_WINDOW_CAP,
    EQUITY_WINDOW_FROM,
    GUIDED_CAPEX,
    LAB_SHARE_2025,
    LAB_SHARE_GLIDE,
    LAB_SHARE_PERSISTENCE,
    LAB_SHARE_VOLATILITY,
    NON_AI_GROWTH,
    PLANNING_GROWTH_CAP,
    QUARTERS_PER_YEAR,
    REVENUE_2025,
    REVENUE_NOISE_FLOOR,
    SECURITIZATION_SENTIMENT,
    TARGET_UTILISATION,
    UTILISATION_SMOOTHING,
)
from core.contracts import Backstop, ComputeContract, Lease, Loan
from core.finance import EPS, pay_due, refinance_maturing, service_loan
from core.lolr import repay_lolr
from core.markets import ar1_step
from core.state import QuarterFlows, Status
from model.circularity import (
    circularity,
    describe_change,
    measured_flows,
    payment_network,
)
from model.distress import flag_distress, resolve
from model.metrics import compute_metrics
from model.pricing import initial_prices, update_prices

if TYPE_CHECKING:
    from agents.base import FinancialAgent
    from model.economy import AIEconomy

# order in which issuers service their debt: rent reaches SPVs before they pay lenders
DEBT_SERVICE_ORDER = ("outside", "hyperscaler", "lab", "neocloud", "chipmaker", "secondary",
                      "spv", "abs", "fund", "bank")


def initial_markets(m: AIEconomy) -> None:
    """Starting prices, valuations and marks before the first quarter."""
    m.market.revenue_prev = m.revenue_path.at(-1)
    lab_rev = m.market.revenue_prev * LAB_SHARE_2025
    for lab in m.labs:
        lab.prev_income = {"ai_revenue": lab_rev * lab.revenue_share}
        lab.income["ai_revenue"] = lab_rev * lab.revenue_share
    initial_prices(m)
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
        a.prev_income, a.income = a.income, defaultdict(float)   # a new income statement
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
    # ... and shrinks as AI equity loses value from its peak
    window = (m.market.sentiment - EQUITY_WINDOW_FROM) / (1.0 - EQUITY_WINDOW_FROM)
    m.market.equity_window = (EQUITY_SUPPLY_2025 * (1.0 + EQUITY_SUPPLY_GROWTH) ** m.t
                              * min(EQUITY_WINDOW_CAP, max(0.0, window))
                              * (1.0 - m.market.drawdown))


# --- 1. demand -----------------------------------------------------------------------------
def demand(m: AIEconomy) -> None:
    """End-customer AI revenue: the expected path, permanent surprises from 2026, and noise."""
    p, t = m.params, m.t
    m.market.revenue_prev = m.market.revenue if t > 0 else m.market.revenue_prev
    m.market.noise = ar1_step(m.market.noise, float(m.streams.demand.standard_normal()))
    if t >= len(REVENUE_2025):       # 2025 is observed: surprises start in 2026
        m.market.surprise.step(float(m.streams.demand.standard_normal()), m.surprise_scale)
    base = m.revenue_path.at(t) * m.market.surprise.factor
    m.market.revenue = base * max(REVENUE_NOISE_FLOOR, 1.0 + p.revenue_noise * m.market.noise)
    m.market.efficiency *= 1.0 - p.efficiency_gain
    if t == p.efficiency_shock_quarter:
        m.market.efficiency *= 1.0 - p.efficiency_shock_size
        m.log(f"A cheaper model cuts the compute needed per revenue dollar by "
              f"{p.efficiency_shock_size:.0%}", "shock")
    lab_total = _pay_labs(m)
    cloud = m.market.revenue - lab_total
    m.market.cloud_revenue = cloud
    alive = [h for h in m.hyperscalers if h.status != Status.DEFAULTED]
    cloud_shares = sum(h.cloud_share for h in alive)
    for h in alive:
        m.ledger.transfer(m.customers, h, cloud * h.cloud_share / cloud_shares, "ai_revenue")
        m.ledger.transfer(m.customers, h, h.non_ai_ocf * m.market.non_ai_growth, "non_ai_revenue")


def _pay_labs(m: AIEconomy) -> float:
    """The labs' share of revenue, split by market shares that drift with each lab's luck."""
    t = m.t
    labs = [lab for lab in m.labs if lab.status != Status.DEFAULTED]
    if not labs:
        return 0.0
    lab_total = m.market.revenue * lab_share(m.params.lab_revenue_share, t)
    if t >= len(REVENUE_2025):
        luck = m.streams.lab_shares
        for lab in m.labs:
            lab.share_luck = (LAB_SHARE_PERSISTENCE * lab.share_luck
                              + LAB_SHARE_VOLATILITY * float(luck.standard_normal()))
    weights = [lab.revenue_share * math.exp(lab.share_luck) for lab in labs]
    total_weight = sum(weights)
    for lab, weight in zip(labs, weights, strict=True):
        m.ledger.transfer(m.customers, lab, lab_total * weight / total_weight, "ai_revenue")
    return lab_total


def lab_share(scenario_share: float, t: int) -> float:
    """Labs' share of end-customer revenue: 2025's observed share, gliding to the scenario's."""
    start = len(REVENUE_2025)
    if t < start:
        return LAB_SHARE_2025
    weight = min(1.0, (t - start + 1) / LAB_SHARE_GLIDE)
    return LAB_SHARE_2025 + weight * (scenario_share - LAB_SHARE_2025)


# --- 2. compute ----------------------------------------------------------------------------
def compute(m: AIEconomy) -> None:
    """Capacity is energised as power allows; labs pay take-or-pay contracts and buy spot
    compute; utilisation follows.
    """
    t = m.t
    energise(m)
    spot_budgets = {}
    for lab in m.labs:
        lab.plan_spending()
        spot_budgets[lab] = lab.pay_compute() if lab.status != Status.DEFAULTED else 0.0
    for c in m.book.of(ComputeContract):
        if c.issuer.role != "lab" and c.in_force(t):
            delivered = c.holder.delivery_share()            # hyperscaler buys from neocloud
            pay_due(m, c, c.payment(t, c.gw * delivered, delivered), "compute")
    captive = CAPTIVE_GW_2025 * (1.0 + CAPTIVE_GROWTH) ** t * m.market.efficiency
    cloud_gw = m.market.cloud_revenue * CLOUD_GW_PER_REVENUE * m.market.efficiency
    contracted_use = sum([lab.used_gw for lab in m.labs])
    free = _spot_capacity(m, captive + cloud_gw)
    sold_gw, spot_sales = _clear_spot_market(m, spot_budgets, free)
    for c in m.book.of(Backstop):
        if c.active:
            unsold = max(0.0, free.get(c.holder, 0.0) - spot_sales.get(c.holder, 0.0))
            paid = pay_due(m, c, c.payment(t, unsold * m.market.spot_rent), "backstop")
            m.record_loss(c.issuer, "guarantee called", paid)
    m.market.capacity_total = sum([a.capacity_gw for a in m.capacity_owners()])
    m.market.demand_gw = captive + cloud_gw + contracted_use + sold_gw
    m.market.demand_ratio = (m.market.demand_gw / m.market.capacity_total
                             if m.market.capacity_total > 0 else 0.0)
    m.market.utilisation = min(1.0, m.market.demand_ratio)
    m.market.utilisation_avg = (UTILISATION_SMOOTHING * m.market.utilisation_avg
                                + (1.0 - UTILISATION_SMOOTHING) * m.market.utilisation)


def energise(m: AIEconomy) -> None:
    """Finished capacity waits for a grid connection; each quarter's connectable power is
    shared out in proportion to what waits (a power crunch leaves built capacity idle).
    """
    owners = m.capacity_owners()
    waiting = sum([a.finish_construction() for a in owners])
    if waiting <= EPS:
        m.market.power_queue_gw = 0.0
        return
    share = min(1.0, power_available(m) / waiting)
    for a in owners:
        a.energise(share)
    m.market.power_queue_gw = waiting * (1.0 - share)


def _spot_capacity(m: AIEconomy, own_use: float) -> dict[FinancialAgent, float]:
    """GW each provider can sell on the spot market: what is left after contracts and, for
    hyperscalers, their own AI use.
    """
    free: dict[FinancialAgent, float] = {}
    cloud_total = sum(h.cloud_share for h in m.hyperscalers) or 1.0
    for h in m.hyperscalers:
        free[h] = max(0.0, h.operated_gw - own_use * h.cloud_share / cloud_total
                      - h.delivered_gw())
    for n in m.neoclouds:
        free[n] = max(0.0, n.operated_gw - n.delivered_gw())
    for s in m.spvs:
        if s.merchant:
            free[s] = s.capacity_gw
    free[m.secondary] = m.secondary.capacity_gw
    return free


def _clear_spot_market(m: AIEconomy, budgets: dict, free: dict) -> tuple[float, dict]:
    """The spot market clears through one pool: labs pay in, providers are paid pro rata.

    Returns the GW sold and each provider's sales in GW.
    """
    rent = m.market.spot_rent
    wanted = sum(budgets.values()) / rent
    total_free = sum(free.values())
    sold_gw = min(wanted, total_free)
    fill = sold_gw / wanted if wanted > 1e-12 else 0.0
    spent = 0.0
    for lab, budget in budgets.items():
        if budget * fill > 1e-12:
            spent += lab.pay(m.clearing_house, budget * fill, "compute")
    sales = dict.fromkeys(free, 0.0)
    for provider, f in free.items():
        amount = spent * f / total_free if total_free > 0 else 0.0
        if amount > 1e-12:
            m.ledger.transfer(m.clearing_house, provider, amount, "compute")
            sales[provider] = amount / rent
    return sold_gw, sales


# --- 3. operations -------------------------------------------------------------------------
def operations(m: AIEconomy) -> None:
    """Opex and power, depreciation, payouts."""
    for a in m.capacity_owners():
        a.depreciate()
    for group in (m.hyperscalers, m.labs, m.neoclouds, m.chipmakers, m.spvs, m.banks,
                  (m.secondary,)):
        for a in group:
            if a.status != Status.DEFAULTED:
                a.operate()


# --- 4. debt service -----------------------------------------------------------------------
def debt_service(m: AIEconomy) -> None:
    """Leases reviewed and paid, then interest and principal on every loan and bond; what
    falls due is rolled over where lenders are willing.
    """
    t = m.t
    for s in m.spvs:
        s.review_lease()
        s.set_rent()
    for c in m.book.of(Lease):
        if c.active:
            pay_due(m, c, c.scheduled(t), "lease_rent")
    ratings: dict = {}                    # offtakers' ratings, looked up once while unchanged
    for a in (*m.spvs, *m.neoclouds):
        if a.status != Status.DEFAULTED:
            a.test_offtaker_covenants(ratings)
    # issuers in DEBT_SERVICE_ORDER, each one's loans senior first (otherwise in book order);
    # ABS notes are left out: each vehicle's waterfall pays them below
    by_issuer_role: dict[str, list[Loan]] = {role: [] for role in DEBT_SERVICE_ORDER}
    for loan in m.book.of(Loan):
        by_issuer_role[loan.issuer.role].append(loan)
    loans = [loan for role in DEBT_SERVICE_ORDER if role != "abs"
             for loan in sorted(by_issuer_role[role], key=attrgetter("seniority"))]
    for loan in loans:
        if not loan.active:
            continue
        if loan.maturity <= t and loan.principal > EPS and loan.issuer.role != "outside":
            m.flows.debt_maturing += loan.principal
            m.flows.debt_rolled += refinance_maturing(m, loan)
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
        _plan_hyperscaler_capex(m)
    for n in m.neoclouds:
        n.plan_capex()
    builders = [*m.hyperscalers, *m.neoclouds]
    gw_planned = sum(b.planned_capex for b in builders) / p.cost_per_gw
    power = power_available(m)
    if gw_planned > power > 0:
        for b in builders:
            b.planned_capex *= power / gw_planned


def _plan_hyperscaler_capex(m: AIEconomy) -> None:
    """Each hyperscaler builds for its share of expected open demand plus the compute it has
    sold forward (Oracle's contract with OpenAI needs ~4.5 GW of its own); confidence falls
    when capacity stands idle or the market turns.
    """
    p, t = m.params, m.t
    lag = p.build_lag
    # builders plan on expected growth, but no treasury plans on more than ~35% a year
    growth = math.exp(min(m.market.expected_growth, PLANNING_GROWTH_CAP) * lag) * CAPACITY_MARGIN
    contracted = {h: h.backlog_gw(t + lag) for h in m.hyperscalers}
    open_demand = max(0.0, m.market.demand_gw - sum(contracted.values()))
    alive = [h for h in m.hyperscalers if h.status == Status.ACTIVE]
    share_total = sum(h.cloud_share for h in alive) or 1.0
    confidence = (min(1.0, m.market.utilisation / TARGET_UTILISATION) ** 2
                  * min(1.0, m.market.sentiment))
    for h in m.hyperscalers:
        if h.status != Status.ACTIVE:
            h.planned_capex = 0.0
            continue
        have = h.operated_gw + h.pipeline_gw + h.leased_pipeline_gw
        # capacity sold forward is built whatever the mood (the contract is signed); capacity
        # for open demand only as far as confidence goes
        contract_gap = max(0.0, contracted[h] - have)
        open_gap = max(0.0, open_demand * growth * h.cloud_share / share_total
                       + contracted[h] - have) - contract_gap
        desired = (contract_gap + open_gap * confidence) / lag * p.cost_per_gw
        # orders already placed keep capex moving towards the plan only gradually
        h.planned_capex += CAPEX_ADJUSTMENT * (desired - h.planned_capex)


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
    """Fund investors come and go (gated); funds repay lines; banks renew lines each year."""
    for f in m.funds:
        if f.status == Status.DEFAULTED:
            continue
        f.investor_flows()
        f.check_line_covenant()
        f.manage_leverage()
        f.reinvest()
        m.flows.fund_redemptions += f.redeemed
    year_end = m.t % QUARTERS_PER_YEAR == QUARTERS_PER_YEAR - 1
    if year_end and m.t >= QUARTERS_PER_YEAR and m.market.sentiment >= SECURITIZATION_SENTIMENT:
        # once a year, each open fund sells a slice of its SPV loans as ABS
        for f in m.funds:
            if f.status == Status.ACTIVE and not f.gated and _spv_book(f) > 0.0:
                ABSVehicle.securitize(m, f)
    for b in m.banks:
        if b.status != Status.DEFAULTED:
            repay_lolr(m, b, b.usable_cash())
            if year_end:
                b.renew_lines()


def _spv_book(fund) -> float:
    return sum(c.value() for c in fund.held.of(Loan) if c.category == "spv_debt")


# --- 8. markets ----------------------------------------------------------------------------
def markets(m: AIEconomy) -> None:
    """Expectations, sentiment, valuations and the bubble measure, rates, spreads, rents,
    used-GPU prices, marks (model/pricing.py).
    """
    update_prices(m)


# --- 9. distress ---------------------------------------------------------------------------
def distress(m: AIEconomy) -> None:
    """Distress chain, reorganisations and liquidations, then who is in trouble or out of it."""
    resolve(m)
    flag_distress(m)


# --- 10. record ----------------------------------------------------------------------------
def record(m: AIEconomy) -> None:
    """Banks check their capital on the quarter's final books; statistics are collected."""
    for b in m.banks:
        if b.status != Status.DEFAULTED:
            b.check_capital()
    m.vendor_history.append(sum(c.vendor_financing for c in m.chipmakers))
    m.chip_history.append(sum(c.sales for c in m.chipmakers))
    record_circularity(m)             # reads the quarter's payments before they are cleared
    m.current = compute_metrics(m)
    if m.agent_data:                      # the outside accounts' figures are only reported
        for a in m.all_agents:
            if a.role == "outside":       # (the others were taken in the distress phase)
                a.snap = a.snapshot()
    m.datacollector.collect(m)
    if m.t % QUARTERS_PER_YEAR == QUARTERS_PER_YEAR - 1:
        m.book.compact()


def record_circularity(m: AIEconomy) -> None:
    """The circular core of the last four quarters' payments and the quarter's money into it.

    A change of the core's members goes into the event log, with the firms that joined or left.
    """
    flows = measured_flows(m.ledger.pairs, (m.clearing_house.account,))
    m.loop_networks.append(payment_network(flows, m.ledger.owners))
    before = m.circularity.core
    m.circularity = now = circularity(flows, m.ledger.owners, m.loop_networks)
    if now.core != before:
        changed = set(before).symmetric_difference(now.core)
        m.log(describe_change(before, now), "circularity",
              *(m.agent_by_name(name) for name in sorted(changed)))
