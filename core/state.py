"""Typed records of the economy's state: market state, the quarter's flows, losses, snapshots.

The phases write the market state and the quarter's flows; agents read them. Losses and
balance-sheet snapshots are records with named fields, not tuples or string-keyed dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from core.markets import RevenueSurprise


class Status(StrEnum):
    """Where an agent stands: paying its way, in arrears or negative equity, or defaulted."""

    ACTIVE = "active"
    DISTRESSED = "distressed"
    DEFAULTED = "defaulted"


@dataclass(slots=True)
class MarketState:
    """Economy-wide state the phases update each quarter (flows per quarter, USD bn)."""

    # demand (phase 1)
    revenue: float = 0.0                # end-customer AI revenue this quarter
    revenue_prev: float = 0.0
    cloud_revenue: float = 0.0          # the part earned by hyperscalers' cloud AI services
    noise: float = 0.0                  # AR(1) state of the transitory revenue noise
    surprise: RevenueSurprise = field(default_factory=RevenueSurprise)   # drift from the path
    efficiency: float = 1.0             # compute per revenue dollar, 2025Q1 = 1
    non_ai_growth: float = 1.0          # index of the hyperscalers' non-AI business
    equity_window: float = 0.0          # outside money still available for private AI rounds
    # compute (phase 2)
    power_queue_gw: float = 0.0         # capacity built but waiting for a grid connection
    utilisation: float = 0.8
    utilisation_avg: float = 0.8        # exponentially smoothed (about a year)
    demand_gw: float = 0.0
    capacity_total: float = 0.0
    demand_ratio: float = 0.8           # demand over capacity, not capped at 1
    # markets (phase 8)
    sentiment: float = 1.0
    expected_growth: float = 0.10       # expected quarterly log growth of revenue
    bubble_index: float = 1.0           # market value / fundamental value of AI equity
    value_ai: float = 0.0               # market value of AI equity
    value_prev: float = 0.0
    value_peak: float = 0.0             # highest market value so far
    drawdown: float = 0.0               # fall of the market value from its peak (share)
    fundamental_value: float = 0.0      # what the revenue path will justify
    belief: float = 1.0                 # the share of the boom path markets price in
    firm_multiple: float = 0.0          # value per dollar of a firm's annual revenue
    believed_prev: float = 0.0          # last quarter's value of the believed path (momentum)
    base_rate: float = 0.0
    long_rate: float = 0.0
    ig_spread: float = 0.0              # spread of a single-A bond over the long rate
    credit_stress: float = 0.0          # 0 calm ... 1 every AI firm in distress
    spot_rent: float = 0.0              # USD bn per GW-quarter
    generation_factor: float = 1.0      # rent of installed chips after chip-generation jumps
    gpu_price_index: float = 1.0
    fire_sale_factor: float = 1.0       # used-GPU price pressure from fire sales (1 = none)
    loans_sold: float = 0.0             # par value of loans fire-sold this quarter
    revenue_gap: float = 0.0
    gap_share: float = 0.0
    distress_share: float = 0.0
    cumulative_capex: float = 0.0


@dataclass(slots=True)
class QuarterFlows:
    """Economy-wide flows of the current quarter, reset at its start (USD bn, or counts)."""

    capex: float = 0.0
    hyperscaler_capex: float = 0.0
    ig_bonds_issued: float = 0.0
    fund_redemptions: float = 0.0
    defaults: float = 0.0               # agents that defaulted this quarter
    debt_maturing: float = 0.0          # principal that fell due at maturity
    debt_rolled: float = 0.0            # of which lenders rolled over


@dataclass(frozen=True, slots=True)
class RandomStreams:
    """One random stream per source of chance, all spawned from the model's seeded generator.

    Common random numbers: with the same seed, two runs that differ only in a financing or
    policy parameter see the same demand history, because the number of deals (each draws a
    lease term) can no longer shift the draws of later revenue shocks.
    """

    demand: np.random.Generator        # transitory revenue noise and permanent surprises
    lab_shares: np.random.Generator    # each lab's luck in its share of the labs' revenue
    deals: np.random.Generator         # terms of new deals (lease lengths of new SPVs)

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> RandomStreams:
        """Independent child streams of ``rng`` (its draws so far do not matter)."""
        demand, lab_shares, deals = rng.spawn(3)
        return cls(demand=demand, lab_shares=lab_shares, deals=deals)


@dataclass(frozen=True, slots=True)
class Loss:
    """A realised loss and who finally bears it."""

    t: int
    bearer: str
    bearer_type: str
    channel: str
    amount: float


@dataclass(slots=True)
class Snapshot:
    """An agent's end-of-quarter figures (USD bn), computed in one pass.

    Not frozen (nothing changes it once made): one is made per agent and quarter, and a frozen
    dataclass takes four times as long to build.
    """

    cash: float
    debt: float
    equity: float
    leverage: float
    status: Status
    revenue: float
    assets: float
