"""Colours: one per role, per debt type, per loss bearer and per scenario (colour-blind safe).

Based on the Okabe–Ito palette (Okabe & Ito 2008), which stays distinguishable for the
common forms of colour-vision deficiency; the same role has the same colour everywhere.
"""

from __future__ import annotations

ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#999999"
DISTRESS = "#D7191C"  # outline of distressed agents, defaults on the time axis

ROLE_COLORS: dict[str, str] = {
    "hyperscaler": BLUE,
    "lab": ORANGE,
    "neocloud": SKY,
    "chipmaker": GREEN,
    "spv": PURPLE,
    "abs": YELLOW,
    "fund": VERMILION,
    "bank": BLACK,
    "outside": GREY,
}
ROLE_LABELS: dict[str, str] = {
    "hyperscaler": "Hyperscaler",
    "lab": "AI lab",
    "neocloud": "Neocloud",
    "chipmaker": "Chipmaker",
    "spv": "SPV (off balance sheet)",
    "abs": "ABS vehicle",
    "fund": "Private-credit fund",
    "bank": "Bank",
    "outside": "Outside sector",
}

# Debt by type: results-frame column -> (label, colour).
DEBT_TYPES: dict[str, tuple[str, str]] = {
    "ig_bonds_ai": ("IG bonds", BLUE),
    "bank_loans_ai": ("Bank loans", BLACK),
    "private_credit_ai": ("Private credit", VERMILION),
    "spv_debt": ("SPV debt", PURPLE),
    "abs_outstanding": ("ABS", YELLOW),
}

BEARER_COLORS: dict[str, str] = {
    "bank": BLACK,
    "banks": BLACK,
    "fund": VERMILION,
    "funds": VERMILION,
    "private_credit": VERMILION,
    "lp": ORANGE,
    "lps": ORANGE,
    "bond_investors": BLUE,
    "bondholders": BLUE,
    "investors": BLUE,
    "equity_investors": SKY,
    "sponsor": PURPLE,
    "sponsors": PURPLE,
    "abs": YELLOW,
    "abs_tranche": YELLOW,
    "chipmaker": GREEN,
    "hyperscaler": BLUE,
    "lab": ORANGE,
    "outside": GREY,
}
_FALLBACK = [SKY, GREEN, PURPLE, YELLOW, ORANGE, BLUE, VERMILION, GREY]

SCENARIO_COLORS: dict[str, str] = {
    "boom": GREEN,
    "baseline": BLUE,
    "bust": VERMILION,
}

EVENT_COLORS: dict[str, str] = {
    "default": DISTRESS,
    "distress": ORANGE,
    "gate": VERMILION,
    "guarantee": PURPLE,
    "bank_breach": BLACK,
    "fire_sale": YELLOW,
    "deal": GREEN,
    "shock": BLUE,
    "info": GREY,
}


def bearer_color(name: str, i: int = 0) -> str:
    """Colour of a loss bearer (a role gets its role colour), with a stable fallback."""
    key = name.lower()
    if key in ROLE_COLORS:
        return ROLE_COLORS[key]
    return BEARER_COLORS.get(key, _FALLBACK[i % len(_FALLBACK)])


def bearer_label(name: str) -> str:
    """Plural label of a loss bearer type (``fund`` -> ``Private-credit funds``)."""
    labels = {"hyperscaler": "Hyperscalers", "lab": "AI labs", "neocloud": "Neoclouds",
              "chipmaker": "Chipmakers", "spv": "SPVs", "abs": "ABS holders",
              "fund": "Private-credit funds",
              "bank": "Banks", "outside": "Bond/equity investors & others"}
    return labels.get(name.lower(), name.replace("_", " ").capitalize())


def scenario_color(name: str, i: int = 0) -> str:
    """Colour of a scenario on the Compare page (uploaded scenarios get fallbacks)."""
    return SCENARIO_COLORS.get(name, _FALLBACK[(i + 3) % len(_FALLBACK)])


def role_color(role: str) -> str:
    """Colour of an agent role."""
    return ROLE_COLORS.get(role, GREY)
