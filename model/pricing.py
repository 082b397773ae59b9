"""Phase 8, markets: expectations, sentiment, valuations, rates, spreads, rents and marks.

Market value and fundamental value of AI equity give the bubble measure (core/valuation.py);
rates follow the policy path; spreads follow credit stress; spot rents follow utilisation;
a chip generation jump cuts the rent and value of installed GPUs; equity stakes, warrants and
loan allowances are marked.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from core.coefficients import (
    BASE_RENT,
    BUILDING_LIFE,
    CAPTIVE_GROWTH,
    CAPTIVE_GW_2025,
    COST_OF_CAPITAL,
    DRAWDOWN_NEWS,
    GAP_HORIZON,
    IDLE_NEWS,
    NORMAL_MULTIPLE,
    OPEX_PER_GW,
    QUARTERS_PER_YEAR,
    REFERENCE_NOTCH,
    SENTIMENT_STRESS_WEIGHT,
    TERM_PREMIUM,
)
from core.contracts import EquityStake, Warrant
from core.events import quarter_label
from core.markets import expected_growth, growth_premium, spot_rent, update_sentiment
from core.news import fmt_bn
from core.ratings import bond_spread
from core.state import Status
from core.valuation import believed_growth, fundamental_value, market_value, revise_belief

if TYPE_CHECKING:
    from model.economy import AIEconomy



def initial_prices(m: AIEconomy) -> None:
    """Valuations and marks at the start, from 2024Q4 revenue."""
    mk = m.market
    mk.belief = 1.0
    mk.believed_prev = market_value(mk.belief, m.t, 1.0)
    _value_ai_equity(m)
    mk.value_prev = mk.value_peak = mk.value_ai
    mark_equity(m)


def update_prices(m: AIEconomy) -> None:
    """The markets phase."""
    p, t, mk = m.params, m.t, m.market
    observed = math.log(max(mk.revenue, 1e-9) / max(mk.revenue_prev, 1e-9))
    # markets are surprised against the path they believe in, not against past growth
    surprise = observed - believed_growth(t)
    mk.expected_growth = expected_growth(mk.expected_growth, observed, mk.sentiment,
                                         p.expectation_memory, p.herding)
    mk.distress_share = _distress_share(m)
    mk.revenue_gap, mk.gap_share = _revenue_gap(m)
    # markets revise what they expect of 2030; the value that belief supports drives momentum
    mk.belief = revise_belief(mk.belief, mk.revenue, t)
    believed = market_value(mk.belief, t, 1.0)
    dln_value = math.log(max(believed, 1e-9) / max(mk.believed_prev, 1e-9))
    mk.believed_prev = believed
    mk.sentiment = update_sentiment(mk.sentiment, dln_value, surprise, mk.distress_share,
                                    mk.gap_share)
    mk.value_prev = mk.value_ai
    _value_ai_equity(m)
    # rates and spreads
    shock = p.rate_shock_bp / 1e4 if 0 <= p.rate_shock_quarter <= t else 0.0
    mk.base_rate = max(0.0, p.base_rate + shock)          # policy rates stop at zero
    if t == p.rate_shock_quarter:
        m.log(f"Rates jump by {p.rate_shock_bp:+.0f} bp", "shock")
    mk.long_rate = mk.base_rate + TERM_PREMIUM
    mk.credit_stress = min(1.0, mk.distress_share
                           + SENTIMENT_STRESS_WEIGHT * max(0.0, 1.0 - mk.sentiment))
    mk.ig_spread = bond_spread(REFERENCE_NOTCH, mk.credit_stress)
    # compute rents and used GPUs
    # the cost of new capacity per GW-equivalent of installed chips: falls with the trend,
    # and at once when a new chip generation makes installed GPUs obsolete
    trend = BASE_RENT * (1.0 - p.compute_price_decline) ** (t + 1) * mk.generation_factor
    mk.spot_rent = spot_rent(mk.spot_rent, mk.demand_ratio, p.compute_price_decline, trend)
    if t == p.chip_jump_quarter:
        _chip_generation_jump(m)
    mk.gpu_price_index = mk.spot_rent / BASE_RENT * mk.fire_sale_factor
    _market_news(m)
    _vest_warrant(m)
    mark_equity(m)
    for a in (*m.funds, *m.banks):
        a.mark_loans()


def _value_ai_equity(m: AIEconomy) -> None:
    """Market value, fundamental value, the bubble index and the drawdown from the peak; and
    the revenue multiple at which single firms trade (growth premium times sentiment).
    """
    mk = m.market
    mk.value_ai = market_value(mk.belief, m.t, mk.sentiment)
    mk.fundamental_value = fundamental_value(m.revenue_path, m.t, mk.surprise)
    mk.bubble_index = mk.value_ai / mk.fundamental_value if mk.fundamental_value > 0 else 0.0
    mk.value_peak = max(mk.value_peak, mk.value_ai)
    mk.drawdown = 1.0 - mk.value_ai / mk.value_peak if mk.value_peak > 0 else 0.0
    mk.firm_multiple = NORMAL_MULTIPLE * growth_premium(mk.expected_growth) * mk.sentiment


def _chip_generation_jump(m: AIEconomy) -> None:
    """A new chip generation: installed GPUs earn less and are worth less, at once."""
    size = m.params.chip_jump_size
    m.market.spot_rent *= 1.0 - size
    m.market.generation_factor *= 1.0 - size
    written = 0.0
    for a in m.capacity_owners():
        destroyed = size * a.gpu_market
        a.gpu_market -= destroyed
        if a.status != Status.DEFAULTED:
            written += a.impair_gpus(destroyed)
    m.log(f"A new chip generation ships: installed GPUs lose {size:.0%} of their value and "
          f"their rent; their owners write {fmt_bn(written)} off their books", "shock")


def _market_news(m: AIEconomy) -> None:
    """Plain-language milestones: AI equity value halving from its peak, capacity idle."""
    mk = m.market
    if mk.value_ai >= mk.value_peak - 1e-9:
        m.value_peak_quarter = m.t
        m.news_sent.discard("value halved")
    elif mk.drawdown > DRAWDOWN_NEWS and "value halved" not in m.news_sent:
        m.news_sent.add("value halved")
        m.log(f"AI equity is worth half its {quarter_label(m.value_peak_quarter)} peak: markets "
              f"valued it at {mk.bubble_index:.1f}x what revenue will justify", "info")
    idle = 1.0 - mk.utilisation
    if idle > IDLE_NEWS and "idle" not in m.news_sent:
        m.news_sent.add("idle")
        m.log(f"{idle:.0%} of AI data-centre capacity stands idle; spot GPU rents are "
              f"{mk.spot_rent / BASE_RENT:.0%} of their 2025 level", "distress")
    elif idle < IDLE_NEWS / 2:
        m.news_sent.discard("idle")


def _distress_share(m: AIEconomy) -> float:
    """Share of AI firms distressed or defaulted, weighted by last quarter's total assets."""
    firms = [*m.hyperscalers, *m.labs, *m.neoclouds, *m.spvs]
    sizes = [max(a.snap.assets, 0.0) if a.snap else 0.0 for a in firms]
    total = sum(sizes)
    hit = sum([s for a, s in zip(firms, sizes, strict=True) if a.status != Status.ACTIVE])
    return hit / total if total > 0 else 0.0


