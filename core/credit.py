"""The credit market: who can lend how much, and syndication of new loans.

New SPV and GPU loans are split between private-credit funds and banks (about two thirds /
one third, as in the deals of 2025), each side in proportion to its lenders' capacity; if
one side is short, the other may take more. Credit supply is what limits off-balance-sheet
capex when funds face redemptions or banks hit their capital requirement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.coefficients import BANK_LENDERS, FUND_LENDERS
from core.finance import EPS, relationship, split_by_capacity

# expected loss on a loan by the borrower's status: the marks funds and banks take

if TYPE_CHECKING:
    from core.protocol import Agent, Economy


class CreditMarket:
    """Lending capacity of funds and banks and the syndication of new loans."""

    def __init__(self, model: Economy) -> None:
        self.model = model

    def lenders(self, borrower: Agent) -> tuple[list, list]:
        """The borrower's relationship funds and banks."""
        m = self.model
        return (relationship(borrower, m.funds, FUND_LENDERS),
                relationship(borrower, m.banks, BANK_LENDERS))

    def capacity(self, borrower: Agent, fund_share: float) -> float:
        """Largest loan the borrower's lenders can fund now with the given fund/bank split."""
        funds, banks = self.lenders(borrower)
        from_funds = sum(f.lending_capacity() for f in funds)
        return from_funds + sum(b.lending_room() for b in banks) if fund_share < 1 else from_funds

    def syndicate(self, borrower: Agent, amount: float, *, fund_share: float,
                  **terms) -> float:
        """Lend ``amount`` to ``borrower`` from funds and banks; return the amount lent."""
        if amount <= EPS:
            return 0.0
        funds, banks = self.lenders(terms.pop("relationship_of", borrower))
        fund_caps = [f.lending_capacity() for f in funds]
        bank_caps = [b.lending_room() for b in banks]
        from_funds = min(fund_share * amount, sum(fund_caps))
        from_banks = min(amount - from_funds, sum(bank_caps))
        from_funds = min(amount - from_banks, sum(fund_caps))   # funds fill a bank shortfall
        lent = 0.0
        for fund, part in zip(funds, split_by_capacity(from_funds, fund_caps), strict=True):
            if part > EPS:
                part = fund.raise_cash(part)
                lent += self._lend(fund, borrower, part, terms)
        for bank, part in zip(banks, split_by_capacity(from_banks, bank_caps), strict=True):
            if part > EPS:
                lent += self._lend(bank, borrower, part, terms)
        return lent

    @staticmethod
    def _lend(lender: Agent, borrower: Agent, amount: float, terms: dict) -> float:
        return lender.make_loan(borrower, amount, terms)
