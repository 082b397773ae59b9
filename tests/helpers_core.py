"""Shared helpers for the economic-core tests: a minimal economy and cached scenario runs.

``MiniEconomy`` is a bare Mesa model with the same ledger, contract book, outside-sector
accounts and bookkeeping methods as ``AIEconomy`` (borrowed from it), but no roster: tests put
two or three agents and a few contracts in it by hand, so every cash flow can be computed on
paper. ``model.invariants.check_invariants`` runs on it unchanged.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

import mesa

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
from model.contracts import ContractBook
from model.credit import CreditMarket
from model.invariants import check_invariants
from model.ledger import Ledger
from model.parameters import make_parameters

__all__ = ["SPV", "AILab", "Bank", "Chipmaker", "FinancialAgent", "Hyperscaler", "MiniEconomy",
           "Neocloud", "OutsideSector", "Plain", "PrivateCreditFund", "first_status_quarter",
           "run_cached", "run_checked"]

HYPERSCALER_SPEC = {"cash": 0.0, "cloud_share": 0.2, "capex_share": 0.2, "non_ai_ocf": 25.0,
                    "payout": 0.0, "spv_share": 0.2, "guarantees_spv": False}
LAB_SPEC = {"cash": 0.0, "revenue_share": 1.0, "fixed_opex": 2.0}


class Plain(FinancialAgent):
    """A strategic agent with no behaviour (role 'plain'): a balance sheet and an account."""

    role = "plain"


@functools.cache
def _market_state() -> dict[str, Any]:
    """The scalar market state of a fresh AIEconomy (2025Q1), and which attributes are
    containers; copied into every MiniEconomy so it keeps up with the real model's fields."""
    template = AIEconomy("baseline", rng=0)
    bare = set(vars(mesa.Model(rng=0)))
    state: dict[str, Any] = {}
    for key, value in vars(template).items():
        if key in bare or key.startswith("_"):
            continue
        scalar_tuple = isinstance(value, tuple) and all(isinstance(v, int | float) for v in value)
        if isinstance(value, bool | int | float | str) or scalar_tuple:
            state[key] = value
        elif isinstance(value, defaultdict):
            state[key] = ("container", lambda f=value.default_factory: defaultdict(f))
        elif isinstance(value, list | dict):
            state[key] = ("container", type(value))
    return state


class MiniEconomy(AIEconomy):
    """The smallest economy the agents and finance functions run in: no roster.

    It has every method of AIEconomy and its 2025Q1 market state (utilisation 0.8, spot rent
    3.0, sentiment 1, ...), but only the outside-sector accounts until a test adds agents.
    """

    def __init__(self, seed: int = 0, **overrides: Any) -> None:
        mesa.Model.__init__(self, rng=seed)
        for key, value in _market_state().items():
            if isinstance(value, tuple) and value and value[0] == "container":
                value = value[1]()
            setattr(self, key, value)
        self._by_name = {}
        self._results = None
        self.params = make_parameters(overrides)
        self.ledger = Ledger()
        self.book = ContractBook()
        self.credit = CreditMarket(self)
        self.warrant = None
        self.t = 0
        self.base_rate = self.params.base_rate
        self.long_rate = self.base_rate + 0.004
        for key, label in (("customers", "End customers"), ("bond_investors", "Bond investors"),
                           ("equity_investors", "Equity investors"), ("lps", "Fund LPs"),
                           ("suppliers", "Suppliers"), ("other_borrowers", "Other borrowers"),
                           ("depositors", "Depositors")):
            setattr(self, key, OutsideSector(self, label))

    def open_books(self) -> None:
        """Take the present balance sheets as opening positions (as AIEconomy does)."""
        for a in self.all_agents:
            a.net_worth_0 = a.equity
            a.pnl = a.capital = 0.0
            a.income.clear()
        self.ledger.initial_total = self.ledger.total()

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
