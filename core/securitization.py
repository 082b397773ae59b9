"""Asset-backed securities: tranches and a sequential-pay cash-flow waterfall.

SPV debt and lease receivables are pooled and sold in slices of different seniority
(docs/model.md, "Private credit and its investors"). The pool's collections pay the slices
in order of seniority and the pool's losses hit them in reverse order, which is what makes
the senior slice "safe" and concentrates the risk in the mezzanine and equity slices.

The waterfall of one period, tranches in seniority order (senior first, equity last):

1. **Interest**: interest collections pay each tranche's coupon (balance x rate x year
   fraction) in order, senior first. A coupon that cannot be paid is an interest
   shortfall (reported, not capitalised). The equity tranche usually has no coupon.
2. **Losses**: defaulted collateral writes the tranches down bottom-up: equity first,
   then mezzanine, then senior.
3. **Principal**: principal collections repay the written-down balances sequentially,
   senior first.
4. **Residual**: whatever is left (excess spread, and principal beyond all balances) goes
   to the residual holder, the holder of the most junior tranche.

Principal collections are never diverted to interest and interest is never used to cure
losses ("turbo"), so the note balances fall exactly as the collateral does: repayments
plus losses. Cash is conserved, ``interest + principal collections == interest paid +
principal paid + residual``, and losses are conserved, ``sum(loss allocated) == losses``.

Reference: the sequential-pay structure and bottom-up loss allocation follow the standard
description in Fabozzi, F. J. & Kothari, V. (2008), *Introduction to Securitization*,
Wiley, ch. 4 (credit enhancement by subordination); no triggers or coverage tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

__all__ = ["ABSDeal", "Payments", "Tranche", "WaterfallResult", "sequential_pay",
           "structure_deal", "waterfall"]

# Relative slack when comparing sums of money (losses vs balances, notes vs collateral).
_REL_TOL = 1e-9


def _check_amount(name: str, value: float) -> None:
    """Raise ValueError unless ``value`` is a finite, non-negative number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(number) and number >= 0.0):
        raise ValueError(f"{name} must be a finite non-negative number, got {value!r}")


@dataclass(frozen=True)
class Tranche:
    """One slice of an ABS.

    Attributes:
        name: Label, unique within its deal (e.g. "senior").
        principal: Outstanding balance (the holder's claim on the pool).
        coupon_rate: Annual coupon rate on the balance (0 for a residual equity slice).
        holder: Name of the agent holding the tranche (bank, fund, insurer, sponsor).
    """

    name: str
    principal: float
    coupon_rate: float
    holder: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("tranche name must not be empty")
        _check_amount(f"principal of tranche {self.name!r}", self.principal)
        _check_amount(f"coupon_rate of tranche {self.name!r}", self.coupon_rate)


@dataclass(frozen=True)
class WaterfallResult:
    """Cash and losses of one period of a waterfall, per tranche in seniority order.

    Attributes:
        opening_tranches: The tranches before the period.
        closing_balances: Balances after the period (written down and repaid).
        interest_due: Coupon owed to each tranche for the period.
        interest_paid: Coupon actually paid.
        interest_shortfall: ``interest_due - interest_paid``.
        principal_paid: Principal repaid to each tranche.
        loss_allocated: Write-down of each tranche.
        opening_balances: Balances before the period.
        residual: Cash left after all tranches are served.
        residual_holder: Who receives ``residual`` (holder of the most junior tranche).
        cash_in: Interest plus principal collections that entered the waterfall.
        losses: Collateral losses that entered the waterfall.
    """

    opening_tranches: tuple[Tranche, ...]
    closing_balances: tuple[float, ...]
    interest_due: tuple[float, ...]
    interest_paid: tuple[float, ...]
    interest_shortfall: tuple[float, ...]
    principal_paid: tuple[float, ...]
    loss_allocated: tuple[float, ...]
    opening_balances: tuple[float, ...]
    residual: float
    residual_holder: str
    cash_in: float
    losses: float

    @cached_property
    def tranches(self) -> tuple[Tranche, ...]:
        """The tranches after the period (made on demand: the model reads only the cash)."""
        return tuple(replace(t, principal=b)
                     for t, b in zip(self.opening_tranches, self.closing_balances, strict=True))

    @property
    def cash_out(self) -> float:
        """Everything paid out: interest, principal and residual (equals ``cash_in``)."""
        return sum(self.interest_paid) + sum(self.principal_paid) + self.residual

    def cash_by_holder(self) -> dict[str, float]:
        """Cash each holder receives this period (interest + principal + residual).

        This is what the ledger moves from the SPV to each holder.
        """
        out: dict[str, float] = {}
        for t, i, p in zip(self.tranches, self.interest_paid, self.principal_paid, strict=True):
            out[t.holder] = out.get(t.holder, 0.0) + i + p
        out[self.residual_holder] = out.get(self.residual_holder, 0.0) + self.residual
        return out

    def losses_by_holder(self) -> dict[str, float]:
        """Write-downs borne by each holder this period (for loss attribution)."""
        out: dict[str, float] = {}
        for t, loss in zip(self.tranches, self.loss_allocated, strict=True):
            out[t.holder] = out.get(t.holder, 0.0) + loss
        return out


