"""Bank (JPMorgan, "other banks"): corporate, SPV and GPU loans, and lines to private credit.

Lending is constrained by the capital ratio (equity / risk-weighted assets) and by cash.
Below the requirement a bank stops new lending and cuts its lines' undrawn parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import (
    BANK_CAPITAL_TARGET,
    BANK_OPERATING_COST,
    BANK_PAYOUT_SHARE,
    CAPITAL_HEADROOM,
    DEPOSIT_GROWTH,
    EXCESS_CAPITAL_PAYOUT,
    IORB_SPREAD,
    LCR_DEPOSIT_RUNOFF,
    LCR_LINE_DRAWDOWN,
    PAYOUT_HEADROOM,
    QUARTERS_PER_YEAR,
    STRESS_FOR_BUFFER_USE,
    UNDRAWN_WEIGHT,
)
from core.contracts import CreditLine, Loan
from core.ratings import DISTRESSED_NOTCH, is_investment_grade
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



def capital_ratio(equity: float, risk_weighted_assets: float) -> float:
    """Equity over risk-weighted assets, kept within [-1, 1]: a bank with (almost) no risk left
    on its books counts as fully capitalised, one whose losses exceed its assets as -100%.
    """
    if risk_weighted_assets <= 1e-9:
        return 1.0 if equity >= 0.0 else -1.0
    return min(1.0, max(-1.0, equity / risk_weighted_assets))


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
        for c in self.held.of(Loan):
            rwa += c.value()
            if isinstance(c, CreditLine):
                rwa += UNDRAWN_WEIGHT * c.undrawn()
        return rwa

    @property
    def capital_ratio(self) -> float:
        """Equity over risk-weighted assets, within [-1, 1] (1: no risk-weighted assets left)."""
        return capital_ratio(self.equity, self.risk_weighted_assets())

    def liquidity_requirement(self) -> float:
        """Liquid assets an LCR-style rule asks for: a run on part of the deposits and draws
        on part of the undrawn lines.
        """
        deposits = self.deposits.value() if self.deposits else 0.0
        undrawn = sum(c.undrawn() for c in self.held.of(CreditLine))
        return LCR_DEPOSIT_RUNOFF * deposits + LCR_LINE_DRAWDOWN * undrawn

    def usable_cash(self) -> float:
        """Cash above the liquidity buffer; in stress, part of the buffer may be used."""
        buffer = self.liquidity_requirement()
        if self.model.market.credit_stress > STRESS_FOR_BUFFER_USE:
            buffer *= 1.0 - self.model.params.buffer_usability
        return max(0.0, self.cash - buffer)

    def lending_room(self) -> float:
        """New loans the bank can make within its capital requirement (plus the countercyclical
        buffer and a margin) and its liquidity buffer.
        """
        if self.status != Status.ACTIVE:
            return 0.0
        p = self.model.params
        required = p.bank_capital_requirement + p.countercyclical_buffer + CAPITAL_HEADROOM
        capital_room = self.equity_mark / required - self.rwa_mark - self.lent_this_quarter
        return max(0.0, min(capital_room, self.usable_cash()))

    def will_roll(self, loan: Loan) -> bool:
        """A bank rolls maturing loans unless it has failed; below its requirement, only to
        investment-grade borrowers.
        """
        if self.status != Status.ACTIVE:
            return False
        return not self.breached or is_investment_grade(loan.issuer.rating_notch())

    def make_loan(self, borrower: FinancialAgent, amount: float, terms: dict) -> float:
        """Lend from cash; the loan uses up part of this quarter's capital room."""
        lent = super().make_loan(borrower, amount, terms)
        self.lent_this_quarter += lent
        return lent

    def advance_on_line(self, line: CreditLine, amount: float) -> float:
        """Let the borrower draw on a committed line: within its limit and the bank's cash
        (a committed line must be honoured whatever the capital room), unless the borrower has
        lost its access: rated CCC or in breach of a covenant (funding liquidity).
        """
        borrower = line.issuer
        if borrower.rating_notch() >= DISTRESSED_NOTCH or borrower.covenant_breached:
            return 0.0
        amount = min(amount, line.undrawn(), self.usable_cash())
        if amount <= 1e-9:
            return 0.0
        self.model.ledger.transfer(self, line.issuer, amount, "lending")
        line.principal += amount
        self.lent_this_quarter += amount
        return amount

    def operate(self) -> None:
        """Take in deposit growth, earn interest on reserves, pay costs, and pay out part of the
        profit while capital is above the requirement and the countercyclical buffer.
        """
        m = self.model
        if self.deposits is not None:
            growth = DEPOSIT_GROWTH * self.deposits.principal
            m.ledger.transfer(m.depositors, self, growth, "deposit_flow")
            self.deposits.principal += growth
        # reserves at the central bank earn the interest rate on reserve balances
        iorb = max(0.0, m.market.base_rate - IORB_SPREAD) / QUARTERS_PER_YEAR * max(self.cash, 0.0)
        if iorb > 0.0:
            m.ledger.transfer(m.central_bank, self, iorb, "interest")
        costs = BANK_OPERATING_COST * sum(c.value() for c in self.held.of(Loan))
        self.pay(m.suppliers, min(costs, max(self.cash, 0.0)), "opex")
        profit = m.prev_pnl(self)
        if profit <= 0:
            return
        p = m.params
        equity, rwa = self.equity, self.risk_weighted_assets()
        if capital_ratio(equity, rwa) > (p.bank_capital_requirement + p.countercyclical_buffer
                                         + PAYOUT_HEADROOM):
            # dividends, plus buybacks of capital above the bank's own target ratio
            excess = equity - BANK_CAPITAL_TARGET * max(rwa, 0.0)
            payout = BANK_PAYOUT_SHARE * profit + EXCESS_CAPITAL_PAYOUT * max(0.0, excess)
            self.pay(m.equity_investors, min(payout, self.usable_cash()), "dividend")

    def renew_lines(self) -> None:
        """Once a year the bank renews its committed lines at the borrower's new borrowing
        base; a bank in breach of its requirement, or facing a borrower in distress, renews
        them only at what is drawn.
        """
        for line in (c for c in self.held.of(CreditLine) if c.active):
            if self.breached or line.issuer.status != Status.ACTIVE:
                line.limit = min(line.limit, line.principal)
                continue
            base = line.issuer.line_base()
            if base is not None:
                line.limit = max(line.principal, base)

    def check_capital(self) -> None:
        """Flag and report a breach of the capital requirement."""
        m = self.model
        breached = self.capital_ratio < m.params.bank_capital_requirement
        if breached:
            for line in self.held.of(CreditLine):
                line.limit = min(line.limit, line.principal)     # cut the undrawn lines
        if breached and not self.breached:
            m.log(f"{self.name}'s capital ratio falls to {self.capital_ratio:.1%}, below the "
                  f"{m.params.bank_capital_requirement:.0%} requirement: it stops new lending "
                  "and cuts its credit lines",
                  "bank_breach", self)
        self.breached = breached
