"""Market-level rules: revenue path, expectations, sentiment, valuations, prices.

Pure functions of model state, so each can be tested on its own (docs/model.md, "Submodels";
the coefficients and their sources are in :mod:`core.coefficients`).
"""

from __future__ import annotations

import math

from core.coefficients import (
    CAPACITY_VALUE_YEARS,
    GROWTH_PREMIUM_CAP,
    GROWTH_PREMIUM_SLOPE,
    HERDING_TILT,
    IG_SPREAD_BASE,
    IG_SPREAD_STRESS,
    NOISE_PERSISTENCE,
    QUARTERS_PER_YEAR,
    SENTIMENT_DISTRESS,
    SENTIMENT_GAP,
    SENTIMENT_MAX,
    SENTIMENT_MIN,
    SENTIMENT_MOMENTUM,
    SENTIMENT_REVERSION,
    SENTIMENT_SURPRISE,
    SPOT_RENT_FLOOR,
    SPOT_RENT_SLACK,
    SPOT_RENT_TIGHT,
    SPOT_RENT_TIGHT_ABOVE,
    TARGET_UTILISATION,
)


def logistic_revenue(t: int, ceiling_per_year: float, k: float, midpoint: float) -> float:
    """End-customer AI revenue per quarter on the logistic path (before noise)."""
    return ceiling_per_year / QUARTERS_PER_YEAR / (1.0 + math.exp(-k * (t - midpoint)))


def ar1_step(z: float, shock: float, persistence: float = NOISE_PERSISTENCE) -> float:
    """Next value of a unit-variance AR(1) process."""
    return persistence * z + math.sqrt(1.0 - persistence**2) * shock


def expected_growth(prev: float, observed: float, sentiment: float, memory: float,
                    herding: float) -> float:
    """Adaptive expectations of quarterly log revenue growth, tilted by herding on sentiment."""
    return memory * prev + (1.0 - memory) * observed + HERDING_TILT * herding * (sentiment - 1.0)


def growth_premium(g_expected: float) -> float:
    """Valuation multiple over normal for a business expected to grow at ``g`` per quarter."""
    annual = math.expm1(QUARTERS_PER_YEAR * g_expected)
    return 1.0 + GROWTH_PREMIUM_SLOPE * min(max(annual, 0.0), GROWTH_PREMIUM_CAP)


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
    s_new = (s + SENTIMENT_MOMENTUM * dln_value + SENTIMENT_SURPRISE * surprise
             - SENTIMENT_DISTRESS * distress_share - SENTIMENT_GAP * gap
             + SENTIMENT_REVERSION * (1.0 - s))
    return min(SENTIMENT_MAX, max(SENTIMENT_MIN, s_new))


def spot_rent(prev: float, utilisation: float, decline: float) -> float:
    """Spot rent per GW-quarter: trend decline, faster when capacity stands idle.

    A tight market (utilisation above 90%) slows the decline a little; slack below the 80%
    target cuts rents hard (spot H100 rents fell ~80% from 2023 to 2025).
    """
    slack = min(0.0, utilisation - TARGET_UTILISATION)
    tight = max(0.0, utilisation - SPOT_RENT_TIGHT_ABOVE)
    return max(SPOT_RENT_FLOOR,
               prev * (1.0 - decline) * (1.0 + SPOT_RENT_SLACK * slack + SPOT_RENT_TIGHT * tight))


def capacity_value_per_gw(rent: float, utilisation: float, opex_per_gw: float,
                          cost_per_gw: float) -> float:
    """Market value of one GW of capacity: six years of its net rent, at most its cost."""
    net = QUARTERS_PER_YEAR * (rent * utilisation - opex_per_gw)
    return min(cost_per_gw, max(0.0, CAPACITY_VALUE_YEARS * net))


def ig_spread(stress: float) -> float:
    """Investment-grade credit spread: base plus a stress premium."""
    return IG_SPREAD_BASE + IG_SPREAD_STRESS * max(0.0, stress)
