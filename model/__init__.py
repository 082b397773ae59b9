"""The AI debt bubble: an agent-based, stock-flow-consistent model (mesa 3.5).

Public API: ``AIEconomy``, ``load_scenario``, ``ParameterError``, ``AccountingError``,
``Parameters``, ``PARAMETER_INFO``, ``SCENARIOS``, ``MODEL_COLUMNS``. See docs/API.md.
"""

from typing import Any

from model.errors import AccountingError, ParameterError
from model.metrics import MODEL_COLUMNS
from model.parameters import PARAMETER_INFO, Parameters, ParamInfo, make_parameters
from model.scenario import SCENARIOS, Scenario, load_scenario

__all__ = ["MODEL_COLUMNS", "PARAMETER_INFO", "SCENARIOS", "AIEconomy", "AccountingError",
           "ParamInfo", "ParameterError", "Parameters", "Scenario", "load_scenario",
           "make_parameters"]


def __getattr__(name: str) -> Any:
    """Import ``AIEconomy`` on first use, so that ``import agents`` works on its own.

    (``agents`` needs ``model.contracts``; ``model.economy`` needs ``agents``.)
    """
    if name == "AIEconomy":
        from model.economy import AIEconomy

        return AIEconomy
    raise AttributeError(f"module 'model' has no attribute {name!r}")
