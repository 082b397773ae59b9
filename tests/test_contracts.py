"""Contracts and deal mechanics: cash flows computed by hand, on a minimal economy.

Every scenario below is small enough to do on paper; the arithmetic is in the comments. After
each one the model's own stock-flow checks (``check_invariants``) must hold.
"""

from __future__ import annotations

import pytest

from core.contracts import (
    Backstop,
    Bond,
    ComputeContract,
    EquityStake,
    Lease,
    Loan,
    Warrant,
)
from core.finance import issue_equity, lend, pay_due, service_loan
from model import phases
from tests.helpers_core import HYPERSCALER_SPEC, Chipmaker, Hyperscaler, MiniEconomy, Plain

approx = pytest.approx


def quarter(m: MiniEconomy, t: int) -> None:
    """Start quarter ``t`` on the mini economy (what phases.begin_quarter does, minus roles)."""
    m.t = t
    m.ledger.begin_quarter()
    for a in m.all_agents:
        a.missed = 0.0


def market(m: MiniEconomy, utilisation: float, rent: float | None = None) -> None:
    """Set this quarter's utilisation (and its past-year average) and the spot rent."""
    m.market.utilisation = m.market.utilisation_avg = utilisation
    if rent is not None:
        m.market.spot_rent = rent


# --- Loan and Bond -------------------------------------------------------------------------
def test_bond_bullet_coupons_and_principal():
    # 10 at 5% fixed, bullet, 8 quarters (t = 0..7, maturity quarter 7):
    # coupon = 10 x 0.05 / 4 = 0.125 per quarter; principal 10 in quarter 7.
    m = MiniEconomy()
    issuer, holder = Plain(m, "Issuer", 1.0), Plain(m, "Holder", 10.0)
    m.open_books()
    bond = lend(m, holder, issuer, 10.0, Bond, rate=0.05, maturity=7, category="ig_bond")
    assert issuer.cash == approx(11.0) and holder.cash == approx(0.0)
    coupons, repaid = [], []
    for t in range(8):
        quarter(m, t)
        assert bond.scheduled(t, base_rate=0.5) == approx((0.125, 10.0 if t == 7 else 0.0))
        service_loan(m, bond)
        coupons.append(m.ledger.flows["interest"])
        repaid.append(m.ledger.flows["principal"])
        m.check()
    assert coupons == approx([0.125] * 8)
    assert repaid == approx([0.0] * 7 + [10.0])
    # issuer: 1 + 10 - 8 x 0.125 - 10 = 0; holder: 10 - 10 + 1 + 10 = 11
    assert issuer.cash == approx(0.0, abs=1e-12)
    assert holder.cash == approx(11.0)
    # interest is P&L on both sides, principal a swap
    assert issuer.pnl == approx(-1.0) and holder.pnl == approx(1.0)
    assert issuer.income["interest"] == approx(-1.0)
    assert "principal" not in issuer.income
    # repaid in full: retired from both balance sheets
    assert not bond.active and bond not in issuer.issued and bond not in holder.held
    assert issuer.debt == 0.0


def test_loan_before_start_and_after_repayment_owes_nothing():
    m = MiniEconomy()
    a, b = Plain(m, "A"), Plain(m, "B")
    loan = Loan(issuer=a, holder=b, start=3, principal=10.0, rate=0.05, maturity=10)
    assert loan.scheduled(2, 0.0) == (0.0, 0.0)
    assert loan.scheduled(3, 0.0) == approx((0.125, 0.0))
    loan.principal = 0.0
    assert loan.scheduled(5, 0.0) == (0.0, 0.0)


