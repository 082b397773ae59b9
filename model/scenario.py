"""Scenarios: named parameter sets in TOML files ("revenue assumptions").

A scenario file has an optional ``[scenario]`` table (name, description) and a
``[parameters]`` table whose keys are parameter names; anything not given keeps its default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from core.errors import ParameterError
from model.parameters import Parameters, make_parameters

SCENARIOS: tuple[str, ...] = ("baseline", "boom", "bust")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, validated parameter set."""

    name: str
    description: str
    params: Parameters


SCENARIO_KEYS = ("name", "description")


def _read_toml(text: str, origin: str) -> dict[str, Any]:
    """Parse a scenario file and check its shape (tables, keys and their types)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{origin}: not valid TOML ({exc})") from None
    unknown = set(data) - {"scenario", "parameters"}
    if unknown:
        raise ParameterError(
            f"{origin}: unknown table(s) {sorted(unknown)}; allowed are [scenario] and [parameters]"
        )
    if not isinstance(data.get("parameters", {}), dict):
        raise ParameterError(f"{origin}: 'parameters' must be a table of name = number")
    meta = data.get("scenario", {})
    if not isinstance(meta, dict):
        raise ParameterError(f"{origin}: 'scenario' must be a table with keys "
                             f"{', '.join(SCENARIO_KEYS)}, got {meta!r}")
    extra = set(meta) - set(SCENARIO_KEYS)
    if extra:
        raise ParameterError(f"{origin}: unknown key(s) {sorted(extra)} in [scenario]; allowed "
                             f"are {', '.join(SCENARIO_KEYS)}")
    for key, value in meta.items():
        if not isinstance(value, str):
            raise ParameterError(f"{origin}: [scenario] {key} must be a string, got {value!r}")
    return data


def _read_file(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path}: not a UTF-8 text file (byte {exc.start}); save the "
                             "scenario as UTF-8 TOML") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot be read ({exc.strerror})") from None


def load_scenario(scenario: str | Path = "baseline", **overrides: Any) -> Scenario:
    """Load a packaged scenario by name, or a TOML file by path, then apply overrides.

    Raises:
        ParameterError: unknown scenario, unreadable file, or a bad parameter (the message
            names the field and its allowed range).
    """
    if isinstance(scenario, Scenario):
        return Scenario(scenario.name, scenario.description,
                        scenario.params.with_overrides(**overrides))
    key = str(scenario)
    if key in SCENARIOS:
        text = resources.files("model.scenarios").joinpath(f"{key}.toml").read_text("utf-8")
        origin = f"scenario {key!r}"
    else:
        path = Path(key)
        if path.suffix.lower() != ".toml" or not path.is_file():
            raise ParameterError(
                f"scenario {key!r} is neither a packaged scenario ({', '.join(SCENARIOS)}) "
                "nor an existing .toml file"
            )
        text = _read_file(path)
        origin = str(path)
    data = _read_toml(text, origin)
    meta = data.get("scenario", {})
    values = dict(data.get("parameters", {}))
    values.update(overrides)
    try:
        params = make_parameters(values)
    except ParameterError as exc:
        raise ParameterError(f"{origin}: {exc}") from None
    return Scenario(str(meta.get("name", Path(key).stem)), str(meta.get("description", "")), params)
