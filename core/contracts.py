"""Financial contracts: each has exactly one issuer (liability side) and one holder (asset side).

Contracts carry their own cash-flow schedules; cash itself only moves through the ledger.
Debt is carried at par (principal plus arrears) on both sides; a holder's expected losses are
a separate loss allowance on its own balance sheet, so assets equal liabilities system-wide.
Equity stakes are residual claims: an asset of the holder, part of the issuer's equity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from core.coefficients import QUARTERS_PER_YEAR

if TYPE_CHECKING:
    from core.protocol import Agent



@dataclass(eq=False, slots=True)
class Contract:
    """Common fields: the two parties, start quarter and unpaid amounts due (arrears)."""

    issuer: Agent
    holder: Agent
    start: int
    arrears: float = 0.0
    active: bool = True
    kind: ClassVar[str] = "contract"
    is_liability: ClassVar[bool] = True

    def value(self) -> float:
        """Balance-sheet value, identical on both sides."""
        return self.arrears

    def label(self) -> str:
        """Short description for tables and hover text."""
        return f"{self.kind} {self.issuer.name} -> {self.holder.name}"


@dataclass(eq=False, slots=True)
class Loan(Contract):
    """Loan (or bond): principal, fixed rate or base rate + spread, bullet or linear amortisation.

    Attributes:
        category: what the debt finances, for the debt-stack statistics (ig_bond, spv_debt,
            gpu_loan, lab_loan, warehouse, corporate, deposit, other).
        seniority: 0 is most senior; higher numbers are paid later in a default.
        collateral: the agent whose real assets secure the loan (an SPV or a neocloud), if any.
    """

    principal: float = 0.0
    rate: float = 0.0
    floating: bool = False
    maturity: int = 0
    amortising: bool = False
    category: str = "other"
    seniority: int = 0
    collateral: Agent | None = None
    kind: ClassVar[str] = "loan"

    def value(self) -> float:
        """Par value: principal plus arrears."""
        return self.principal + self.arrears

    def annual_rate(self, base_rate: float) -> float:
        """Coupon rate this quarter: fixed, or the base rate plus the spread."""
        return max(0.0, base_rate + self.rate) if self.floating else self.rate

    def scheduled(self, t: int, base_rate: float) -> tuple[float, float]:
        """Interest and principal due in quarter ``t`` (before any arrears)."""
        if not self.active or self.principal <= 0.0 or t < self.start:
            return 0.0, 0.0
        interest = self.principal * self.annual_rate(base_rate) / QUARTERS_PER_YEAR
        remaining = self.maturity - t
        if remaining <= 0:
            repay = self.principal
        elif self.amortising:
            repay = self.principal / (remaining + 1)
        else:
            repay = 0.0
        return interest, repay


@dataclass(eq=False, slots=True)
class Bond(Loan):
    """Investment-grade bond: fixed coupon, bullet repayment, tradable."""

    kind: ClassVar[str] = "bond"


@dataclass(eq=False, slots=True)
class CreditLine(Loan):
    """Committed line (revolver, warehouse line): the borrower may draw up to ``limit``."""

    limit: float = 0.0
    kind: ClassVar[str] = "line"

    def undrawn(self) -> float:
        """Committed amount not yet drawn."""
        return max(0.0, self.limit - self.principal) if self.active else 0.0


@dataclass(eq=False, slots=True)
class Lease(Contract):
    """Lease of an SPV's data centre or GPUs to its sponsor (issuer = lessee, holder = lessor).

    Attributes:
        rent: quarterly rent.
        end: last quarter of the current term.
        renewable: whether the lessee may renew for another ``term`` quarters at ``end``.
        guaranteed_value: residual value guarantee: at the end of the lease the lessee pays the
            lessor the shortfall of the assets' market value below this amount.
    """

    rent: float = 0.0
    end: int = 0
    term: int = 16
    renewable: bool = False
    guaranteed_value: float = 0.0
    kind: ClassVar[str] = "lease"

    def scheduled(self, t: int) -> float:
        """Rent due in quarter ``t``."""
        return self.rent if self.active and self.start <= t <= self.end else 0.0


@dataclass(eq=False, slots=True)
class ComputeContract(Contract):
    """Take-or-pay compute purchase (issuer = buyer, holder = provider).

    The buyer pays for the compute it uses up to the contracted GW, and at least the
    take-or-pay share of the contract, whether it uses it or not.
    """

    gw: float = 0.0
    price: float = 0.0
    end: int = 0
    take_or_pay: float = 1.0
    kind: ClassVar[str] = "compute"

    def in_force(self, t: int) -> bool:
        """Whether the contract runs in quarter ``t``."""
        return self.active and self.start <= t <= self.end

    def payment(self, t: int, usage_gw: float) -> float:
        """Amount due for a quarter in which the buyer uses ``usage_gw``."""
        if not self.in_force(t):
            return 0.0
        billed = max(self.take_or_pay * self.gw, min(self.gw, max(usage_gw, 0.0)))
        return self.price * billed


@dataclass(eq=False, slots=True)
class Backstop(Contract):
    """A promise to buy the beneficiary's unsold capacity (issuer = guarantor, e.g. Nvidia).

    Each quarter the guarantor pays for unsold GW at the spot rent, up to ``quarterly_cap``,
    until ``end``.
    """

    quarterly_cap: float = 0.0
    end: int = 0
    kind: ClassVar[str] = "backstop"

    def payment(self, t: int, unsold_value: float) -> float:
        """Amount due for a quarter in which unsold capacity is worth ``unsold_value``."""
        if not self.active or not self.start <= t <= self.end:
            return 0.0
        return min(self.quarterly_cap, max(unsold_value, 0.0))


@dataclass(eq=False, slots=True)
class EquityStake(Contract):
    """A fraction of the issuer's shares; carried at market value by the holder."""

    fraction: float = 0.0
    cost_basis: float = 0.0
    mark: float = 0.0
    kind: ClassVar[str] = "equity"
    is_liability: ClassVar[bool] = False

    def value(self) -> float:
        """Market value of the stake."""
        return self.mark


