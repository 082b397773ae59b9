"""ABS vehicle: a securitization of SPV loans into senior, mezzanine and equity tranches.

A private-credit fund sells a slice of its SPV loans at par to a new vehicle, which pays for
them by selling notes: the senior tranche to bond investors, the mezzanine to another fund
(or bond investors), the equity (first-loss) tranche kept by the originating fund. Each
quarter the vehicle passes everything it collects through the waterfall of
:mod:`core.securitization`: coupons senior first, pool losses bottom-up, principal
sequentially, the excess spread to the equity holder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from agents.base import FinancialAgent
from core.coefficients import ABS_MIN_DEAL, ABS_NOTE_QUARTERS, ABS_POOL_SHARE, ABS_STRUCTURE
from core.contracts import Contract, Loan
from core.finance import EPS, lend
from core.news import fmt_bn
from core.securitization import sequential_pay
from core.state import Status

if TYPE_CHECKING:
    from core.protocol import Economy



class ABSVehicle(FinancialAgent):
    """A securitization vehicle (bankruptcy-remote; it only passes cash through)."""

    role: ClassVar[str] = "abs"

    def __init__(self, model: Economy, name: str, originator: FinancialAgent) -> None:
        super().__init__(model, name, 0.0)
        self.originator = originator
        self.tranches: list[Loan] = []
        self.pool_losses = 0.0

    @staticmethod
    def securitize(m: Economy, fund: FinancialAgent) -> ABSVehicle | None:
        """Pool a slice of ``fund``'s performing SPV loans into a new ABS deal."""
        performing = sorted((c for c in fund.held.of(Loan)
                             if c.category == "spv_debt" and c.issuer.status == Status.ACTIVE
                             and c.principal > EPS), key=lambda c: -c.principal)
        target = ABS_POOL_SHARE * sum(c.principal for c in performing)
        pool, amount = [], 0.0
        for c in performing:              # whole loans, largest first, up to the target
            if amount >= target:
                break
            pool.append(c)
            amount += c.value()
        if amount < ABS_MIN_DEAL:
            return None
        vehicle = ABSVehicle(m, f"ABS {2025 + m.t // 4}-{fund.name}", fund)
        m.abs_vehicles.append(vehicle)
        others = [f for f in m.credit.lenders(fund)[0]
                  if f is not fund and f.status == Status.ACTIVE]
        mezz_buyer = max(others, key=lambda f: f.lending_capacity(), default=None)
        for category, share, spread in ABS_STRUCTURE:
            size = share * amount
            if category == "abs_senior":
                buyer = m.bond_investors
            elif category == "abs_mezzanine":
                buyer = (mezz_buyer if mezz_buyer is not None
                         and mezz_buyer.lending_capacity() >= size else m.bond_investors)
            else:
                buyer = fund
            if buyer is not m.bond_investors:
                size = buyer.raise_cash(size)
            rate = max(0.0, m.market.long_rate + spread) if spread else 0.0
            note = lend(m, buyer, vehicle, size, Loan, rate=rate, maturity=m.t + ABS_NOTE_QUARTERS,
                        category=category)
            if note is not None:
                vehicle.tranches.append(note)
        # the vehicle buys the pool at par with what the notes raised
        share = min(1.0, vehicle.cash / amount)
        for loan in pool:
            part = loan if share >= 1.0 - 1e-12 else m.book.split(loan, share)
            m.book.transfer_holder(part, vehicle)
            m.ledger.transfer(vehicle, fund, part.value(), "asset_sale")
        m.log(f"{fund.name} securitizes {fmt_bn(amount)} of SPV loans into {vehicle.name} "
              f"(senior to bond investors, first-loss kept)", "deal", fund)
        return vehicle

    def write_off(self, claim: Contract, loss: float, channel: str) -> None:
        """A loss on the pool: the tranche holders bear it, bottom-up, in the next waterfall."""
        self.revalue(-loss, "credit_loss")
        self.pool_losses += loss

    @property
    def notes_outstanding(self) -> float:
        """Principal of all tranches."""
        return sum(c.principal for c in self.tranches if c.active)

    def run_waterfall(self) -> None:
        """Pass the quarter's collections and pool losses through the tranches."""
        m = self.model
        active = [c for c in self.tranches if c.active]
        if not active:
            return
        cash = max(self.cash, 0.0)
        interest_in = min(max(self.income.get("interest", 0.0), 0.0), cash)
        losses = min(self.pool_losses, sum([c.principal for c in active]))
        self.pool_losses = 0.0
        result = sequential_pay(interest_in, cash - interest_in, losses,
                                [c.principal for c in active], [c.rate for c in active])
        for c, interest, principal, loss in zip(active, result.interest_paid,
                                                result.principal_paid, result.loss_allocated,
                                                strict=True):
            if loss > EPS:
                c.principal -= loss
                c.holder.realise_loss(loss, "ABS tranche", "credit_loss")   # a fund passes it on
                self.revalue(loss, "debt_forgiven")
            if interest > EPS:
                m.ledger.transfer(self, c.holder, interest, "interest")
            if principal > EPS:
                m.ledger.transfer(self, c.holder, principal, "principal")
                c.principal -= principal
        if result.residual > EPS:
            m.ledger.transfer(self, active[-1].holder, min(result.residual, self.cash), "interest")
        for c in active:
            if c.principal <= EPS:
                c.principal = 0.0
                m.book.retire(c)
