"""Tests for core.securitization: tranches, waterfall, ABS deal.

All expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.securitization import ABSDeal, Tranche, structure_deal, waterfall

# Senior 70 at 5%, mezzanine 20 at 10%, equity 10 with no coupon (takes the residual).
SENIOR = Tranche("senior", 70.0, 0.05, "bank")
MEZZ = Tranche("mezzanine", 20.0, 0.10, "fund")
EQUITY = Tranche("equity", 10.0, 0.0, "sponsor")
TRANCHES = [SENIOR, MEZZ, EQUITY]


def test_hand_computed_waterfall() -> None:
    # One year (year_fraction = 1), interest collections 6, principal collections 10,
    # losses 4.
    # Interest: senior due 70*5% = 3.5 -> paid 3.5 (2.5 left);
    #           mezz due 20*10% = 2.0 -> paid 2.0 (0.5 left); equity due 0.
    # Losses 4, bottom-up: equity 10 -> 6. Mezz and senior untouched.
    # Principal 10, senior first: senior 70 -> 60.
    # Residual: the 0.5 of excess spread -> sponsor.
    # Cash: 6 + 10 = 16 = 3.5 + 2.0 + 10 + 0.5.
    r = waterfall(6.0, 10.0, 4.0, TRANCHES, year_fraction=1.0)
    assert r.interest_due == pytest.approx((3.5, 2.0, 0.0))
    assert r.interest_paid == pytest.approx((3.5, 2.0, 0.0))
    assert r.interest_shortfall == pytest.approx((0.0, 0.0, 0.0))
    assert r.loss_allocated == pytest.approx((0.0, 0.0, 4.0))
    assert r.principal_paid == pytest.approx((10.0, 0.0, 0.0))
    assert r.closing_balances == pytest.approx((60.0, 20.0, 6.0))
    assert r.opening_balances == (70.0, 20.0, 10.0)
    assert r.residual == pytest.approx(0.5)
    assert r.residual_holder == "sponsor"
    assert r.cash_in == pytest.approx(16.0)
    assert r.cash_out == pytest.approx(16.0)
    assert r.cash_by_holder() == pytest.approx({"bank": 13.5, "fund": 2.0, "sponsor": 0.5})
    assert r.losses_by_holder() == pytest.approx({"bank": 0.0, "fund": 0.0, "sponsor": 4.0})
    # Holders and coupons carry over; the input tranches are untouched (immutable).
    assert [t.holder for t in r.tranches] == ["bank", "fund", "sponsor"]
    assert SENIOR.principal == 70.0


def test_interest_shortfall_hits_mezzanine_first() -> None:
    # Interest collections 4 < 3.5 + 2.0: senior gets its 3.5, mezz gets the last 0.5 and
    # is short 1.5; no residual. Principal collections are NOT diverted to interest.
    r = waterfall(4.0, 10.0, 0.0, TRANCHES, year_fraction=1.0)
    assert r.interest_paid == pytest.approx((3.5, 0.5, 0.0))
    assert r.interest_shortfall == pytest.approx((0.0, 1.5, 0.0))
    assert r.principal_paid == pytest.approx((10.0, 0.0, 0.0))
    assert r.residual == pytest.approx(0.0)


def test_loss_wipes_equity_and_eats_into_mezzanine() -> None:
    # Quarterly (year_fraction = 0.25). Interest due: senior 70*5%/4 = 0.875,
    # mezz 20*10%/4 = 0.5. Interest collections 2 -> both paid, excess 0.625.
    # Losses 15, bottom-up: equity 10 -> 0 (loss 10), mezz 20 -> 15 (loss 5), senior 0.
    # Principal collections 5 -> senior 70 -> 65.
    # Residual 0.625 -> sponsor, who has lost its whole tranche.
    # Cash: 2 + 5 = 7 = 0.875 + 0.5 + 5 + 0.625.
    r = waterfall(2.0, 5.0, 15.0, TRANCHES)
    assert r.interest_paid == pytest.approx((0.875, 0.5, 0.0))
    assert r.loss_allocated == pytest.approx((0.0, 5.0, 10.0))
    assert r.closing_balances == pytest.approx((65.0, 15.0, 0.0))
    assert r.residual == pytest.approx(0.625)
    assert r.losses_by_holder() == pytest.approx({"bank": 0.0, "fund": 5.0, "sponsor": 10.0})


def test_loss_reaches_senior_only_after_juniors_are_gone() -> None:
    # Losses 95 of 100: equity -10, mezz -20, senior -65 -> balances (5, 0, 0).
    # Principal collections 5 repay the senior's last 5; nothing left for anyone else.
    r = waterfall(0.0, 5.0, 95.0, TRANCHES, year_fraction=1.0)
    assert r.loss_allocated == pytest.approx((65.0, 20.0, 10.0))
    assert r.principal_paid == pytest.approx((5.0, 0.0, 0.0))
    assert r.closing_balances == pytest.approx((0.0, 0.0, 0.0))
    assert r.residual == pytest.approx(0.0)


def test_principal_beyond_all_balances_is_residual() -> None:
    # Balances (70, 20, 10); principal collections 120 repay all 100, 20 left -> sponsor.
    r = waterfall(0.0, 120.0, 0.0, TRANCHES)
    assert r.principal_paid == pytest.approx((70.0, 20.0, 10.0))
    assert r.residual == pytest.approx(20.0)


def test_structure_deal_splits_pool() -> None:
    deal = structure_deal(1000.0)
    assert [t.name for t in deal.tranches] == ["senior", "mezzanine", "equity"]
    assert [t.principal for t in deal.tranches] == pytest.approx([700.0, 200.0, 100.0])
    assert deal.notes_outstanding == pytest.approx(1000.0)
    assert deal.tranche("equity").holder == "sponsor"
    assert deal.tranche("senior").coupon_rate == pytest.approx(0.055)
    with pytest.raises(KeyError):
        deal.tranche("super-senior")
    custom = structure_deal(
        50.0, 0.8, 0.15, 0.05, name="Hyperion ABS", senior_holder="insurer", senior_rate=0.06
    )
    assert custom.name == "Hyperion ABS"
    assert [t.principal for t in custom.tranches] == pytest.approx([40.0, 7.5, 2.5])
    assert custom.tranches[0].holder == "insurer"


def test_deal_run_period_keeps_notes_equal_to_collateral() -> None:
    # Pool 1000 (700/200/100). Quarter: interest 20, principal 50, losses 150.
    # Interest due: senior 700*5.5%/4 = 9.625, mezz 200*8.5%/4 = 4.25; residual
    # 20 - 13.875 = 6.125. Losses: equity -100, mezz -50. Principal: senior -50.
    # New pool 1000 - 50 - 150 = 800 = 650 + 150 + 0.
    deal, r = structure_deal(1000.0).run_period(20.0, 50.0, 150.0)
    assert deal.collateral_principal == pytest.approx(800.0)
    assert [t.principal for t in deal.tranches] == pytest.approx([650.0, 150.0, 0.0])
    assert r.interest_paid == pytest.approx((9.625, 4.25, 0.0))
    assert r.residual == pytest.approx(6.125)
    # Run the pool down to nothing over further quarters: it stays consistent.
    deal, _ = deal.run_period(5.0, 700.0, 100.0)
    assert deal.collateral_principal == pytest.approx(0.0)
    assert deal.notes_outstanding == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: waterfall(-1.0, 0.0, 0.0, TRANCHES), "collections_interest"),
        (lambda: waterfall(0.0, math.nan, 0.0, TRANCHES), "collections_principal"),
        (lambda: waterfall(0.0, 0.0, math.inf, TRANCHES), "losses"),
        (lambda: waterfall(0.0, 0.0, 100.5, TRANCHES), "exceed the outstanding"),
        (lambda: waterfall(0.0, 0.0, 0.0, []), "at least one tranche"),
        (lambda: waterfall(0.0, 0.0, 0.0, [SENIOR, SENIOR]), "unique"),
        (lambda: waterfall(0.0, 0.0, 0.0, TRANCHES, year_fraction=0.0), "year_fraction"),
        (lambda: waterfall("x", 0.0, 0.0, TRANCHES), "must be a number"),
        (lambda: Tranche("a", -1.0, 0.05, "h"), "principal"),
        (lambda: Tranche("a", 1.0, -0.05, "h"), "coupon_rate"),
        (lambda: Tranche("", 1.0, 0.05, "h"), "name"),
        (lambda: ABSDeal("d", 90.0, TRANCHES), "fund the whole pool"),
        (lambda: ABSDeal("d", 100.0, ()), "at least one tranche"),
        (lambda: structure_deal(100.0, 0.7, 0.2, 0.2), "add up to 1"),
        (lambda: structure_deal(100.0, 1.1, -0.1, 0.0), "mezz share"),
        (lambda: structure_deal(-5.0), "pool_principal"),
        (lambda: structure_deal(100.0).run_period(0.0, 80.0, 30.0), "exceed the collateral"),
    ],
)
def test_bad_input_raises(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------

money = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)
rates = st.floats(min_value=0.0, max_value=0.3)


@st.composite
def waterfall_inputs(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    tranches = [
        Tranche(f"t{k}", draw(money), draw(rates), draw(st.sampled_from(["a", "b", "c"])))
        for k in range(n)
    ]
    total = sum(t.principal for t in tranches)
    losses = draw(st.floats(min_value=0.0, max_value=1.0)) * total
    return tranches, draw(money), draw(money), losses, draw(st.sampled_from([0.25, 1.0]))


@settings(max_examples=400, deadline=None)
@given(inputs=waterfall_inputs())
def test_waterfall_properties(inputs) -> None:
    tranches, ci, cp, losses, yf = inputs
    r = waterfall(ci, cp, losses, tranches, year_fraction=yf)
    scale = 1e-9 * max(1.0, ci + cp + losses + sum(t.principal for t in tranches))
    # Conservation of cash and of losses.
    assert r.cash_out == pytest.approx(ci + cp, abs=scale)
    assert sum(r.cash_by_holder().values()) == pytest.approx(ci + cp, abs=scale)
    assert sum(r.loss_allocated) == pytest.approx(losses, abs=scale)
    # Nothing negative; interest never exceeds what is due.
    for values in (r.interest_paid, r.principal_paid, r.loss_allocated, r.closing_balances):
        assert all(v >= 0.0 for v in values)
    assert r.residual >= 0.0
    assert all(p <= d + scale for p, d in zip(r.interest_paid, r.interest_due, strict=True))
    # Balances move only by repayments and write-downs.
    for o, c, p, loss in zip(
        r.opening_balances, r.closing_balances, r.principal_paid, r.loss_allocated, strict=True
    ):
        assert c == pytest.approx(o - p - loss, abs=scale)
    n = len(tranches)
    for k in range(n):
        juniors = range(k + 1, n)
        # Seniority of losses: a tranche takes a loss only when every junior one has
        # been written down to zero.
        if r.loss_allocated[k] > scale:
            assert all(r.opening_balances[j] - r.loss_allocated[j] <= scale for j in juniors)
        # Seniority of principal: a junior tranche is repaid only once k is fully repaid.
        if any(r.principal_paid[j] > scale for j in juniors):
            assert r.closing_balances[k] <= scale
        # Seniority of interest: a junior coupon is paid only if k's coupon is paid in full.
        if any(r.interest_paid[j] > scale for j in juniors):
            assert r.interest_shortfall[k] <= scale
    # The residual exists only when interest is fully paid or principal exceeds balances.
    if r.residual > scale:
        assert all(s <= scale for s in r.interest_shortfall) or all(
            c <= scale for c in r.closing_balances
        )