@dataclass(eq=False, slots=True)
class Warrant(Contract):
    """Right to buy ``fraction`` of the issuer at a fixed strike, vesting with a milestone.

    A liability of the issuer at fair value (intrinsic value of the vested part).
    """

    fraction: float = 0.0
    strike: float = 0.0
    vested: float = 0.0
    mark: float = 0.0
    kind: ClassVar[str] = "warrant"

    def intrinsic(self, issuer_value: float) -> float:
        """Value of the vested part at the issuer's market value."""
        return self.vested * max(0.0, self.fraction * issuer_value - self.strike)

    def value(self) -> float:
        """Fair value (last mark)."""
        return self.mark


@dataclass(eq=False, slots=True)
class ContractBook:
    """Every contract in the economy, with each one listed on its two balance sheets.

    ``of(cls)`` gives the active contracts of a kind (subclasses included) without scanning
    the whole book: the phases loop over loans, leases or compute contracts every quarter.
    """

    contracts: list[Contract] = field(default_factory=list)
    by_kind: dict[type, list[Contract]] = field(default_factory=dict)

    def add(self, contract: Contract) -> Contract:
        """Register a contract on the issuer's and the holder's balance sheets."""
        self.contracts.append(contract)
        for cls in type(contract).__mro__:
            if cls is Contract:
                break
            self.by_kind.setdefault(cls, []).append(contract)
        contract.issuer.issued.append(contract)
        contract.holder.held.append(contract)
        return contract

    def of(self, cls: type) -> list:
        """Active contracts of class ``cls`` (subclasses included), in creation order."""
        return [c for c in self.by_kind.get(cls, ()) if c.active]

    def compact(self) -> None:
        """Forget retired contracts (they are on no balance sheet any more)."""
        self.contracts = [c for c in self.contracts if c.active]
        self.by_kind = {k: [c for c in v if c.active] for k, v in self.by_kind.items()}

    def split(self, loan: Loan, fraction: float) -> Loan:
        """Carve ``fraction`` of a loan into a new contract with the same terms and holder."""
        part = replace(loan, principal=loan.principal * fraction, arrears=loan.arrears * fraction)
        loan.principal -= part.principal
        loan.arrears -= part.arrears
        return self.add(part)

    def transfer_holder(self, contract: Contract, new_holder: Agent) -> None:
        """Move a contract to a new holder (a loan sale, or collateral seized)."""
        contract.holder.held.remove(contract)
        contract.holder = new_holder
        new_holder.held.append(contract)

    def retire(self, contract: Contract) -> None:
        """Take a finished contract off both balance sheets."""
        contract.active = False
        contract.issuer.issued.remove(contract)
        contract.holder.held.remove(contract)

    def active(self) -> list[Contract]:
        """Contracts still on balance sheets."""
        return [c for c in self.contracts if c.active]
