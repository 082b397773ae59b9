"""Colours: one per role, per debt type, per loss bearer and per scenario (colour-blind safe).

Based on the Okabe–Ito palette (Okabe & Ito 2008), which stays distinguishable for the
common forms of colour-vision deficiency; the same role has the same colour everywhere.
Orange is kept for one thing only: the circular core, the loop of firms whose money comes
back to them (its deals and firms in the network, its changes in the event log), so no role
uses it and ordinary links are drawn in grey.
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
DARK_GREY = "#555555"
DISTRESS = "#D7191C"  # outline of distressed agents, defaults on the time axis
CIRCULAR = ORANGE  # circular deals in the network: used by no role
LINK = "#9E9E9E"  # ordinary exposures in the network

ROLE_COLORS: dict[str, str] = {
    "hyperscaler": BLUE,
    "lab": YELLOW,
    "neocloud": SKY,
    "chipmaker": GREEN,
    "spv": PURPLE,
    "abs": PURPLE,  # both are vehicles on the inner ring; ABS nodes are diamonds
    "fund": VERMILION,
    "bank": BLACK,
    "outside": GREY,
}
ROLE_SYMBOLS: dict[str, str] = {"abs": "diamond"}
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
    "ig_bonds_ai": ("Investment-grade bonds", BLUE),
    "bank_loans_ai": ("Bank loans", BLACK),
    "private_credit_ai": ("Private credit", VERMILION),
    "spv_debt": ("SPV debt", PURPLE),
    "abs_outstanding": ("ABS", SKY),
}

# Loss bearers (the model's bearer types) -> (plural label, colour).
BEARERS: dict[str, tuple[str, str]] = {
    "hyperscaler": ("Hyperscalers", BLUE),
    "lab": ("AI labs", YELLOW),
    "neocloud": ("Neoclouds", SKY),
    "chipmaker": ("Chipmakers", GREEN),
    "spv": ("SPVs", PURPLE),
    "abs": ("ABS holders", "#B07AA1"),
    "fund": ("Private-credit funds", VERMILION),
    "bank": ("Banks", BLACK),
    "outside": ("Bond/equity investors & others", GREY),
    "households": ("Households (depositors, savers, pensions)", DARK_GREY),
    # the holder sectors behind private credit (part of the outside sector)
    "insurers": ("Insurers", "#882255"),
    "pension_funds": ("Pension funds", "#332288"),
    "retail_investors": ("Retail fund investors", "#999933"),
    "other_lps": ("Other institutional LPs", "#44AA99"),
}
# How the build-out is financed: results-frame column -> (label, colour).
FINANCING: dict[str, tuple[str, str]] = {
    "financing_bonds": ("Corporate bonds", BLUE),
    "financing_private_credit": ("Private credit", VERMILION),
    "financing_equity": ("Equity", GREEN),
    "financing_abs": ("ABS", SKY),
}
OWN_CASH = ("Firms' own cash", "#C8C8C8")
_FALLBACK = [SKY, GREEN, PURPLE, YELLOW, BLUE, VERMILION, GREY, DARK_GREY]

SCENARIO_COLORS: dict[str, str] = {
    "boom": GREEN,
    "baseline": BLUE,
    "bust": VERMILION,
}

EVENT_COLORS: dict[str, str] = {
    "default": DISTRESS,
    "distress": DARK_GREY,
    "gate": VERMILION,
    "guarantee": PURPLE,
    "bank_breach": BLACK,
    "fire_sale": "#8C6D00",
    "deal": GREEN,
    "shock": BLUE,
    "policy": SKY,
    "circularity": CIRCULAR,  # the circular core changed: the network's orange
    "info": GREY,
}
# Event kinds drawn as dashed markers on the time charts, with the dash style of each.
MARKERS: dict[str, tuple[str, str]] = {
    "default": ("default", "dashed"),
    "gate": ("fund gate", "dotted"),
    "bank_breach": ("bank breach", "dashed"),
}


def bearer_color(name: str, i: int = 0) -> str:
    """Colour of a loss bearer type, with a stable fallback for unknown ones."""
    found = BEARERS.get(name.lower())
    return found[1] if found else _FALLBACK[i % len(_FALLBACK)]


def bearer_label(name: str) -> str:
    """Plural label of a loss bearer type (``fund`` -> ``Private-credit funds``)."""
    found = BEARERS.get(name.lower())
    return found[0] if found else name.replace("_", " ").capitalize()


def scenario_color(name: str, i: int = 0) -> str:
    """Colour of a scenario on the Compare page (uploaded scenarios get fallbacks)."""
    return SCENARIO_COLORS.get(name, _FALLBACK[(i + 3) % len(_FALLBACK)])


def role_color(role: str) -> str:
    """Colour of an agent role."""
    return ROLE_COLORS.get(role, GREY)