def test_floating_amortising_loan_follows_base_rate():
    # 12 at base + 3%, linear amortisation over 4 quarters (start 0, maturity 3).
    # Principal due = principal / (quarters left incl. this one) = 3 each quarter.
    # t=0: base 5% -> 8%/yr: interest 12 x 0.02 = 0.24
    # t=1: base 5%:          interest  9 x 0.02 = 0.18
    # t=2: base 7% -> 10%/yr: interest 6 x 0.025 = 0.15
    # t=3: base 7%:           interest 3 x 0.025 = 0.075, last principal 3
    m = MiniEconomy()
    borrower, lender = Plain(m, "Borrower", 1.0), Plain(m, "Lender", 12.0)
    m.open_books()
    loan = lend(m, lender, borrower, 12.0, Loan, rate=0.03, floating=True, maturity=3,
                amortising=True, category="gpu_loan")
    interest, principal, outstanding = [], [], []
    for t, base in enumerate([0.05, 0.05, 0.07, 0.07]):
        quarter(m, t)
        m.market.base_rate = base
        service_loan(m, loan)
        interest.append(m.ledger.flows["interest"])
        principal.append(m.ledger.flows["principal"])
        outstanding.append(loan.principal)
        m.check()
    assert interest == approx([0.24, 0.18, 0.15, 0.075])
    assert principal == approx([3.0, 3.0, 3.0, 3.0])
    assert outstanding == approx([9.0, 6.0, 3.0, 0.0])
    assert not loan.active
    # borrower: 1 + 12 - 0.645 - 12 = 0.355
    assert borrower.cash == approx(0.355)
    assert lender.pnl == approx(0.645) and borrower.pnl == approx(-0.645)


def test_floating_rate_is_floored_at_zero_and_fixed_ignores_base():
    m = MiniEconomy()
    a, b = Plain(m, "A"), Plain(m, "B")
    floating = Loan(issuer=a, holder=b, start=0, principal=1.0, rate=0.03, floating=True)
    fixed = Loan(issuer=a, holder=b, start=0, principal=1.0, rate=0.03)
    assert floating.annual_rate(-0.05) == 0.0        # max(0, -5% + 3%)
    assert floating.annual_rate(0.02) == approx(0.05)
    assert fixed.annual_rate(0.10) == 0.03


# --- pay_due / service_loan with arrears ---------------------------------------------------
def test_short_payer_accrues_arrears_then_pays_them_as_a_swap():
    # 100 at 4% fixed: interest 1.0 per quarter. Borrower has 0.4 cash in quarter 0.
    m = MiniEconomy()
    borrower, lender = Plain(m, "Borrower", 0.4), Plain(m, "Lender", 0.0)
    loan = m.book.add(Loan(issuer=borrower, holder=lender, start=0, principal=100.0, rate=0.04,
                           maturity=40))
    m.open_books()
    quarter(m, 0)
    service_loan(m, loan)
    # paid 0.4, accrued 0.6 as arrears: expense 1.0 for the borrower, income 1.0 for the lender
    assert loan.arrears == approx(0.6)
    assert borrower.cash == 0.0 and lender.cash == approx(0.4)
    assert borrower.pnl == approx(-1.0) and lender.pnl == approx(1.0)
    assert borrower.income["interest"] == approx(-1.0)
    assert borrower.missed == approx(0.6)
    assert loan.value() == approx(100.6)           # par + arrears, on both sides
    assert borrower.liabilities == approx(100.6)
    assert lender.financial_assets == approx(100.6)
    m.check()

    quarter(m, 1)
    m.ledger.transfer(m.customers, borrower, 5.0, "ai_revenue")
    service_loan(m, loan)
    # arrears 0.6 paid first (a swap: no P&L), then this quarter's 1.0 of interest
    assert m.ledger.flows["arrears_payment"] == approx(0.6)
    assert m.ledger.flows["interest"] == approx(1.0)
    assert loan.arrears == 0.0
    assert borrower.cash == approx(5.0 - 0.6 - 1.0)
    assert borrower.pnl == approx(-1.0 + 5.0 - 1.0)
    assert lender.pnl == approx(2.0)
    assert "arrears_payment" not in borrower.income and "arrears_payment" not in lender.income
    assert borrower.missed == 0.0
    m.check()


def test_old_arrears_count_as_missed_until_paid():
    # quarter 0: 1.0 due, nothing paid -> arrears 1.0. Quarter 1: still no cash: 1.0 more
    # accrues and the 1.0 still owed is missed again: missed = 2.0, arrears = 2.0.
    m = MiniEconomy()
    borrower, lender = Plain(m, "Borrower"), Plain(m, "Lender")
    loan = m.book.add(Loan(issuer=borrower, holder=lender, start=0, principal=100.0, rate=0.04,
                           maturity=40))
    m.open_books()
    for t in range(2):
        quarter(m, t)
        service_loan(m, loan)
    assert loan.arrears == approx(2.0)
    assert borrower.missed == approx(2.0)
    assert borrower.pnl == approx(-2.0) and lender.pnl == approx(2.0)
    m.check()


