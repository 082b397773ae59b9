"""Typed records of the economy's state: market state, the quarter's flows, losses, snapshots.

The phases write the market state and the quarter's flows; agents read them. Losses and
balance-sheet snapshots are records with named fields, not tuples or string-keyed dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    noise: float = 0.0                  # AR(1) state of the revenue noise
    efficiency: float = 1.0             # compute per revenue dollar, 2025Q1 = 1
    non_ai_growth: float = 1.0          # index of the hyperscalers' non-AI business
    equity_window: float = 0.0          # outside money still available for private AI rounds
    # compute (phase 2)
    utilisation: float = 0.8
    utilisation_avg: float = 0.8        # exponentially smoothed (about a year)
    demand_gw: float = 0.0
    capacity_total: float = 0.0
    # markets (phase 8)
    sentiment: float = 1.0
    expected_growth: float = 0.10       # expected quarterly log growth of revenue
    bubble_index: float = 1.0
    value_ai: float = 0.0               # market value of AI equity
    value_prev: float = 0.0
    fundamental_prev: float = 0.0
    base_rate: float = 0.0
    long_rate: float = 0.0
    ig_spread: float = 0.0
    spot_rent: float = 0.0              # USD bn per GW-quarter
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


@dataclass(frozen=True, slots=True)
class Loss:
    """A realised loss and who finally bears it."""

    t: int
    bearer: str
    bearer_type: str
    channel: str
    amount: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An agent's end-of-quarter figures (USD bn), computed in one pass."""

    cash: float
    debt: float
    equity: float
    leverage: float
    status: Status
    revenue: float
    assets: float
