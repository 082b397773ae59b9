"""Bank (JPMorgan, "other banks"): corporate, SPV and GPU loans, and lines to private credit.

Lending is constrained by the capital ratio (equity / risk-weighted assets) and by cash.
Below the requirement a bank stops new lending and cuts its lines' undrawn parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BANK_OPERATING_COST,
    BANK_PAYOUT_SHARE,
    CAPITAL_HEADROOM,
    CASH_RESERVE,
    DEPOSIT_GROWTH,
    PAYOUT_HEADROOM,
    UNDRAWN_WEIGHT,
)
from core.contracts import CreditLine, Loan
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class Bank(FinancialAgent):
    """A bank with deposits, a loan book and a capital requirement."""

    role: ClassVar[str] = "bank"

    def __init__(self, model: Economy, name: str, cash: float) -> None:
        super().__init__(model, name, cash)
        self.deposits: Loan | None = None
        self.breached = False
        # capital position at the start of the quarter, plus what it has lent since: the
        # lending room within the quarter, without re-valuing the whole book at every loan
        self.equity_mark = 0.0
        self.rwa_mark = 0.0
        self.lent_this_quarter = 0.0

    def refresh_capital(self) -> None:
        """Take the quarter's snapshot of equity and risk-weighted assets."""
        self.equity_mark = self.equity
        self.rwa_mark = self.risk_weighted_assets()
        self.lent_this_quarter = 0.0

    def risk_weighted_assets(self) -> float:
        """Loans at 100%, undrawn committed lines at 50%, net of the loss allowance."""
        rwa = -self.loss_allowance
        for c in self.held:
            if isinstance(c, Loan):
                rwa += c.value()
                if isinstance(c, CreditLine):
                    rwa += UNDRAWN_WEIGHT * c.undrawn()
        return max(rwa, 1e-9)

    @property
    def capital_ratio(self) -> float:
        """Equity over risk-weighted assets."""
        return self.equity / self.risk_weighted_assets()

    def lending_room(self) -> float:
        """New loans the bank can make without breaching its requirement or its reserves."""
        if self.status != Status.ACTIVE:
            return 0.0
        req = self.model.params.bank_capital_requirement
        capital_room = self.equity_mark / (req + CAPITAL_HEADROOM) - self.rwa_mark - self.lent_this_quarter
        reserve = CASH_RESERVE * (self.deposits.value() if self.deposits else 0.0)
        return max(0.0, min(capital_room, self.cash - reserve))

    def make_loan(self, borrower: FinancialAgent, amount: float, terms: dict) -> float:
        """Lend from cash; the loan uses up part of this quarter's capital room."""
        lent = super().make_loan(borrower, amount, terms)
        self.lent_this_quarter += lent
        return lent

    def advance_on_line(self, line: CreditLine, amount: float) -> float:
        """Let the borrower draw on a committed line, within its limit and the capital room."""
        amount = min(amount, line.undrawn(), self.lending_room(), max(self.cash, 0.0))
        if amount <= 1e-9:
            return 0.0
        self.model.ledger.transfer(self, line.issuer, amount, "lending")
        line.principal += amount
        self.lent_this_quarter += amount
        return amount

    def operate(self) -> None:
        """Take in deposit growth and pay out part of the profit while well capitalised."""
        m = self.model
        if self.deposits is not None:
            growth = DEPOSIT_GROWTH * self.deposits.principal
            m.ledger.transfer(m.depositors, self, growth, "deposit_flow")
            self.deposits.principal += growth
        costs = BANK_OPERATING_COST * sum(c.value() for c in self.held if isinstance(c, Loan))
        self.pay(m.suppliers, min(costs, max(self.cash, 0.0)), "opex")
        profit = m.prev_pnl(self)
        req = m.params.bank_capital_requirement
        if profit > 0 and self.capital_ratio > req + PAYOUT_HEADROOM:
            self.pay(m.equity_investors, min(BANK_PAYOUT_SHARE * profit, self.cash), "dividend")

    def check_capital(self) -> None:
        """Flag and report a breach of the capital requirement."""
        m = self.model
        breached = self.capital_ratio < m.params.bank_capital_requirement
        if breached:
            for line in (c for c in self.held if isinstance(c, CreditLine)):
                line.limit = min(line.limit, line.principal)     # cut the undrawn lines
        if breached and not self.breached:
            m.log(f"{self.name}'s capital ratio falls to {self.capital_ratio:.1%}, below the "
                  f"{m.params.bank_capital_requirement:.0%} requirement: it stops new lending "
                  "and cuts its credit lines",
                  "bank_breach", self)
        self.breached = breached