def test_principal_is_not_repaid_while_interest_is_in_arrears():
    # 8 at 10% fixed, bullet, maturity 0: interest 0.2 and principal 8 are due now.
    # Borrower has 0.1: pays 0.1 of interest, 0.1 accrues; principal 8 is missed, not paid.
    m = MiniEconomy()
    borrower, lender = Plain(m, "Borrower", 0.1), Plain(m, "Lender")
    loan = m.book.add(Loan(issuer=borrower, holder=lender, start=0, principal=8.0, rate=0.10,
                           maturity=0))
    m.open_books()
    quarter(m, 0)
    service_loan(m, loan)
    assert loan.arrears == approx(0.1)
    assert loan.principal == 8.0 and loan.active
    assert borrower.missed == approx(0.1 + 8.0)
    m.check()


def test_pay_due_with_nothing_new_still_collects_arrears():
    m = MiniEconomy()
    lessee, lessor = Plain(m, "Lessee", 10.0), Plain(m, "Lessor")
    lease = m.book.add(Lease(issuer=lessee, holder=lessor, start=0, end=3, rent=2.0))
    lease.arrears = 1.5
    lessor.revalue(1.5, "lease_rent")     # accrued earlier
    lessee.revalue(-1.5, "lease_rent")
    m.open_books()
    paid = pay_due(m, lease, 0.0, "lease_rent")
    assert paid == approx(1.5) and lease.arrears == 0.0
    assert lessee.cash == approx(8.5) and lessee.pnl == 0.0
    m.check()


# --- Lease ---------------------------------------------------------------------------------
def test_lease_rent_schedule():
    # rent 2.5 a quarter from quarter 2 to quarter 5 inclusive: 4 x 2.5 = 10 in total
    m = MiniEconomy()
    lessee, lessor = Plain(m, "Lessee", 20.0), Plain(m, "Lessor")
    lease = m.book.add(Lease(issuer=lessee, holder=lessor, start=2, end=5, rent=2.5))
    m.open_books()
    due = []
    for t in range(8):
        quarter(m, t)
        due.append(lease.scheduled(t))
        pay_due(m, lease, lease.scheduled(t), "lease_rent")
    assert due == [0.0, 0.0, 2.5, 2.5, 2.5, 2.5, 0.0, 0.0]
    assert lessor.cash == approx(10.0) and lessee.pnl == approx(-10.0)
    m.check()
    m.book.retire(lease)
    assert lease.scheduled(3) == 0.0


def _lease_situation(*, guaranteed: float = 60.0, sponsor_cash: float = 100.0,
                     renewable: bool = True):
    """A sponsor (hyperscaler) leasing a 2-GW SPV funded by a 20 loan; lease ends in quarter 3."""
    m = MiniEconomy()
    sponsor = Hyperscaler(m, "Sponsor", {**HYPERSCALER_SPEC, "cash": sponsor_cash})
    lender = Plain(m, "Lender", 20.0)
    spv = m.add_spv("Test SPV", sponsor)
    loan = lend(m, lender, spv, 20.0, Loan, rate=0.05, floating=False, maturity=80,
                amortising=True, category="spv_debt", collateral=spv)
    m.ledger.transfer(spv, m.suppliers, 20.0, "building_purchase")
    spv.building_book, spv.capacity_gw = 20.0, 2.0
    spv.lease = m.book.add(Lease(issuer=sponsor, holder=spv, start=0, end=3, term=4,
                                 renewable=renewable, guaranteed_value=guaranteed))
    m.open_books()
    return m, sponsor, spv, lender, loan


