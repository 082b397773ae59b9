"""Outside-sector accounts: the rest of the economy, so that money is conserved.

End customers, bond and equity investors, fund LPs, suppliers (construction, power, labour),
non-AI borrowers of funds and banks, and bank depositors. They follow no strategy; they are
ledger counterparties. Their cash may go negative: it is their net position against the AI
economy, and the sum over all accounts stays constant.
"""

from __future__ import annotations

from typing import ClassVar

from agents.base import FinancialAgent


class OutsideSector(FinancialAgent):
    """One outside-sector account (no balance-sheet constraint, no decisions)."""

    role: ClassVar[str] = "outside"
    overdraft: ClassVar[bool] = True
    sector_assets: float = 0.0      # the sector's total financial assets, if it is a holder
                                    # sector (a loss is read as a share of them)
