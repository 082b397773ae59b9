"""What the foundation layer and the agents may ask of an agent and of the economy.

Typing only: ``agents/`` and ``core/`` see the model through these Protocols, so they never
import ``model`` (which sits above them and builds the economy out of the agents).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from core.contracts import ContractBook, ContractList
    from core.credit import CreditMarket
    from core.ledger import Ledger
    from core.state import MarketState, QuarterFlows, RandomStreams, Snapshot, Status


class Agent(Protocol):
    """An account holder with a balance sheet (see ``agents.base.FinancialAgent``)."""

    name: str
    role: str
    account: int
    overdraft: bool
    status: Status
    held: ContractList        # cached sub-lists by class: change it only through list methods
    issued: ContractList
    gpu_book: float
    gpu_market: float
    building_book: float
    capacity_gw: float
    pipeline: list[tuple[int, float]]
    pnl: float
    capital: float
    income: Any
    missed: float
    snap: Snapshot | None
    unique_id: int

    @property
    def cash(self) -> float: ...
    @property
    def equity(self) -> float: ...
    @property
    def debt(self) -> float: ...
    @property
    def pipeline_gw(self) -> float: ...
    def pay(self, payee: Agent, amount: float, kind: str) -> float: ...
    def revalue(self, amount: float, kind: str) -> None: ...


class Economy(Protocol):
    """The economy as its agents see it: time, parameters, books, markets and counterparties."""

    t: int
    params: Any
    rng: np.random.Generator
    streams: RandomStreams
    ledger: Ledger
    book: ContractBook
    credit: CreditMarket
    market: MarketState
    flows: QuarterFlows
    funds: list[Any]
    banks: list[Any]
    abs_vehicles: list[Any]
    spv_by_key: dict[tuple[str, int], Any]
    # outside-sector accounts
    customers: Agent
    bond_investors: Agent
    equity_investors: Agent
    lps: Agent
    suppliers: Agent
    other_borrowers: Agent
    depositors: Agent
    distressed_investors: Agent
    clearing_house: Agent

    def log(self, text: str, kind: str = "info", *agents: Agent) -> None: ...
    def record_loss(self, bearer: Agent, channel: str, amount: float) -> None: ...
    def register(self, agent: Agent) -> None: ...
    def agent_by_name(self, name: str) -> Any: ...
    def gpu_vendors(self, buyer: Agent) -> list[tuple[Any, float]]: ...
    def valuation(self, agent: Agent) -> float: ...
    def market_value_of_capacity(self, agent: Agent) -> float: ...
    def add_spv(self, name: str, sponsor: Agent) -> Any: ...
    def lenders(self, borrower: Agent) -> tuple[Sequence[Any], Sequence[Any]]: ...
