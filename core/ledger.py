"""The one ledger through which every payment passes.

Each account belongs to an agent. A transfer moves cash between two accounts and, through the
flow table below, records what it does to each side's net worth: ``P`` profit or loss (income
statement), ``C`` capital (equity raised or paid out), ``S`` a swap of cash for an asset or a
liability (no net-worth change). This is what lets ``check_invariants`` prove, agent by agent,
that every change of net worth is explained by a recorded flow.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from core.errors import AccountingError

if TYPE_CHECKING:
    from core.protocol import Agent

# kind: (effect on payer, effect on payee)
FLOW_KINDS: dict[str, tuple[str, str]] = {
    "ai_revenue": ("P", "P"),          # end customers pay labs and cloud AI services
    "non_ai_revenue": ("P", "P"),      # hyperscalers' other businesses (net operating cash)
    "compute": ("P", "P"),             # take-or-pay and spot compute payments
    "backstop": ("P", "P"),            # chipmaker pays for a neocloud's unsold capacity
    "lease_rent": ("P", "P"),
    "interest": ("P", "P"),
    "principal": ("S", "S"),
    "lending": ("S", "S"),             # a new loan or bond: the lender pays the borrower
    "asset_sale": ("S", "S"),          # a financial asset changes hands at book value
    "gpu_purchase": ("S", "P"),        # capex on chips: buyer's asset, vendor's sales
    "building_purchase": ("S", "P"),   # capex on buildings and power: paid to suppliers
    "opex": ("P", "P"),                # staff, power, maintenance, cost of goods sold
    "guarantee": ("P", "P"),           # a guarantor pays a called guarantee
    "equity_issue": ("S", "C"),        # investors buy new shares
    "dividend": ("C", "P"),            # dividends and buybacks: income for an agent holder
    "lp_subscription": ("S", "C"),     # fund investors put money in
    "redemption": ("C", "S"),          # fund investors take money out
    "deposit_flow": ("S", "S"),        # deposits in or out of a bank
    "arrears_payment": ("S", "S"),     # paying an amount already accrued as owed
    "default_recovery": ("S", "S"),    # what a defaulter's creditors recover in clearing
}


class Ledger:
    """Cash balances of every account plus this quarter's flows by kind."""

    def __init__(self, tolerance: float = 1e-9) -> None:
        self.cash: list[float] = []
        self.owners: list[Agent] = []
        self.overdraft: list[bool] = []
        self.tolerance = tolerance
        self.initial_total = 0.0
        self.flows: defaultdict[str, float] = defaultdict(float)
        self.n_transfers = 0

    def open_account(self, owner: Agent, cash: float = 0.0,
                     *, overdraft: bool = False) -> int:
        """Open an account with an initial balance; outside-sector accounts may go negative."""
        if not math.isfinite(cash) or (cash < 0 and not overdraft):
            raise AccountingError(f"{owner.name}: opening cash must be finite and >= 0, got {cash}")
        self.cash.append(float(cash))
        self.owners.append(owner)
        self.overdraft.append(overdraft)
        self.initial_total += float(cash)
        return len(self.cash) - 1

    def begin_quarter(self) -> None:
        """Reset the quarter's flow totals."""
        self.flows.clear()

    def transfer(self, payer: Agent, payee: Agent, amount: float,
                 kind: str) -> float:
        """Move ``amount`` from payer to payee and book its net-worth effect on both sides."""
        try:
            payer_effect, payee_effect = FLOW_KINDS[kind]
        except KeyError:
            raise AccountingError(f"unknown flow kind {kind!r}; known kinds: "
                                  f"{', '.join(FLOW_KINDS)}") from None
        if amount == 0.0:
            return 0.0
        if not amount > 0.0 or not math.isfinite(amount):
            raise AccountingError(f"{kind}: {payer.name} -> {payee.name} amount {amount!r} is "
                                  "not a positive finite number")
        a, b = payer.account, payee.account
        if a == b:
            return 0.0
        cash = self.cash
        if cash[a] < amount - self.tolerance and not self.overdraft[a]:
            raise AccountingError(f"{kind}: {payer.name} pays {amount:.6g} with only "
                                  f"{cash[a]:.6g} cash")
        cash[a] -= amount
        cash[b] += amount
        # net-worth effects, inlined (this is the hottest path of a run)
        if payer_effect == "P":
            payer.pnl -= amount
            payer.income[kind] -= amount
        elif payer_effect == "C":
            payer.capital -= amount
        if payee_effect == "P":
            payee.pnl += amount
            payee.income[kind] += amount
        elif payee_effect == "C":
            payee.capital += amount
        self.flows[kind] += amount
        self.n_transfers += 1
        return amount

    def pay_up_to(self, payer: Agent, payee: Agent, amount: float,
                  kind: str) -> float:
        """Pay as much of ``amount`` as the payer's cash allows; return what was paid."""
        available = self.cash[payer.account]
        paid = amount if self.overdraft[payer.account] else min(amount, max(available, 0.0))
        if paid > 0.0:
            self.transfer(payer, payee, paid, kind)
            return paid
        return 0.0

    def total(self) -> float:
        """Sum of all balances: constant over the whole run if money is conserved."""
        return math.fsum(self.cash)
