"""The bubble measure: what markets pay for AI equity against what AI revenue will justify.

Both values discount the same earnings (a mature margin on revenue, at the cost of capital,
with a terminal value at the normal multiple) over a revenue path. They differ in the path:

- **market value**: the path markets believe in, times sentiment. In 2025 markets priced AI as
  if revenue reached ~2T a year by 2030 (the revenue Bain found the build-out needs); each
  quarter they scale that path down (or up) towards what realised revenue implies;
- **fundamental value**: the scenario's expected path, at the level realised so far (the
  value of what will actually be earned, as in Shiller's ex-post rational price).

``bubble_index`` is their ratio. When revenue later justifies the valuations (the boom) the
market value keeps rising and the index stays near 1; when it does not (the bust) the index is
high at the start and the market value falls far from its peak (a large drawdown).
"""

from __future__ import annotations

import math
from functools import lru_cache

from core.coefficients import (
    BELIEF_LEARNING,
    COST_OF_CAPITAL,
    EARNINGS_MARGIN,
    MARKET_BELIEF_2030,
    MARKET_BELIEF_MAX,
    MARKET_BELIEF_MIN,
    MARKET_CEILING_MULTIPLE,
    NORMAL_MULTIPLE,
    QUARTERS_PER_YEAR,
    VALUATION_HORIZON,
)
from core.markets import RevenuePath, RevenueSurprise

_DISCOUNT = 1.0 / (1.0 + COST_OF_CAPITAL / QUARTERS_PER_YEAR)


def _terminal(revenue: float) -> float:
    """Value at the horizon of a mature business: annual revenue at the normal multiple."""
    return NORMAL_MULTIPLE * QUARTERS_PER_YEAR * revenue


BOOM_PATH = RevenuePath.solve(MARKET_BELIEF_2030, MARKET_CEILING_MULTIPLE)


def revise_belief(belief: float, revenue: float, t: int) -> float:
    """Markets' new belief, as a share of the boom path they started from, after seeing this
    quarter's revenue: a shortfall against the believed revenue lowers it in proportion (with
    elasticity ``BELIEF_LEARNING``), a surprise raises it.
    """
    predicted = belief * BOOM_PATH.at(t)
    revised = belief * (max(revenue, 1e-9) / predicted) ** BELIEF_LEARNING
    return min(MARKET_BELIEF_MAX, max(MARKET_BELIEF_MIN, revised))


def believed_growth(t: int) -> float:
    """Quarterly log growth of revenue that markets expect in quarter ``t``: that of the path
    they believe in (the boom path, whatever its scale), which slows as it matures.
    """
    return math.log(BOOM_PATH.at(t) / BOOM_PATH.at(t - 1))


def market_value(belief: float, t: int, sentiment: float) -> float:
    """What markets pay for AI equity: the earnings of the boom path scaled by the markets'
    belief, times sentiment.
    """
    return sentiment * belief * _path_value(BOOM_PATH, t)


@lru_cache(maxsize=65536)
def _path_value(path: RevenuePath, t: int) -> float:
    """Discounted earnings on the expected path after quarter ``t``, per unit of level."""
    value, discount = 0.0, 1.0
    for k in range(1, VALUATION_HORIZON + 1):
        discount *= _DISCOUNT
        value += discount * EARNINGS_MARGIN * path.at(t + k)
    return value + discount * _terminal(path.at(t + VALUATION_HORIZON))


@lru_cache(maxsize=4096)
def _path_ahead(path: RevenuePath, t: int) -> tuple[float, ...]:
    """Expected revenue in each of the ``VALUATION_HORIZON`` quarters after quarter ``t``.

    Cached: every run of a scenario walks the same path.
    """
    return tuple([path.at(t + k) for k in range(1, VALUATION_HORIZON + 1)])


def fundamental_value(path: RevenuePath, t: int, surprise: RevenueSurprise) -> float:
    """What the scenario's revenue will justify: its expected path from here, from the level
    realised so far (the surprise so far, which fades as revenue surprises do).
    """
    value, discount, level = 0.0, 1.0, 0.0
    ahead = _path_ahead(path, t)
    for revenue, level in zip(ahead, surprise.expected_levels(VALUATION_HORIZON), strict=True):
        discount *= _DISCOUNT
        value += discount * EARNINGS_MARGIN * revenue * math.exp(level)
    return value + discount * _terminal(ahead[-1]) * math.exp(level)
