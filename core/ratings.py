"""Credit ratings and market spreads: what a borrower pays, and whether a market is open to it.

A rating notch comes from leverage (net debt over a year of operating cash flow), the same
yardstick the agencies put first for large tech issuers. Bond spreads follow the notch and
widen with market stress; secured project loans (SPV and GPU loans) are priced on the rating
of the offtaker whose contract pays them, as CoreWeave's 2025-26 delayed-draw loans were
(S+225 with an investment-grade customer, S+450 with non-investment-grade ones).
Sources and values: :mod:`core.coefficients`.
"""

from __future__ import annotations

from core.coefficients import (
    BOND_SPREADS,
    HIGH_YIELD_SENTIMENT,
    INVESTMENT_GRADE,
    LEVERAGE_NOTCHES,
    RATINGS,
    SECURED_SPREADS,
    SPREAD_STRESS_MULTIPLE,
)

DEFAULT_NOTCH = len(RATINGS) - 1      # "D"
DISTRESSED_NOTCH = DEFAULT_NOTCH - 1  # "CCC"


def notch_from_leverage(net_debt: float, annual_cash_flow: float) -> int:
    """Rating notch (0 = AAA) of a borrower with this net debt and yearly operating cash flow.

    Net cash is AAA; no positive cash flow to carry debt is CCC.
    """
    if net_debt <= 0.0:
        return 0
    if annual_cash_flow <= 0.0:
        return DISTRESSED_NOTCH
    multiple = net_debt / annual_cash_flow
    for notch, limit in enumerate(LEVERAGE_NOTCHES):
        if multiple <= limit:
            return notch
    return DISTRESSED_NOTCH


def label(notch: int) -> str:
    """The rating as the agencies write it ("BBB")."""
    return RATINGS[min(max(notch, 0), DEFAULT_NOTCH)]


def is_investment_grade(notch: int) -> bool:
    """BBB or better."""
    return notch <= INVESTMENT_GRADE


def bond_spread(notch: int, stress: float) -> float:
    """Spread of an unsecured bond over the long rate, widening with market stress (0-1)."""
    return BOND_SPREADS[min(notch, DISTRESSED_NOTCH)] * (1.0 + SPREAD_STRESS_MULTIPLE
                                                         * max(0.0, stress))


def secured_spread(offtaker_notch: int, stress: float) -> float:
    """Margin over the policy rate of a loan secured on capacity leased to this offtaker."""
    return SECURED_SPREADS[min(offtaker_notch, DISTRESSED_NOTCH)] * (
        1.0 + SPREAD_STRESS_MULTIPLE * max(0.0, stress))


def bond_market_open(notch: int, sentiment: float) -> bool:
    """Investment grade can always issue; high yield only while markets are not in a funk."""
    if notch >= DISTRESSED_NOTCH:
        return False
    return is_investment_grade(notch) or sentiment >= HIGH_YIELD_SENTIMENT