def test_lease_not_renewed_calls_the_residual_value_guarantee():
    m, sponsor, spv, lender, loan = _lease_situation(guaranteed=60.0)
    lease = spv.lease
    quarter(m, 4)                        # the quarter after the lease's last one
    market(m, 0.5, 2.0)    # low utilisation: the sponsor walks away
    # market value per GW = min(cost 50, 6 years x 4 x (rent 2.0 x util 0.5 - opex 0.35))
    #                     = 24 x 0.65 = 15.6; x 2 GW = 31.2
    # guarantee call = max(0, 60 - 31.2) = 28.8
    assert m.market_value_of_capacity(spv) == approx(31.2)
    spv.review_lease()
    assert not lease.active and lease not in sponsor.issued and lease not in spv.held
    assert spv.merchant
    assert sponsor.cash == approx(100.0 - 28.8)
    assert sponsor.income["guarantee"] == approx(-28.8)
    assert spv.income["guarantee"] == approx(28.8)
    assert [(x.t, x.bearer, x.bearer_type, x.channel) for x in m.losses] == [
        (4, "Sponsor", "hyperscaler", "guarantee called")]
    assert m.losses[0].amount == approx(28.8)
    # the SPV prepays its 20 loan from the call and keeps 8.8
    assert not loan.active and lender.cash == approx(20.0)
    assert spv.cash == approx(8.8)
    kinds = [e.kind for e in m.events]
    assert kinds.count("guarantee") == 1 and "28.8B" in m.events[-1].text
    m.check()


def test_guarantee_not_called_when_assets_are_worth_more():
    m, sponsor, spv, _, loan = _lease_situation(guaranteed=20.0)
    quarter(m, 4)
    market(m, 0.5, 2.0)           # assets worth 31.2 > 20 guaranteed
    spv.review_lease()
    assert spv.lease.active is False and spv.merchant
    assert sponsor.cash == 100.0 and m.losses == [] and loan.active
    m.check()


def test_guarantee_call_is_capped_by_the_sponsors_cash():
    m, sponsor, spv, _, _ = _lease_situation(guaranteed=60.0, sponsor_cash=10.0)
    quarter(m, 4)
    market(m, 0.5, 2.0)
    spv.review_lease()
    assert sponsor.cash == 0.0
    assert m.losses[0].amount == approx(10.0)
    m.check()


def test_lease_renewed_when_the_market_still_pays():
    m, sponsor, spv, _, _ = _lease_situation()
    lease = spv.lease
    lease.rent = 4.0    # 2 per GW-quarter, below the market's 3.0 x 0.9 = 2.7
    quarter(m, 4)
    market(m, 0.9, 3.0)
    spv.review_lease()
    assert lease.active and lease.end == 7 and not spv.merchant
    assert sponsor.cash == 100.0 and m.losses == []
    m.check()


def test_lease_review_only_at_the_end_and_never_for_a_distressed_sponsor():
    m, sponsor, spv, _, _ = _lease_situation()
    quarter(m, 3)                      # still inside the term: nothing happens
    market(m, 0.1)
    spv.review_lease()
    assert spv.lease.active and spv.lease.end == 3
    quarter(m, 4)
    market(m, 0.95, 3.0)
    sponsor.status = "distressed"      # good market, but a distressed sponsor does not renew
    spv.review_lease()
    assert not spv.lease.active and spv.merchant


def test_unpaid_rent_survives_the_end_of_a_lease_as_a_claim():
    # rent 5 falls due in the lease's last quarter; the sponsor has no cash: 5 in arrears.
    m, sponsor, spv, _, _ = _lease_situation(guaranteed=0.0, sponsor_cash=0.0)
    lease = spv.lease
    lease.rent = 5.0
    quarter(m, 3)
    pay_due(m, lease, lease.scheduled(3), "lease_rent")
    assert lease.arrears == approx(5.0)
    assert sponsor.pnl == approx(-5.0) and spv.pnl == approx(5.0)     # accrued
    m.check()
    # quarter 4: not renewed; the sponsor has 3 by now: it pays 3 of the 5, 2 stay owed
    quarter(m, 4)
    m.ledger.transfer(m.customers, sponsor, 3.0, "non_ai_revenue")
    market(m, 0.5, 2.0)
    spv.review_lease()
    assert spv.merchant
    assert lease.arrears == approx(2.0)
    assert lease.active and lease in sponsor.issued and lease in spv.held   # still a claim
    assert lease.scheduled(4) == 0.0                                        # no new rent
    assert sponsor.liabilities == approx(2.0) and spv.cash == approx(3.0)
    m.check()
    # quarter 5: debt service collects the rest as a swap (no new P&L)
    quarter(m, 5)
    m.ledger.transfer(m.customers, sponsor, 4.0, "non_ai_revenue")
    pay_due(m, lease, lease.scheduled(5), "lease_rent")
    assert lease.arrears == 0.0 and m.ledger.flows["arrears_payment"] == approx(2.0)
    assert sponsor.cash == approx(2.0) and sponsor.income.get("lease_rent", 0.0) == approx(-5.0)
    m.check()


