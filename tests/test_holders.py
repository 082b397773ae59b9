"""Who holds the risk: the investors behind private credit, bank lines with covenants,
offtaker-priced loans, the central bank's facility and the regulator's levers.

Worked examples with numbers computed by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from core.contracts import ComputeContract, CreditLine, Loan
from core.lolr import borrow_from_lolr, lolr_outstanding
from model import AIEconomy, ParameterError
from tests.helpers_core import Bank, MiniEconomy, Neocloud, PrivateCreditFund
from tests.test_agents import hyperscaler

approx = pytest.approx


def fund_with_line(m: MiniEconomy, cash: float, loans: float, drawn: float,
                   limit: float) -> tuple[PrivateCreditFund, Bank]:
    """A fund holding ``loans`` to other companies and ``cash``, levered on a bank line."""
    bank = Bank(m, "Bank", 200.0)
    fund = PrivateCreditFund(m, "Fund", cash)
    fund.lp_shares = dict(zip(m.lp_sectors, (0.2, 0.3, 0.25, 0.25), strict=True))
    m.book.add(Loan(issuer=m.other_borrowers, holder=fund, start=0, principal=loans,
                    rate=0.05, floating=True, maturity=10_000, category="corporate"))
    fund.line = m.book.add(CreditLine(issuer=fund, holder=bank, start=0, principal=drawn,
                                      limit=limit, rate=0.02, floating=True, maturity=10_000,
                                      category="nav_line"))
    m.open_books()
    return fund, bank


# --- the investors behind private credit -----------------------------------------------------
def test_each_holder_sector_bears_its_pro_rata_share_of_a_fund_loss():
    m = MiniEconomy()
    fund, _ = fund_with_line(m, cash=10.0, loans=90.0, drawn=0.0, limit=0.0)
    fund.realise_loss(10.0, "loan default", "credit_loss")
    losses = m.losses_by_bearer().set_index("bearer")["loss"]
    # NAV 100 owned 20/30/25/25: insurers 2, pension funds 3, retail 2.5, others 2.5
    assert losses["Insurers"] == approx(2.0)
    assert losses["Pension funds"] == approx(3.0)
    assert losses["Retail investors"] == approx(2.5)
    assert losses["Other institutional LPs"] == approx(2.5)
    assert "Fund" not in losses.index and fund.passed_to_lps == approx(10.0)


def test_investors_lose_at_most_their_nav_the_rest_falls_on_the_fund():
    m = MiniEconomy()
    fund, _ = fund_with_line(m, cash=10.0, loans=90.0, drawn=20.0, limit=20.0)
    # NAV = 100 - 20 = 80; the whole loan book (90) is written off: the investors lose all
    # 80 and 10 stays with the fund, which its creditor (the bank line) will bear if it fails
    book = next(c for c in fund.held if c.category == "corporate")
    book.principal = 0.0
    m.other_borrowers.revalue(90.0, "debt_forgiven")
    fund.write_off(book, 90.0, "loan default")
    losses = m.losses_by_bearer().set_index("bearer")["loss"]
    assert fund.passed_to_lps == approx(80.0)
    assert losses["Pension funds"] == approx(0.3 * 80.0)
    assert losses["Fund"] == approx(10.0)
    m.check()


# --- bank lines and their covenant -----------------------------------------------------------
def test_nav_line_covenant_holds_at_the_limit_and_trips_above_it():
    m = MiniEconomy()
    fund, bank = fund_with_line(m, cash=10.0, loans=90.0, drawn=35.0, limit=50.0)
    fund.check_line_covenant()
    # portfolio 10 + 90 = 100; line 35: loan-to-value 35%, at the 35% limit: holds
    assert not fund.covenant_breached and fund.line.limit == approx(50.0)

    m = MiniEconomy()
    fund, bank = fund_with_line(m, cash=10.0, loans=90.0, drawn=36.0, limit=50.0)
    fund.check_line_covenant()
    # line 36 on 100: 36% > 35%: frozen, and paid down by x = (36 - 0.35 x 100) / (1 - 0.35)
    # = 1.5385 from cash, which brings it back to (36 - x) / (100 - x) = 35%
    x = 1.0 / 0.65
    assert fund.covenant_breached
    assert fund.line.principal == approx(36.0 - x)
    assert fund.line.limit == approx(36.0 - x)          # no more draws: the line is frozen
    assert fund.cash == approx(10.0 - x) and bank.cash == approx(200.0 + x)
    assert fund.line.principal / fund.portfolio_value() == approx(0.35)
    assert fund.lending_capacity() <= fund.cash
    assert [e.kind for e in m.events] == ["distress"]
    m.check()


# --- offtaker-priced loans ------------------------------------------------------------------
def test_an_offtaker_downgrade_moves_the_margin_and_sweeps_cash():
    m = MiniEconomy()
    customer = hyperscaler(m, cash=10.0)
    n = Neocloud(m, "Neo", {"cash": 8.0, "spot_share": 0.2})
    fund = PrivateCreditFund(m, "Fund", 50.0)
    loan = m.book.add(Loan(issuer=n, holder=fund, start=0, principal=20.0, rate=0.025,
                           floating=True, maturity=20, amortising=True, offtaker=customer,
                           offtaker_notch=3, category="gpu_loan"))
    m.book.add(ComputeContract(issuer=customer, holder=n, start=0, end=19, gw=1.0, price=3.0))
    m.open_books()
    m.market.base_rate, m.market.credit_stress = 0.04, 0.0
    customer.rating_notch = lambda: 3                     # still BBB: nothing happens
    n.test_offtaker_covenants()
    assert loan.rate == 0.025 and not n.covenant_breached and n.cash == approx(8.0)
    customer.rating_notch = lambda: 5                     # down two notches, to B
    n.test_offtaker_covenants()
    # the margin steps up to a B offtaker's S+650; the neocloud keeps a quarter of debt
    # service, 20 x (4% + 6.5%) / 4 + 20 / 21 = 1.477, and sweeps the rest (6.523) to the fund
    service = 20.0 * (0.04 + 0.065) / 4 + 20.0 / 21
    assert loan.rate == approx(0.065)
    assert n.covenant_breached
    assert n.cash == approx(service)
    assert loan.principal == approx(20.0 - (8.0 - service))
    assert [e.kind for e in m.events] == ["distress"]
    m.check()


def test_offtaker_spreads_are_ordered_and_split_investment_grade_by_200bp():
    from core.ratings import INVESTMENT_GRADE, secured_spread
    spreads = [secured_spread(notch, 0.0) for notch in range(7)]
    assert spreads == sorted(spreads)
    gap = secured_spread(INVESTMENT_GRADE + 1, 0.0) - secured_spread(INVESTMENT_GRADE, 0.0)
    assert gap >= 0.02 - 1e-12


# --- the lender of last resort ---------------------------------------------------------------
def test_a_fund_short_of_cash_borrows_from_the_facility_instead_of_selling_loans():
    for budget, expect_sale in ((0.0, True), (50.0, False)):
        m = MiniEconomy(lolr_budget=budget)
        fund, _ = fund_with_line(m, cash=2.0, loans=98.0, drawn=0.0, limit=0.0)
        fund._pay_redemptions(10.0)
        sold = m.losses_by_bearer()
        fire_sale = sold[sold.channel == "fire-sale discount"].loss.sum() if len(sold) else 0.0
        if expect_sale:
            # no facility: it sells loans ~10.5% below par to raise the 8 it lacks
            assert fire_sale > 0.5 and lolr_outstanding(m) == 0.0
        else:
            # a facility: it borrows the 8 against its loans (98 x 80% = 78.4 of room)
            assert fire_sale == 0.0 and lolr_outstanding(m) == approx(8.0)
            assert [e.kind for e in m.events] == ["policy"]
        m.check()


def test_the_facility_lends_within_its_budget_and_the_collateral_and_only_to_the_solvent():
    m = MiniEconomy(lolr_budget=5.0)
    fund, _ = fund_with_line(m, cash=0.0, loans=10.0, drawn=0.0, limit=0.0)
    assert borrow_from_lolr(m, fund, 20.0) == approx(5.0)          # the budget binds
    m = MiniEconomy(lolr_budget=100.0)
    fund, _ = fund_with_line(m, cash=0.0, loans=10.0, drawn=0.0, limit=0.0)
    assert borrow_from_lolr(m, fund, 20.0) == approx(8.0)          # 10 x (1 - 20%) binds
    m = MiniEconomy(lolr_budget=100.0)
    fund, _ = fund_with_line(m, cash=0.0, loans=10.0, drawn=30.0, limit=30.0)
    assert fund.equity < 0 and borrow_from_lolr(m, fund, 5.0) == 0.0   # insolvent: nothing


# --- the regulator's levers ------------------------------------------------------------------
def test_policy_levers_change_mid_run_and_are_logged():
    m = AIEconomy("baseline", rng=0)
    m.run(4)
    m.apply_policy(bank_capital_requirement=0.12, lolr_budget=200.0)
    assert m.params.bank_capital_requirement == 0.12 and m.params.lolr_budget == 200.0
    policy = [e for e in m.events if e.kind == "policy"]
    assert len(policy) == 2 and policy[0].t == 4
    m.run(6)
    m.check_invariants()


@pytest.mark.parametrize(("levers", "message"), [
    ({"revenue_2030": 500.0}, r"'revenue_2030' is not a policy lever; policy levers: "),
    ({"lolr_budget": -1.0}, r"lolr_budget = -1.0 is outside the allowed range \[0, 1000\]"),
    ({"consolidate_spvs": 0.5}, r"consolidate_spvs must be a whole number"),
])
def test_bad_policy_levers_are_refused_with_the_field_and_range(levers, message):
    m = AIEconomy("baseline", rng=0)
    before = m.params
    with pytest.raises(ParameterError, match=message):
        m.apply_policy(**levers)
    assert m.params is before


# --- the command ----------------------------------------------------------------------------
def test_holders_command_prints_and_writes_the_table(tmp_path, capsys):
    from experiments.__main__ import main

    out = tmp_path / "holders"
    code = main(["holders", "--seeds", "0-1", "--quarters", "8", "--out", str(out),
                 "--executor", "serial", "--no-progress"])
    assert code == 0
    text = capsys.readouterr().out
    assert "bust: realised AI-related losses by holder" in text and "pension funds" in text
    table = pd.read_csv(out / "holders.csv")
    assert {"holder", "losses_median", "share_median"} <= set(table.columns)
    runs = pd.read_csv(out / "holders_runs.csv")
    assert len(runs) == 2 and (runs["cumulative_losses"] >= 0).all()
    # a sector's share of its assets is its loss over those assets
    from experiments.holders import sector_assets
    assets = sector_assets()
    pensions = table.set_index("holder").loc["pension funds"]
    assert pensions["share_median"] == approx(
        runs["losses_pension_funds"].median() / assets["Pension funds"])