def _revenue_gap(m: AIEconomy) -> tuple[float, float]:
    """Revenue the AI capital stock needs (depreciation + cost of capital + opex) minus revenue."""
    p, mk = m.params, m.market
    owners = m.capacity_owners()
    capital = sum([a.gpu_book + a.building_book for a in owners])
    gpu = sum([a.gpu_book for a in owners])
    needed = (gpu / p.gpu_economic_life + (capital - gpu) / BUILDING_LIFE
              + COST_OF_CAPITAL / QUARTERS_PER_YEAR * capital + OPEX_PER_GW * mk.capacity_total)
    captive_value = CAPTIVE_GW_2025 * (1 + CAPTIVE_GROWTH) ** m.t * BASE_RENT
    gap = needed - mk.revenue - captive_value
    # markets judge the gap on the revenue they expect two years out
    expected = (mk.revenue * math.exp(GAP_HORIZON * max(mk.expected_growth, 0.0))
                + captive_value)
    return gap, max(0.0, needed - expected) / needed if needed > 0 else 0.0


def _vest_warrant(m: AIEconomy) -> None:
    """AMD's warrant vests linearly as OpenAI deploys AMD GW (tranches 2026H2-2031)."""
    w = m.warrant
    if w is None or not w.active:
        return
    start, quarters = m.warrant_vesting
    w.vested = min(1.0, max(0.0, (m.t - start + 1) / quarters))


def mark_equity(m: AIEconomy) -> None:
    """Mark equity stakes and warrants to market; gains and losses hit the holders."""
    values: dict = {}
    for c in (*m.book.of(EquityStake), *m.book.of(Warrant)):
        issuer = c.issuer
        if issuer not in values:
            values[issuer] = m.valuation(issuer)
        new = c.fraction * values[issuer] if isinstance(c, EquityStake) else \
            c.intrinsic(values[issuer])
        change = new - c.mark
        if abs(change) > 1e-12:
            c.mark = new
            c.holder.revalue(change, "equity_marks")
            if not isinstance(c, EquityStake):
                issuer.revalue(-change, "equity_marks")
