"""Market-level rules: revenue path, expectations, sentiment, valuations, prices.

Pure functions of model state, so each can be tested on its own (docs/model.md, "Submodels";
the coefficients and their sources are in :mod:`core.coefficients`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq

from core.coefficients import (
    BASE_RENT,
    DRIFT_PERSISTENCE,
    GROWTH_PREMIUM_CAP,
    GROWTH_PREMIUM_SLOPE,
    HERDING_TILT,
    IG_SPREAD_BASE,
    IG_SPREAD_STRESS,
    LEVEL_PERSISTENCE,
    NOISE_PERSISTENCE,
    QUARTERS_PER_YEAR,
    REVENUE_2024Q4,
    REVENUE_2025,
    REVENUE_2030_QUARTERS,
    SENTIMENT_DISTRESS,
    SENTIMENT_GAP,
    SENTIMENT_MAX,
    SENTIMENT_MIN,
    SENTIMENT_MOMENTUM,
    SENTIMENT_REVERSION,
    SENTIMENT_SURPRISE,
    SHELL_VALUE_FLOOR,
    SPOT_RENT_FLOOR,
    SPOT_RENT_PREMIUM_MAX,
    SPOT_RENT_RATIO_CAP,
    SPOT_RENT_SLACK,
    SPOT_RENT_TIGHT,
    TARGET_UTILISATION,
)


@dataclass(frozen=True, slots=True)
class RevenuePath:
    """Expected end-customer AI revenue per quarter: 2025 as observed, then a logistic.

    From 2025Q4 on the path is ``C / (1 + exp(-k (t - mid)))``, with the ceiling ``C`` a
    multiple of 2030's quarterly revenue, and ``k`` and ``mid`` solved so that the path passes
    through 2025Q4's observed level and sums to the assumed revenue over the four quarters
    of 2030. Changing the assumption never rewrites 2025.
    """

    revenue_2030: float
    ceiling_multiple: float
    ceiling: float = 0.0
    k: float = 0.0
    midpoint: float = 0.0

    @classmethod
    def solve(cls, revenue_2030: float, ceiling_multiple: float) -> RevenuePath:
        """The path through 2025Q4 and with ``revenue_2030`` a year in 2030."""
        start, a = len(REVENUE_2025) - 1, REVENUE_2025[-1]
        ceiling = ceiling_multiple * revenue_2030 / QUARTERS_PER_YEAR
        if not (QUARTERS_PER_YEAR * a < revenue_2030 and ceiling_multiple > 1.0):
            raise ValueError("2030 revenue must exceed 2025Q4's run rate and the ceiling "
                             "multiple must exceed 1")
        first, last = REVENUE_2030_QUARTERS

        def midpoint(k: float) -> float:
            return start + math.log(ceiling / a - 1.0) / k

        def excess(k: float) -> float:
            mid = midpoint(k)
            return sum(_logistic(t, ceiling, k, mid) for t in range(first, last + 1)) \
                - revenue_2030
        k = brentq(excess, 1e-6, 10.0, xtol=1e-12)
        return cls(revenue_2030, ceiling_multiple, ceiling, k, midpoint(k))

    def at(self, t: int) -> float:
        """Expected revenue in quarter ``t`` (the observed 2025 values before 2025Q4)."""
        if t < 0:
            return REVENUE_2024Q4
        if t < len(REVENUE_2025):
            return REVENUE_2025[t]
        return _logistic(t, self.ceiling, self.k, self.midpoint)


def _logistic(t: float, ceiling: float, k: float, midpoint: float) -> float:
    return ceiling / (1.0 + math.exp(-k * (t - midpoint)))


@dataclass(slots=True)
class RevenueSurprise:
    """How far realised AI revenue has drifted from the assumed path (in logs).

    A surprise to growth lasts about a year (``DRIFT_PERSISTENCE``) and builds up in the level,
    which fades slowly back to the path (``LEVEL_PERSISTENCE``): histories diverge smoothly, as
    adoption runs ahead of or behind the assumption, and ``factor`` has mean one, so the
    assumption stays the expected path. The variances are tracked exactly.
    """

    level: float = 0.0
    drift: float = 0.0
    var_level: float = 0.0
    cov: float = 0.0
    var_drift: float = 0.0

    def step(self, shock: float, sd: float) -> None:
        """One quarter: a standard-normal ``shock`` scaled by ``sd`` moves the growth rate."""
        f, r, q = LEVEL_PERSISTENCE, DRIFT_PERSISTENCE, sd * sd
        self.drift = r * self.drift + sd * shock
        self.level = f * self.level + self.drift
        # (level, drift)' = A (level, drift) + sd * shock * (1, 1), with A = [[f, r], [0, r]]
        vl, c, vd = self.var_level, self.cov, self.var_drift
        self.var_level = f * f * vl + 2.0 * f * r * c + r * r * vd + q
        self.cov = f * r * c + r * r * vd + q
        self.var_drift = r * r * vd + q

    @property
    def factor(self) -> float:
        """Realised over expected revenue: ``exp(level - var / 2)``, mean one."""
        return math.exp(self.level - 0.5 * self.var_level)

    def expected_levels(self, horizon: int) -> list[float]:
        """The expected log deviation in each of the next ``horizon`` quarters."""
        level, drift, out = self.level, self.drift, []
        for _ in range(horizon):
            drift *= DRIFT_PERSISTENCE
            level = LEVEL_PERSISTENCE * level + drift
            out.append(level)
        return out

    @staticmethod
    def shock_scale(target_sd: float, quarters: int) -> float:
        """The quarterly shock size that gives log revenue a standard deviation of
        ``target_sd`` after ``quarters`` quarters of surprises.
        """
        unit = RevenueSurprise()
        for _ in range(quarters):
            unit.step(0.0, 1.0)
        return target_sd / math.sqrt(unit.var_level) if unit.var_level > 0 else 0.0


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


def spot_rent(prev: float, demand_ratio: float, decline: float, trend: float = math.inf
              ) -> float:
    """Spot rent per GW-quarter: a trend decline (cheaper chips), faster when capacity stands
    idle and reversed when demand outruns capacity.

    ``demand_ratio`` is demand over capacity, not capped at 1. Slack below the 80% target cuts
    rents hard (spot H100 rents fell ~80% from 2023 to 2025); excess demand raises them (H100
    rents rose from $1.70 to $2.35 an hour between Oct 2025 and Mar 2026 as capacity ran
    short). Rents cannot rise above a premium over ``trend``, the cost of new capacity (base
    rent falling with the trend decline): beyond it, new entrants add supply.
    """
    ratio = min(demand_ratio, SPOT_RENT_RATIO_CAP)
    gap = ratio - TARGET_UTILISATION
    pressure = SPOT_RENT_SLACK * gap if gap < 0.0 else SPOT_RENT_TIGHT * gap
    rent = min(prev * (1.0 - decline) * (1.0 + pressure), SPOT_RENT_PREMIUM_MAX * trend)
    return max(SPOT_RENT_FLOOR, rent)


def capacity_value(gpu_market: float, building_book: float, rent: float, utilisation: float,
                   fire_sale_factor: float = 1.0) -> float:
    """What data centres and GPUs would fetch: GPUs by what they earn, shells by their power.

    GPUs are worth their depreciated market value scaled by what they earn now against 2025
    (rent x utilisation), and by the pressure of fire sales; powered shells (land, buildings,
    grid connection) keep most of their book value while capacity is in demand and fall to a
    floor when it stands idle.
    """
    earning = min(1.0, rent * utilisation / (BASE_RENT * TARGET_UTILISATION))
    shell = SHELL_VALUE_FLOOR + (1.0 - SHELL_VALUE_FLOOR) * min(
        1.0, utilisation / TARGET_UTILISATION)
    return gpu_market * earning * fire_sale_factor + building_book * shell


def ig_spread(stress: float) -> float:
    """Investment-grade credit spread: base plus a stress premium."""
    return IG_SPREAD_BASE + IG_SPREAD_STRESS * max(0.0, stress)
