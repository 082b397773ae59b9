"""Shared helpers for the economic-core tests: a minimal economy and cached scenario runs.

``MiniEconomy`` is a bare Mesa model with the same ledger, contract book, outside-sector
accounts and bookkeeping methods as ``AIEconomy`` (borrowed from it), but no roster: tests put
two or three agents and a few contracts in it by hand, so every cash flow can be computed on
paper. ``model.invariants.check_invariants`` runs on it unchanged.
"""

from __future__ import annotations

from typing import Any

from agents import (
    SPV,
    AILab,
    Bank,
    Chipmaker,
    Hyperscaler,
    Neocloud,
    OutsideSector,
    PrivateCreditFund,
)
from agents.base import FinancialAgent
from model import AIEconomy
from model.invariants import check_invariants
from model.parameters import make_parameters
from model.scenario import Scenario

__all__ = ["SPV", "AILab", "Bank", "Chipmaker", "FinancialAgent", "Hyperscaler", "MiniEconomy",
           "Neocloud", "OutsideSector", "Plain", "PrivateCreditFund", "first_status_quarter",
           "run_cached", "run_checked"]

HYPERSCALER_SPEC = {"cash": 0.0, "cloud_share": 0.2, "capex_share": 0.2, "non_ai_ocf": 25.0,
                    "payout": 0.0, "spv_share": 0.2, "guarantees_spv": False}
LAB_SPEC = {"cash": 0.0, "revenue_share": 1.0, "fixed_opex": 2.0}


class Plain(FinancialAgent):
    """A strategic agent with no behaviour (role 'plain'): a balance sheet and an account."""

    role = "plain"


class MiniEconomy(AIEconomy):
    """The smallest economy the agents and finance functions run in: no firms.

    An ``AIEconomy`` built with ``roster="empty"``: every method, the 2025Q1 market state
    (utilisation 0.8, spot rent 3.0, sentiment 1, ...) and the outside-sector accounts; a
    test adds two or three agents and contracts by hand, then calls ``open_books()``.
    """

    def __init__(self, seed: int = 0, **overrides: Any) -> None:
        super().__init__(Scenario("mini", "", make_parameters(overrides)), rng=seed,
                         roster="empty")

    def check(self) -> None:
        """Run the model's stock-flow checks on this economy."""
        check_invariants(self)


_RUNS: dict[tuple[str, int, int], AIEconomy] = {}
SHARED_SEEDS = range(3)      # runs of these seeds are kept for the tests that only read them


def run_checked(scenario: str, seed: int, quarters: int = 40, **overrides: Any) -> AIEconomy:
    """Run a scenario, checking every invariant after every quarter."""
    m = AIEconomy(scenario, rng=seed, **overrides)
    m.check_invariants()
    for _ in range(quarters):
        m.step()
        m.check_invariants()
    if not overrides and seed in SHARED_SEEDS:
        _RUNS[(scenario, seed, quarters)] = m
    return m


def run_cached(scenario: str, seed: int, quarters: int = 40) -> AIEconomy:
    """A finished run, shared by the tests that only read it (do not mutate the model)."""
    key = (scenario, seed, quarters)
    if key not in _RUNS:
        m = AIEconomy(scenario, rng=seed)
        m.run(quarters)
        _RUNS[key] = m
    return _RUNS[key]


def first_status_quarter(m: AIEconomy, roles: set[str], statuses=("distressed", "defaulted")):
    """Index of the first quarter in which an agent of ``roles`` had one of ``statuses``."""
    df = m.datacollector.get_agent_vars_dataframe().reset_index()
    hit = df[df["role"].isin(roles) & df["status"].isin(statuses)]
    return int(hit["Step"].min()) - 1 if len(hit) else None
