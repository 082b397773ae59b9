"""Typed model parameters, each declared once: default, range, unit, group, label and help.

All money is USD bn, flows are per quarter unless the name or unit says per year, time is in
quarters (0 = 2025Q1). A quarter index of -1 switches a shock off. ``PARAMETER_INFO`` (what
sliders, validation, the CLI and the docs read) is built from the dataclass fields below.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from core.errors import ParameterError


class ParamInfo(NamedTuple):
    """Metadata for one parameter: what sliders, validation and docs need."""

    name: str
    default: float
    min: float
    max: float
    unit: str
    group: str
    label: str
    description: str
    integer: bool = False


# "labour" holds what only converts revenue into the jobs-displaced statistic: no balance
# sheet sees it, so analyses of crises and losses leave it out unless asked for.
GROUPS = ("revenue", "technology", "financing", "policy", "shocks", "labour")


def _param(default: float, low: float, high: float, unit: str, group: str, label: str,
           description: str) -> Any:
    """A dataclass field carrying the parameter's declaration."""
    return dataclasses.field(default=default, metadata={
        "range": (low, high), "unit": unit, "group": group, "label": label,
        "description": description})


@dataclass(frozen=True, slots=True)
class Parameters:
    """One complete, validated parameter set. Build with :func:`make_parameters`."""

    # --- revenue assumptions -------------------------------------------------------------
    revenue_2030: float = _param(
        800.0, 150.0, 3000.0, "USD bn/yr", "revenue", "AI revenue in 2030",
        "Expected end-customer AI revenue in 2030. 2025 is observed (~75B) and the same in "
        "every scenario; this assumption shapes the path from 2026 on.")
    revenue_ceiling_multiple: float = _param(
        1.15, 1.02, 3.0, "x 2030 revenue", "revenue", "Long-run revenue",
        "Where revenue levels off, as a multiple of 2030 revenue (close to 1: the market is "
        "mature by 2030; 2 or more: still growing fast in 2030).")
    revenue_uncertainty: float = _param(
        0.35, 0.0, 1.0, "log sd", "revenue", "Revenue uncertainty",
        "How uncertain 2030 revenue is around the assumption: the standard deviation of its "
        "log (0.35: two paths in three end within x/÷1.4 of it). Surprises start in 2026 and "
        "build up smoothly.")
    revenue_noise: float = _param(
        0.04, 0.0, 0.3, "share", "revenue", "Revenue noise",
        "Std. dev. of transitory quarter-to-quarter noise on revenue (AR(1)).")
    lab_revenue_share: float = _param(
        0.28, 0.05, 0.8, "share", "revenue", "Labs' share of revenue",
        "Share of end-customer AI revenue earned by the AI labs; the rest goes to hyperscaler "
        "cloud AI services.")
    compute_price_decline: float = _param(
        0.02, 0.0, 0.15, "1/quarter", "revenue", "Compute price decline",
        "Trend fall of spot GPU rent per quarter (cheaper chips, competition).")
    efficiency_gain: float = _param(
        0.015, 0.0, 0.08, "1/quarter", "technology", "Efficiency gain",
        "Trend fall of compute needed per revenue dollar.")
    # --- technology and power ------------------------------------------------------------
    gpu_economic_life: int = _param(
        16, 4, 40, "quarters", "technology", "GPU economic life",
        "Quarters over which a GPU loses its market value; book life is longer, the gap is "
        "the stranded-asset exposure.")
    gpu_book_life: int = _param(
        24, 8, 40, "quarters", "technology", "GPU book life",
        "Accounting depreciation life of GPUs and servers.")
    build_lag: int = _param(
        4, 1, 10, "quarters", "technology", "Build lag",
        "Quarters from capex to capacity online (buildings 6-8, GPUs 1-2).")
    cost_per_gw: float = _param(
        50.0, 20.0, 120.0, "USD bn/GW", "technology", "Cost per GW",
        "Capex per GW of AI data-centre capacity (60% GPUs, 40% buildings, power).")
    power_gw_2025: float = _param(
        4.0, 0.5, 20.0, "GW/quarter", "technology", "Power connectable",
        "GW of new data-centre load that can be connected per quarter in 2025 (worldwide).")
    power_growth: float = _param(
        0.05, 0.0, 0.2, "1/quarter", "technology", "Power growth",
        "Growth of connectable power per quarter.")
    # --- financing and behaviour ---------------------------------------------------------
    herding: float = _param(
        0.5, 0.0, 1.0, "", "financing", "Herding",
        "Weight of market sentiment in expected demand growth.")
    expectation_memory: float = _param(
        0.75, 0.0, 0.99, "", "financing", "Expectation memory",
        "Weight of last quarter's expected growth (adaptive expectations).")
    spv_appetite: float = _param(
        1.0, 0.0, 3.0, "x", "financing", "SPV appetite",
        "Multiplier on the share of hyperscaler capex routed to off-balance-sheet SPVs.")
    cash_target: float = _param(
        0.85, 0.0, 2.0, "x capex", "financing", "Cash buffer target",
        "Hyperscalers issue IG bonds to keep cash at this multiple of the next four "
        "quarters' capex.")
    vendor_financing_share: float = _param(
        0.25, 0.0, 0.8, "share", "financing", "Vendor financing",
        "Share of labs' equity raises funded by chipmakers (circular).")
    take_or_pay: float = _param(
        0.9, 0.0, 1.0, "share", "financing", "Take-or-pay share",
        "Share of contracted compute a lab must pay for even when unused.")
    lab_burn: float = _param(
        0.9, 0.0, 3.0, "", "financing", "Lab burn intensity",
        "Base burn multiple b0: lab spending = revenue x (1 + b).")
    lp_redemption_sensitivity: float = _param(
        1.0, 0.0, 5.0, "", "financing", "LP redemption sensitivity",
        "How strongly fund investors redeem after losses and stress.")
    base_rate: float = _param(
        0.04, 0.0, 0.12, "1/yr", "financing", "Base rate",
        "Short-term policy rate (SOFR); floating loans pay it plus a spread.")
    # --- policy: what a regulator can set (also mid-run, through AIEconomy.apply_policy) ---
    bank_capital_requirement: float = _param(
        0.10, 0.04, 0.25, "share of RWA", "policy", "Bank capital requirement",
        "Minimum equity / risk-weighted assets; below it a bank stops new lending and cuts its "
        "credit lines.")
    countercyclical_buffer: float = _param(
        0.01, 0.0, 0.05, "share of RWA", "policy", "Countercyclical buffer",
        "Capital banks must hold above the requirement to make new loans in good times; "
        "releasing it (0) lets them lend through a downturn.")
    spv_max_debt_share: float = _param(
        0.85, 0.5, 0.95, "share of cost", "policy", "SPV leverage limit",
        "Largest share of an SPV's capex that may be debt (Hyperion 88%, Vantage and Stargate "
        "New Mexico ~90%, xAI's GPU SPV 62%: ~85% on average); the rest is equity.")
    consolidate_spvs: int = _param(
        0, 0, 1, "0/1", "policy", "Consolidate SPVs",
        "1: sponsors must count their SPVs' debt as their own for ratings and bond limits "
        "(no off-balance-sheet advantage).")
    redemption_gate: float = _param(
        0.05, 0.0, 0.5, "share of NAV", "policy", "Redemption gate",
        "Maximum redemptions a private-credit fund pays per quarter (semi-liquid funds and "
        "non-traded BDCs publish 5%).")
    lolr_budget: float = _param(
        0.0, 0.0, 1000.0, "USD bn", "policy", "Lender of last resort",
        "Budget of a central-bank facility that lends to solvent banks and funds short of cash "
        "against collateral, at a penalty rate.")
    buffer_usability: float = _param(
        0.5, 0.0, 1.0, "share", "policy", "Liquidity buffer usability",
        "Share of their liquidity buffer banks may draw on in stress before they cut lending.")
    # --- shocks --------------------------------------------------------------------------
    efficiency_shock_quarter: int = _param(
        -1, -1, 60, "quarter", "shocks", "Efficiency shock quarter",
        "Quarter of a one-off efficiency shock (-1 = off).")
    efficiency_shock_size: float = _param(
        0.35, 0.0, 0.9, "share", "shocks", "Efficiency shock size",
        "Cut in compute per revenue dollar when the shock hits.")
    power_crunch_quarter: int = _param(
        -1, -1, 60, "quarter", "shocks", "Power crunch quarter",
        "Quarter a power crunch starts (-1 = off).")
    power_crunch_size: float = _param(
        0.5, 0.0, 1.0, "share", "shocks", "Power crunch size",
        "Cut in connectable power from that quarter on.")
    rate_shock_quarter: int = _param(
        -1, -1, 60, "quarter", "shocks", "Rate shock quarter",
        "Quarter of a permanent base-rate shock (-1 = off).")
    rate_shock_bp: float = _param(
        200.0, -400.0, 800.0, "bp", "shocks", "Rate shock size",
        "Change of the base rate when the rate shock hits, in basis points.")
    chip_jump_quarter: int = _param(
        -1, -1, 60, "quarter", "shocks", "Chip generation jump quarter",
        "Quarter a new chip generation makes installed GPUs obsolete faster (-1 = off).")
    chip_jump_size: float = _param(
        0.3, 0.0, 0.9, "share", "shocks", "Chip generation jump size",
        "One-off fall in the market value of installed GPUs and in spot rent.")
    # --- labour --------------------------------------------------------------------------
    substitution_share: float = _param(
        0.5, 0.0, 1.0, "share", "labour", "Labour substitution share",
        "Share of AI revenue that replaces wages.")
    average_wage: float = _param(
        80.0, 10.0, 300.0, "USD k/yr", "labour", "Average wage",
        "Average annual wage of a displaced job.")

    def with_overrides(self, **overrides: Any) -> Parameters:
        """Return a validated copy with some fields changed."""
        values = self.as_dict()
        values.update(overrides)
        return make_parameters(values)

    def as_dict(self) -> dict[str, float]:
        """Plain dict of all fields (for manifests and TOML)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _info(f: dataclasses.Field) -> ParamInfo:
    meta = f.metadata
    low, high = meta["range"]
    integer = f.type in (int, "int")
    return ParamInfo(f.name, f.default, low, high, meta["unit"], meta["group"], meta["label"],
                     meta["description"], integer)


PARAMETER_INFO: dict[str, ParamInfo] = {f.name: _info(f) for f in fields(Parameters)}


def _allowed(info: ParamInfo) -> str:
    unit = f" {info.unit}" if info.unit else ""
    return f"allowed range [{info.min:g}, {info.max:g}]{unit}"


def _kind(info: ParamInfo) -> str:
    return "a whole number" if info.integer else "a number"


def validate_value(name: str, value: Any) -> float | int:
    """Check one parameter value against its type and range; return it with the field type.

    Booleans and strings are not numbers: ``True`` or ``"900"`` are errors, not 1 and 900.
    """
    if name not in PARAMETER_INFO:
        close = difflib.get_close_matches(name, PARAMETER_INFO, n=1)
        if close:
            raise ParameterError(f"unknown parameter {name!r}; did you mean {close[0]!r}?")
        raise ParameterError(f"unknown parameter {name!r}; known parameters: "
                             f"{', '.join(PARAMETER_INFO)}")
    info = PARAMETER_INFO[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or type(value).__name__ \
            == "bool_":
        raise ParameterError(f"{name} must be {_kind(info)} ({_allowed(info)}), got {value!r} "
                             f"({type(value).__name__})")
    number = float(value)
    if not math.isfinite(number) or not info.min <= number <= info.max:
        raise ParameterError(f"{name} = {value!r} is outside the {_allowed(info)}")
    if info.integer:
        if number != int(number):
            raise ParameterError(f"{name} must be {_kind(info)} ({_allowed(info)}), got "
                                 f"{value!r}")
        return int(number)
    return number


def make_parameters(values: dict[str, Any]) -> Parameters:
    """Validate a full or partial mapping (defaults fill the rest) into ``Parameters``."""
    merged: dict[str, Any] = {name: info.default for name, info in PARAMETER_INFO.items()}
    merged.update(values)
    checked = {name: validate_value(name, value) for name, value in merged.items()}
    if checked["gpu_economic_life"] > checked["gpu_book_life"]:
        raise ParameterError(
            f"gpu_economic_life ({checked['gpu_economic_life']}) must not exceed gpu_book_life "
            f"({checked['gpu_book_life']}): the economic life is the shorter, honest one")
    return Parameters(**checked)


DEFAULTS = make_parameters({})

__all__ = ["DEFAULTS", "GROUPS", "PARAMETER_INFO", "ParamInfo", "Parameters",
           "make_parameters", "validate_value"]