def waterfall(
    collections_interest: float,
    collections_principal: float,
    losses: float,
    tranches: list[Tranche] | tuple[Tranche, ...],
    *,
    year_fraction: float = 0.25,
) -> WaterfallResult:
    """Run one period of the sequential-pay waterfall.

    Args:
        collections_interest: Interest collected on the pool this period.
        collections_principal: Principal collected (scheduled repayments, prepayments,
            recoveries) this period.
        losses: Principal of collateral that defaulted this period (net of recoveries).
        tranches: In seniority order: senior first, most junior (equity) last.
        year_fraction: Length of the period in years (0.25 for the model's quarters);
            coupons due are ``balance * coupon_rate * year_fraction``.

    Returns:
        The :class:`WaterfallResult`, including the updated tranches.

    Raises:
        ValueError: If an amount is negative, NaN or infinite; if there are no tranches
            or duplicate names; if ``year_fraction <= 0``; or if ``losses`` exceed the
            outstanding balance of all tranches.
    """
    _check_amount("collections_interest", collections_interest)
    _check_amount("collections_principal", collections_principal)
    _check_amount("losses", losses)
    if not (math.isfinite(year_fraction) and year_fraction > 0.0):
        raise ValueError(f"year_fraction must be positive, got {year_fraction!r}")
    tranches = tuple(tranches)
    _check_tranches(tranches)
    opening = tuple(float(t.principal) for t in tranches)
    outstanding = sum(opening)
    if losses > outstanding * (1.0 + _REL_TOL):
        raise ValueError(
            f"losses {losses!r} exceed the outstanding principal of all tranches {outstanding!r}"
        )

    paid = sequential_pay(collections_interest, collections_principal, losses, opening,
                          [t.coupon_rate for t in tranches], year_fraction)
    return WaterfallResult(
        opening_tranches=tranches,
        closing_balances=paid.closing_balances,
        interest_due=paid.interest_due,
        interest_paid=paid.interest_paid,
        interest_shortfall=tuple(d - p for d, p in zip(paid.interest_due, paid.interest_paid,
                                                       strict=True)),
        principal_paid=paid.principal_paid,
        loss_allocated=paid.loss_allocated,
        opening_balances=opening,
        residual=paid.residual,
        residual_holder=tranches[-1].holder,
        cash_in=float(collections_interest) + float(collections_principal),
        losses=float(losses),
    )


class Payments(NamedTuple):
    """What one period of the waterfall pays each tranche (seniority order), and the rest."""

    interest_due: tuple[float, ...]
    interest_paid: tuple[float, ...]
    loss_allocated: tuple[float, ...]
    principal_paid: tuple[float, ...]
    closing_balances: tuple[float, ...]
    residual: float


def sequential_pay(collections_interest: float, collections_principal: float, losses: float,
                   balances: Sequence[float], coupon_rates: Sequence[float],
                   year_fraction: float = 0.25) -> Payments:
    """The arithmetic of :func:`waterfall` on balances and coupon rates, without the checks.

    For callers whose inputs are already valid (the model's ABS vehicles): losses at most the
    outstanding balance, amounts finite and non-negative, senior tranche first.
    """
    balances = [float(b) for b in balances]
    # 1. Interest, senior first, from interest collections only.
    available = float(collections_interest)
    due = tuple([b * rate * year_fraction
                 for b, rate in zip(balances, coupon_rates, strict=True)])
    interest_paid = []
    for d in due:
        paid = min(d, available)
        available -= paid
        interest_paid.append(paid)
    excess_spread = available

    # 2. Losses, bottom-up: the most junior tranche is the first-loss piece.
    loss_allocated = [0.0] * len(balances)
    remaining_loss = float(losses)
    for k in reversed(range(len(balances))):
        take = min(balances[k], remaining_loss)
        balances[k] -= take
        loss_allocated[k] = take
        remaining_loss -= take
    # Rounding slack (losses == outstanding up to _REL_TOL) lands on the most senior slice.
    loss_allocated[0] += remaining_loss

    # 3. Principal, sequential: senior is repaid in full before mezzanine sees a cent.
    available = float(collections_principal)
    principal_paid = []
    for k in range(len(balances)):
        paid = min(balances[k], available)
        balances[k] -= paid
        available -= paid
        principal_paid.append(paid)

    # 4. Residual to the most junior holder.
    return Payments(due, tuple(interest_paid), tuple(loss_allocated), tuple(principal_paid),
                    tuple([max(b, 0.0) for b in balances]), excess_spread + available)


def _check_tranches(tranches: tuple[Tranche, ...]) -> None:
    """Raise ValueError for an empty tranche list or duplicate tranche names."""
    if not tranches:
        raise ValueError("an ABS needs at least one tranche")
    names = [t.name for t in tranches]
    if len(set(names)) != len(names):
        raise ValueError(f"tranche names must be unique, got {names}")


