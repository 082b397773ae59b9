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


class LendingRooms(dict):
    """Banks' lending rooms, each asked once while a deal's lenders are polled.

    Valid until a bank lends or its cash moves (a deal's own loans come after the poll); a
    fund's capacity includes its line bank's room.
    """

    def __missing__(self, bank: Agent) -> float:
        room = self[bank] = bank.lending_room()
        return room


class CreditMarket:
    """Lending capacity of funds and banks and the syndication of new loans."""

    def __init__(self, model: Economy) -> None:
        self.model = model

    def lenders(self, borrower: Agent) -> tuple[list, list]:
        """The borrower's relationship funds and banks."""
        m = self.model
        return (relationship(borrower, m.funds, FUND_LENDERS),
                relationship(borrower, m.banks, BANK_LENDERS))

    def room(self, borrower: Agent, rooms: LendingRooms | None = None
             ) -> tuple[list[float], list[float]]:
        """What each of the borrower's relationship funds and banks can lend now.

        ``rooms`` collects the banks' rooms as they are asked (see :meth:`syndicate`).
        """
        funds, banks = self.lenders(borrower)
        rooms = LendingRooms() if rooms is None else rooms
        return [f.lending_capacity(rooms) for f in funds], [rooms[b] for b in banks]

    def capacity(self, borrower: Agent, fund_share: float,
                 room: tuple[list[float], list[float]] | None = None) -> float:
        """Largest loan the borrower's lenders can fund now with the given fund/bank split.

        ``room`` is what each of them can lend (:meth:`room`), if already known.
        """
        fund_room, bank_room = room if room is not None else self.room(borrower)
        return sum(fund_room) + sum(bank_room) if fund_share < 1 else sum(fund_room)

    def syndicate(self, borrower: Agent, amount: float, *, fund_share: float,
                  rooms: LendingRooms | None = None, **terms) -> float:
        """Lend ``amount`` to ``borrower`` from funds and banks; return the amount lent.

        ``rooms``: the banks' lending rooms if already polled for this deal, with no bank's
        books changed since (funds are asked again: their cash may have moved).
        """
        if amount <= EPS:
            return 0.0
        funds, banks = self.lenders(terms.pop("relationship_of", borrower))
        rooms = LendingRooms() if rooms is None else rooms
        fund_caps = [f.lending_capacity(rooms) for f in funds]
        bank_caps = [rooms[b] for b in banks]
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
