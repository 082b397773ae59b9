"""Market-level rules: revenue path, expectations, sentiment, valuations, prices.

Pure functions of model state, so each can be tested on its own. Reference forms from
MODEL.md section 9; constants are named here once.
"""

from __future__ import annotations

import math

NORMAL_MULTIPLE = 6.0          # value / annual revenue of a mature business
GROWTH_PREMIUM_SLOPE = 2.0     # extra multiple per unit of expected annual growth
SENTIMENT_MIN, SENTIMENT_MAX = 0.3, 2.5
BASE_RENT = 3.0                # USD bn per GW-quarter, about 2 USD per GPU-hour (2025)
TARGET_UTILISATION = 0.8
IG_SPREAD_BASE = 0.0075        # 75 bp, the tightest since 1998
TERM_PREMIUM = 0.004           # long rate over the policy rate


def logistic_revenue(t: int, ceiling_per_year: float, k: float, midpoint: float) -> float:
    """End-customer AI revenue per quarter on the logistic path (before noise)."""
    return ceiling_per_year / 4.0 / (1.0 + math.exp(-k * (t - midpoint)))


def ar1_step(z: float, shock: float, persistence: float = 0.6) -> float:
    """Next value of a unit-variance AR(1) process."""
    return persistence * z + math.sqrt(1.0 - persistence**2) * shock


def expected_growth(prev: float, observed: float, sentiment: float, memory: float,
                    herding: float) -> float:
    """Adaptive expectations of quarterly log revenue growth, tilted by herding on sentiment."""
    return memory * prev + (1.0 - memory) * observed + 0.05 * herding * (sentiment - 1.0)


def growth_premium(g_expected: float) -> float:
    """Valuation multiple over normal for a business expected to grow at ``g`` per quarter."""
    annual = math.expm1(4.0 * g_expected)
    return 1.0 + GROWTH_PREMIUM_SLOPE * min(max(annual, 0.0), 2.0)


def update_sentiment(s: float, dln_value: float, surprise: float, distress_share: float,
                     gap: float) -> float:
    """Market sentiment: momentum, growth surprises, distress and the revenue gap.

    Args:
        s: current sentiment (1 = neutral).
        dln_value: log change of fundamental AI value (revenue x growth premium): momentum.
        surprise: observed minus expected quarterly growth.
        distress_share: share of AI firms distressed or defaulted, weighted by size.
        gap: shortfall of expected revenue two years ahead against what the capital stock
            needs, as a share (0 = none).
    """
    s_new = (s + 0.15 * dln_value + 1.0 * surprise - 1.5 * distress_share - 0.1 * gap
             + 0.1 * (1.0 - s))
    return min(SENTIMENT_MAX, max(SENTIMENT_MIN, s_new))


def spot_rent(prev: float, utilisation: float, decline: float) -> float:
    """Spot rent per GW-quarter: trend decline, faster when capacity stands idle.

    A tight market (utilisation above 90%) slows the decline a little; slack below the 80%
    target cuts rents hard (spot H100 rents fell ~80% from 2023 to 2025).
    """
    slack = min(0.0, utilisation - TARGET_UTILISATION)
    tight = max(0.0, utilisation - 0.9)
    return max(0.2, prev * (1.0 - decline) * (1.0 + 0.6 * slack + 0.1 * tight))


def capacity_value_per_gw(rent: float, utilisation: float, opex_per_gw: float,
                          cost_per_gw: float) -> float:
    """Market value of one GW of capacity: six years of its net rent, at most its cost."""
    net = 4.0 * (rent * utilisation - opex_per_gw)
    return min(cost_per_gw, max(0.0, 6.0 * net))


def ig_spread(stress: float) -> float:
    """Investment-grade credit spread: base plus a stress premium."""
    return IG_SPREAD_BASE + 0.03 * max(0.0, stress)