def test_lease_ending_with_arrears_paid_in_full_is_retired():
    m, sponsor, spv, _, _ = _lease_situation(guaranteed=0.0, sponsor_cash=0.0)
    lease = spv.lease
    lease.rent = 5.0
    quarter(m, 3)
    pay_due(m, lease, 5.0, "lease_rent")
    quarter(m, 4)
    m.ledger.transfer(m.customers, sponsor, 8.0, "non_ai_revenue")
    market(m, 0.5, 2.0)
    spv.review_lease()
    assert lease.arrears == 0.0 and not lease.active and lease not in sponsor.issued
    assert sponsor.cash == approx(3.0) and spv.cash == approx(5.0)
    m.check()


# --- ComputeContract, Backstop, Warrant, EquityStake ---------------------------------------
@pytest.mark.parametrize(("usage", "due"), [
    (1.0, 5.4),     # billed max(0.9 x 2, 1) = 1.8 GW x 3 = 5.4 (take-or-pay shortfall)
    (1.95, 5.85),   # billed 1.95 x 3 = 5.85
    (3.0, 6.0),     # billed min(2, 3) = 2 x 3 = 6.0 (capped at the contract)
    (-1.0, 5.4),    # negative usage counts as none
])
def test_compute_contract_take_or_pay(usage, due):
    m = MiniEconomy()
    c = ComputeContract(issuer=Plain(m, "Lab"), holder=Plain(m, "Cloud"), start=2, end=5,
                        gw=2.0, price=3.0, take_or_pay=0.9)
    assert c.payment(3, usage) == approx(due)
    assert c.payment(1, usage) == 0.0 and c.payment(6, usage) == 0.0


def test_compute_contract_paid_through_the_ledger():
    m = MiniEconomy()
    lab, cloud = Plain(m, "Lab", 6.0), Plain(m, "Cloud")
    c = m.book.add(ComputeContract(issuer=lab, holder=cloud, start=0, end=7, gw=2.0, price=3.0,
                                   take_or_pay=0.9))
    m.open_books()
    quarter(m, 0)
    pay_due(m, c, c.payment(0, 1.0), "compute")
    assert cloud.cash == approx(5.4) and lab.pnl == approx(-5.4) and cloud.pnl == approx(5.4)
    quarter(m, 1)
    pay_due(m, c, c.payment(1, 3.0), "compute")   # 6.0 due, 0.6 cash: 5.4 in arrears
    assert c.arrears == approx(5.4) and lab.cash == 0.0
    m.check()


def test_backstop_pays_unsold_capacity_up_to_its_cap():
    m = MiniEconomy()
    b = Backstop(issuer=Plain(m, "Nvidia"), holder=Plain(m, "CoreWeave"), start=1, end=4,
                 quarterly_cap=2.0)
    assert b.payment(2, 5.0) == 2.0        # capped
    assert b.payment(2, 1.5) == 1.5
    assert b.payment(2, -1.0) == 0.0
    assert b.payment(0, 5.0) == 0.0 and b.payment(5, 5.0) == 0.0
    b.active = False
    assert b.payment(2, 5.0) == 0.0


def test_warrant_intrinsic_value():
    m = MiniEconomy()
    w = Warrant(issuer=Plain(m, "AMD"), holder=Plain(m, "OpenAI"), start=0, fraction=0.1,
                strike=1.0, vested=0.5)
    # vested 0.5 x max(0, 10% x 300 - 1) = 0.5 x 29 = 14.5
    assert w.intrinsic(300.0) == approx(14.5)
    assert w.intrinsic(5.0) == 0.0            # 10% of 5 = 0.5 < strike 1
    w.vested = 0.0
    assert w.intrinsic(300.0) == 0.0


