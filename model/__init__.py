"""The AI debt bubble: an agent-based, stock-flow-consistent model (mesa 3.5).

Public API: ``AIEconomy``, ``load_scenario``, ``ParameterError``, ``AccountingError``,
``Parameters``, ``PARAMETER_INFO``, ``SCENARIOS``, ``MODEL_COLUMNS``, ``MAX_QUARTERS``. See
docs/API.md.

Layers, each importing only the ones below it: ``model`` (the economy, its phases, roster,
scenarios) -> ``agents`` (one module per role) -> ``core`` (ledger, contracts, finance,
markets, clearing).
"""

from core.errors import AccountingError, ParameterError
from model.economy import MAX_QUARTERS, AIEconomy
from model.metrics import MODEL_COLUMNS
from model.parameters import PARAMETER_INFO, Parameters, ParamInfo, make_parameters
from model.scenario import SCENARIOS, Scenario, load_scenario

__all__ = ["MAX_QUARTERS", "MODEL_COLUMNS", "PARAMETER_INFO", "SCENARIOS", "AIEconomy",
           "AccountingError", "ParamInfo", "ParameterError", "Parameters", "Scenario",
           "load_scenario", "make_parameters"]