@dataclass(frozen=True)
class ABSDeal:
    """A securitization: a collateral pool funded by tranches.

    The tranches fund the whole pool (the equity tranche is the first-loss piece), so the
    note balances add up to the collateral balance, and :meth:`run_period` keeps it so.

    Attributes:
        name: Deal label (e.g. "Hyperion ABS 2026-1").
        collateral_principal: Outstanding principal of the pooled receivables/loans.
        tranches: In seniority order: senior, mezzanine, ..., equity.
    """

    name: str
    collateral_principal: float
    tranches: tuple[Tranche, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tranches", tuple(self.tranches))
        _check_amount("collateral_principal", self.collateral_principal)
        _check_tranches(self.tranches)
        notes = self.notes_outstanding
        if abs(notes - self.collateral_principal) > _REL_TOL * max(1.0, notes):
            raise ValueError(
                f"tranches total {notes!r} but the collateral is {self.collateral_principal!r};"
                " the tranches must fund the whole pool"
            )

    @property
    def notes_outstanding(self) -> float:
        """Sum of the tranche balances."""
        return sum(t.principal for t in self.tranches)

    def tranche(self, name: str) -> Tranche:
        """Return the tranche called ``name`` (KeyError if there is none)."""
        for t in self.tranches:
            if t.name == name:
                return t
        raise KeyError(name)

    def run_period(
        self,
        collections_interest: float,
        collections_principal: float,
        losses: float,
        *,
        year_fraction: float = 0.25,
    ) -> tuple[ABSDeal, WaterfallResult]:
        """Run one period: the waterfall, and the pool shrinks by repayments and losses.

        Args:
            collections_interest: Interest collected on the pool.
            collections_principal: Principal collected; at most the pool balance less
                ``losses``.
            losses: Principal of defaulted collateral.
            year_fraction: Period length in years.

        Returns:
            The deal after the period, and the waterfall's result.

        Raises:
            ValueError: If repayments plus losses exceed the collateral, or as
                :func:`waterfall`.
        """
        _check_amount("collections_principal", collections_principal)
        _check_amount("losses", losses)
        pool = self.collateral_principal
        if collections_principal + losses > pool * (1.0 + _REL_TOL) + _REL_TOL:
            raise ValueError(
                f"principal collections {collections_principal!r} plus losses {losses!r}"
                f" exceed the collateral {pool!r}"
            )
        result = waterfall(
            collections_interest,
            collections_principal,
            losses,
            self.tranches,
            year_fraction=year_fraction,
        )
        new_pool = sum(result.closing_balances)  # == pool - principal - losses
        return ABSDeal(self.name, new_pool, result.tranches), result


def structure_deal(
    pool_principal: float,
    senior: float = 0.70,
    mezz: float = 0.20,
    equity: float = 0.10,
    *,
    name: str = "ABS",
    senior_rate: float = 0.055,
    mezz_rate: float = 0.085,
    equity_rate: float = 0.0,
    senior_holder: str = "senior investors",
    mezz_holder: str = "mezzanine investors",
    equity_holder: str = "sponsor",
) -> ABSDeal:
    """Carve a pool into senior / mezzanine / equity tranches.

    Args:
        pool_principal: Principal of the collateral pool.
        senior: Share of the pool funded by the senior tranche.
        mezz: Share funded by the mezzanine tranche.
        equity: Share funded by the equity (first-loss) tranche; the sponsor typically
            retains it ("skin in the game").
        name: Deal name.
        senior_rate: Annual coupon of the senior tranche.
        mezz_rate: Annual coupon of the mezzanine tranche.
        equity_rate: Annual coupon of the equity tranche (usually 0: it takes the residual).
        senior_holder: Holder of the senior tranche.
        mezz_holder: Holder of the mezzanine tranche.
        equity_holder: Holder of the equity tranche and residual.

    Returns:
        The :class:`ABSDeal` with tranches named "senior", "mezzanine", "equity".

    Raises:
        ValueError: If a share is negative or the shares do not add up to 1, or if an
            amount or rate is negative, NaN or infinite.
    """
    _check_amount("pool_principal", pool_principal)
    for label, share in (("senior", senior), ("mezz", mezz), ("equity", equity)):
        _check_amount(f"{label} share", share)
    if abs(senior + mezz + equity - 1.0) > _REL_TOL:
        raise ValueError(f"tranche shares must add up to 1, got {senior + mezz + equity!r}")
    senior_principal = pool_principal * senior
    mezz_principal = pool_principal * mezz
    # The equity slice takes the rounding remainder so the notes fund exactly the pool.
    equity_principal = max(pool_principal - senior_principal - mezz_principal, 0.0)
    tranches = (
        Tranche("senior", senior_principal, senior_rate, senior_holder),
        Tranche("mezzanine", mezz_principal, mezz_rate, mezz_holder),
        Tranche("equity", equity_principal, equity_rate, equity_holder),
    )
    return ABSDeal(name, pool_principal, tranches)