def test_warrant_mark_moves_value_from_issuer_to_holder():
    m = MiniEconomy()
    amd = Chipmaker(m, "AMD", {"cash": 300.0, "market_share": 1.0, "gross_margin": 0.5})
    lab = Plain(m, "OpenAI")
    w = m.book.add(Warrant(issuer=amd, holder=lab, start=0, fraction=0.1, strike=1.0,
                           vested=0.5))
    m.open_books()
    # no sales: AMD is valued at its cash, 300 -> intrinsic 14.5 (above)
    phases._mark_equity(m)
    assert w.mark == approx(14.5)
    assert lab.pnl == approx(14.5) and amd.pnl == approx(-14.5)
    assert amd.liabilities == approx(14.5)
    m.check()


def test_issue_equity_dilutes_earlier_holders():
    m = MiniEconomy()
    firm, early, investor = Plain(m, "Firm"), Plain(m, "Early"), Plain(m, "Investor", 30.0)
    old = m.book.add(EquityStake(issuer=firm, holder=early, start=0, fraction=0.4))
    m.open_books()
    # 25 at a post-money of 100: the investor gets 25%; the early 40% becomes 40% x 75% = 30%
    stake = issue_equity(m, firm, investor, 25.0, 100.0)
    assert stake.fraction == approx(0.25) and old.fraction == approx(0.30)
    assert stake.cost_basis == 25.0 and stake.mark == 25.0
    assert firm.cash == 25.0 and investor.cash == approx(5.0)
    # equity issue: capital for the issuer, a swap (cash for shares) for the investor
    assert firm.capital == 25.0 and firm.pnl == 0.0
    assert investor.capital == 0.0 and investor.pnl == 0.0
    assert investor.total_assets == approx(30.0)
    assert firm.liabilities == 0.0                 # stakes are not liabilities
    m.check()


def test_issue_equity_limited_by_cash_and_capped():
    m = MiniEconomy()
    firm, poor = Plain(m, "Firm"), Plain(m, "Poor", 10.0)
    m.open_books()
    stake = issue_equity(m, firm, poor, 25.0, 100.0)       # only 10 to invest -> 10%
    assert stake.fraction == approx(0.10) and poor.cash == 0.0
    assert issue_equity(m, firm, poor, 5.0, 100.0) is None  # nothing left
    assert issue_equity(m, firm, m.equity_investors, 0.0, 100.0) is None
    big = issue_equity(m, firm, m.equity_investors, 500.0, 100.0)   # overdraft investor
    assert big.fraction == 0.95                              # capped
    assert stake.fraction == approx(0.10 * 0.05)
    m.check()


def test_lend_merge_tops_up_a_facility():
    m = MiniEconomy()
    fund, borrower = Plain(m, "Fund", 10.0), Plain(m, "Borrower")
    m.open_books()
    a = lend(m, fund, borrower, 4.0, Loan, merge=True, category="gpu_loan", maturity=10)
    b = lend(m, fund, borrower, 3.0, Loan, merge=True, category="gpu_loan", maturity=12)
    assert a is b and a.principal == 7.0 and a.maturity == 12
    c = lend(m, fund, borrower, 30.0, Loan, merge=True, category="spv_debt", maturity=12)
    assert c is not a and c.principal == approx(3.0)        # limited by the fund's cash
    assert lend(m, fund, borrower, 1.0, Loan) is None        # no cash left
    assert borrower.debt == approx(10.0)
    m.check()


def test_contract_book_transfer_and_retire():
    m = MiniEconomy()
    a, b, c = Plain(m, "A"), Plain(m, "B"), Plain(m, "C")
    loan = m.book.add(Loan(issuer=a, holder=b, start=0, principal=5.0))
    assert loan in a.issued and loan in b.held
    m.book.transfer_holder(loan, c)
    assert loan.holder is c and loan in c.held and loan not in b.held
    m.book.retire(loan)
    assert not loan.active and loan not in a.issued and loan not in c.held
    assert m.book.active() == []
