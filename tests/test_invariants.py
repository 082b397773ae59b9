"""Stock-flow invariants (docs/model.md, "Design concepts") every quarter, and the checks' teeth.

The positive tests run every packaged scenario for 20 seeds x 40 quarters and random valid
parameter sets (shocks included), checking ``check_invariants`` after every quarter. The
negative tests corrupt a model on purpose and require an AccountingError that names the
account or contract at fault: a check that cannot fail is no check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.contracts import Bond, EquityStake, Loan
from core.errors import AccountingError
from model import MODEL_COLUMNS, PARAMETER_INFO, SCENARIOS, AIEconomy
from model.metrics import BEARER_TYPES
from tests.helpers_core import run_cached, run_checked

SEEDS = range(20)
QUARTERS = 40
# statistics that can never be negative (money stocks and flows, counts, prices, ratios)
NON_NEGATIVE = ("ai_revenue", "capex", "cumulative_capex", "compute_utilisation",
                "bubble_index", "equity_value_ai", "ig_bonds_ai", "spv_debt",
                "private_credit_ai", "bank_loans_ai", "abs_outstanding", "ai_debt_total",
                "off_balance_sheet_share", "circular_revenue_share", "credit_spread_ig",
                "gpu_price_index", "defaults", "cumulative_losses", "fund_redemptions",
                "power_gw", "jobs_displaced", "hyperscaler_capex", "ig_bonds_issued",
                "chip_revenue", "lab_revenue", "sentiment", "spot_rent", "demand_gw",
                "distressed", "defaulted_total", "gated_funds")
NON_NEGATIVE += ("circular_core_size", "circular_core_revenue_share", "loop_outside_money",
                 "financing_bonds", "financing_private_credit", "financing_equity",
                 "financing_abs", "lolr_drawn", "losses_households", "power_queue_gw")
SHARES = ("compute_utilisation", "off_balance_sheet_share", "circular_revenue_share",
          "circular_core_revenue_share", "equity_drawdown")


def assert_clean_results(m: AIEconomy) -> None:
    """No NaN/inf in the model or agent frames; non-negative quantities are not negative."""
    df = m.results()
    assert len(df) == m.t
    assert list(df.columns) == ["quarter", *MODEL_COLUMNS]
    values = df[list(MODEL_COLUMNS)].to_numpy(dtype=float)
    assert np.isfinite(values).all(), df.columns[1:][~np.isfinite(values).all(axis=0)].tolist()
    for col in NON_NEGATIVE:
        assert (df[col] >= -1e-9).all(), (col, df[col].min())
    for col in SHARES:
        assert (df[col] <= 1 + 1e-9).all(), (col, df[col].max())
    assert (df["cumulative_capex"].diff().dropna() >= -1e-9).all()
    assert (df["cumulative_losses"].diff().dropna() >= -1e-9).all()
    agents = m.datacollector.get_agent_vars_dataframe()
    numeric = agents[["cash", "debt", "equity", "leverage"]].to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    assert (agents["debt"] >= -1e-9).all()
    assert set(agents["status"]) <= {"active", "distressed", "defaulted"}


# --- every quarter, every scenario, 20 seeds -----------------------------------------------
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_invariants_hold_every_quarter_for_20_seeds(scenario):
    failures = []
    for seed in SEEDS:
        try:
            m = run_checked(scenario, seed, QUARTERS)
        except AccountingError as exc:
            failures.append(f"seed {seed}: {exc}")
            continue
        assert_clean_results(m)
    assert not failures, "\n".join(failures)


def test_invariants_hold_before_the_first_quarter():
    for scenario in SCENARIOS:
        AIEconomy(scenario, rng=0).check_invariants()


# --- random valid parameters, shocks included ----------------------------------------------
def _value(name: str):
    info = PARAMETER_INFO[name]
    if name.endswith("_quarter"):            # a shock inside the run, or off
        return st.one_of(st.just(-1), st.integers(0, QUARTERS - 1))
    if info.integer:
        return st.integers(int(info.min), int(info.max))
    return st.floats(info.min, info.max, allow_nan=False)


@st.composite
def parameter_sets(draw):
    values = {name: draw(_value(name)) for name in sorted(PARAMETER_INFO)}
    if values["gpu_economic_life"] > values["gpu_book_life"]:
        values["gpu_economic_life"], values["gpu_book_life"] = (values["gpu_book_life"],
                                                               values["gpu_economic_life"])
    return values


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params=parameter_sets(), scenario=st.sampled_from(SCENARIOS), seed=st.integers(0, 2**16))
def test_invariants_hold_under_random_parameters(params, scenario, seed):
    m = run_checked(scenario, seed, QUARTERS, **params)
    assert_clean_results(m)


CRASHES: dict[str, dict] = {
    "tiny revenue, huge efficiency shock": {
        "revenue_2030": 150.0, "revenue_ceiling_multiple": 1.02, "efficiency_shock_quarter": 3,
        "efficiency_shock_size": 0.9},
    "rate shock +800bp": {"rate_shock_quarter": 4, "rate_shock_bp": 800.0, "base_rate": 0.12},
    "chip jump 90%, short economic life": {
        "chip_jump_quarter": 6, "chip_jump_size": 0.9, "gpu_economic_life": 4},
    "power crunch 100%": {"power_crunch_quarter": 2, "power_crunch_size": 1.0},
    "every policy lever at its extreme": {
        "countercyclical_buffer": 0.05, "spv_max_debt_share": 0.5, "consolidate_spvs": 1,
        "buffer_usability": 0.0, "lolr_budget": 1000.0, "bank_capital_requirement": 0.04},
    "everything at once": {
        "revenue_2030": 150.0, "efficiency_shock_quarter": 8, "efficiency_shock_size": 0.9,
        "rate_shock_quarter": 8, "rate_shock_bp": 800.0, "chip_jump_quarter": 9,
        "chip_jump_size": 0.9, "lp_redemption_sensitivity": 5.0, "redemption_gate": 0.0,
        "bank_capital_requirement": 0.25, "herding": 1.0, "spv_appetite": 3.0,
        "take_or_pay": 1.0, "lab_burn": 3.0},
    "no redemption gate, skittish LPs": {
        "redemption_gate": 0.5, "lp_redemption_sensitivity": 5.0, "revenue_2030": 200.0},
}


def test_rate_cut_below_zero_stops_at_the_zero_lower_bound():
    """base 1% - 300 bp: rates stop at zero (this used to crash the first ABS deal, 2027Q1,
    with a negative senior coupon)."""
    m = run_checked("baseline", 0, 16, base_rate=0.01, rate_shock_quarter=2,
                    rate_shock_bp=-300.0)
    assert_clean_results(m)
    base = m.results()["base_rate"]
    assert (base.iloc[:2] == 0.01).all() and (base.iloc[2:] == 0.0).all()


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_invariants_hold_through_crashes(name):
    m = run_checked("bust", 7, QUARTERS, **CRASHES[name])
    assert_clean_results(m)


def test_a_crash_does_hurt():
    """The crash cases above are real crashes, not no-ops: the combined one ends in distress."""
    m = run_checked("bust", 7, QUARTERS, **CRASHES["everything at once"])
    df = m.results()
    assert df["compute_utilisation"].iloc[8:].min() < 0.6     # idle capacity after 2027
    assert (df["distressed"] + df["defaulted_total"]).max() >= 3
    assert df["cumulative_losses"].iloc[-1] > 50.0


# --- negative tests: corrupt a model, the check must name the culprit ----------------------
@pytest.fixture
def m() -> AIEconomy:
    model = AIEconomy("baseline", rng=0)
    model.run(3)
    model.check_invariants()
    return model


def _bond(m: AIEconomy, issuer: str = "Meta") -> Bond:
    return next(c for c in m.agent_by_name(issuer).issued if isinstance(c, Bond))


def test_cash_created_outside_the_ledger(m):
    m.ledger.cash[m.agent_by_name("Meta").account] += 1.0
    with pytest.raises(AccountingError, match=r"cash not conserved: total drifted by 1"):
        m.check_invariants()


def test_cash_moved_outside_the_ledger_names_the_agent(m):
    meta, nvidia = m.agent_by_name("Meta"), m.agent_by_name("Nvidia")
    m.ledger.cash[nvidia.account] -= 1.0
    m.ledger.cash[meta.account] += 1.0      # total unchanged: only the books can tell
    with pytest.raises(AccountingError, match=r"^Meta: assets - liabilities = .* not booked"):
        m.check_invariants()


def test_negative_cash_names_the_account(m):
    spv = m.agent_by_name("Hyperion SPV")
    m.ledger.cash[m.customers.account] += m.ledger.cash[spv.account] + 5.0
    m.ledger.cash[spv.account] = -5.0
    with pytest.raises(AccountingError, match=r"^Hyperion SPV: negative cash -5"):
        m.check_invariants()


def test_non_finite_cash_names_the_account(m):
    m.ledger.cash[m.agent_by_name("OpenAI").account] = math.inf
    with pytest.raises(AccountingError, match=r"^OpenAI: cash is inf"):
        m.check_invariants()


def test_contract_dropped_from_a_balance_sheet(m):
    bond = _bond(m)
    m.agent_by_name("Meta").issued.remove(bond)
    with pytest.raises(AccountingError, match=r"bond Meta -> Bond investors is on 1 asset and "
                       r"0 liability sides"):
        m.check_invariants()


def test_contract_on_a_third_balance_sheet(m):
    m.agent_by_name("Nvidia").held.append(_bond(m))
    with pytest.raises(AccountingError, match=r"^Nvidia lists bond Meta -> Bond investors "
                       r"among its assets but is not its active holder"):
        m.check_invariants()


def test_contract_issued_twice(m):
    m.agent_by_name("Amazon").issued.append(_bond(m))
    with pytest.raises(AccountingError, match=r"^Amazon lists bond Meta -> Bond investors "
                       r"among its liabilities"):
        m.check_invariants()


def test_retired_contract_left_on_the_books(m):
    _bond(m).active = False
    with pytest.raises(AccountingError, match=r"lists bond Meta -> Bond investors .* not its "
                       r"active"):
        m.check_invariants()


def test_contract_registered_twice_in_the_book(m):
    m.book.contracts.append(_bond(m))
    with pytest.raises(AccountingError, match=r"contract registered twice: bond Meta -> Bond "
                       r"investors"):
        m.check_invariants()


def test_contract_on_balance_sheets_but_not_in_the_book(m):
    meta, nvidia = m.agent_by_name("Meta"), m.agent_by_name("Nvidia")
    ghost = Loan(issuer=meta, holder=nvidia, start=m.t, principal=5.0)
    meta.issued.append(ghost)
    nvidia.held.append(ghost)
    with pytest.raises(AccountingError, match="lists a contract that is not in the book"):
        m.check_invariants()


def test_principal_changed_without_a_flow(m):
    # the value is shared by both sides, so the issuer's net worth moves with no booked flow
    _bond(m, "Alphabet").principal += 5.0
    with pytest.raises(AccountingError, match=r"^Alphabet: assets - liabilities .*gap -5"):
        m.check_invariants()


def test_real_assets_changed_without_revalue(m):
    m.agent_by_name("Oracle").gpu_book += 10.0
    with pytest.raises(AccountingError, match=r"^Oracle: assets - liabilities .*gap 10"):
        m.check_invariants()
    m.agent_by_name("Oracle").revalue(10.0, "equity_marks")   # booked: the books agree again
    m.check_invariants()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("rate", math.nan, r"bond Meta -> Bond investors: rate is nan"),
    ("principal", math.inf, r"bond Meta -> Bond investors: principal is inf"),
    ("arrears", -1.0, r"bond Meta -> Bond investors: arrears is negative"),
])
def test_bad_contract_values_are_named(m, field, value, message):
    setattr(_bond(m), field, value)
    with pytest.raises(AccountingError, match=message):
        m.check_invariants()


def test_equity_fraction_above_one(m):
    stake = next(c for c in m.book.contracts if isinstance(c, EquityStake) and c.active)
    stake.fraction = 1.5
    with pytest.raises(AccountingError, match=rf"{stake.label()}: fraction 1.5 above 1"):
        m.check_invariants()


def test_negative_real_assets_are_named(m):
    m.agent_by_name("CoreWeave").capacity_gw = -1.0
    with pytest.raises(AccountingError, match=r"^CoreWeave: capacity_gw is negative"):
        m.check_invariants()


def test_non_finite_statistic_is_named(m):
    m.current["bubble_index"] = math.nan
    with pytest.raises(AccountingError, match=r"statistic bubble_index is nan"):
        m.check_invariants()


# --- identities between the reported statistics --------------------------------------------
def test_statistics_add_up():
    m = run_cached("bust", 0, QUARTERS)
    df = m.results()
    by_type = df[[f"losses_{b}" for b in BEARER_TYPES]].sum(axis=1)
    assert np.allclose(by_type, df["cumulative_losses"])
    # the holder sectors and households are parts of the outside sector's losses
    sectors = df[["losses_insurers", "losses_pension_funds", "losses_retail_investors",
                  "losses_other_lps"]]
    assert (sectors.sum(axis=1) <= df["losses_outside"] + 1e-9).all()
    assert (df["losses_households"] <= df["losses_outside"] + 1e-9).all()
    assert df["cumulative_losses"].iloc[-1] > 0
    assert m.losses_by_bearer()["loss"].sum() == pytest.approx(df["cumulative_losses"].iloc[-1])
    share = df["spv_debt"] / df["ai_debt_total"]
    assert np.allclose(share, df["off_balance_sheet_share"])
    assert np.allclose(df["cumulative_capex"], df["capex"].cumsum())
    # jobs = 4 x quarterly revenue (USD bn) x 1e9 x 0.5 / 80,000 USD / 1e6 = 0.025 x revenue
    assert np.allclose(df["jobs_displaced"], 0.025 * df["ai_revenue"])
    assert (df["defaults"].cumsum() >= df["defaulted_total"] - 1e-9).all()


def test_balance_sheet_report_and_exposures_match_the_books():
    m = run_cached("bust", 1, QUARTERS)
    for a in m.finance_agents:
        bs = a.balance_sheet()
        assets = math.fsum(bs["assets"].values())
        liabilities = math.fsum(v for k, v in bs["liabilities"].items() if k != "equity")
        scale = max(1.0, abs(a.total_assets))
        assert abs(assets - a.total_assets) <= 1e-9 * scale, a.name
        assert abs(liabilities - a.liabilities) <= 1e-9 * scale, a.name
        assert abs(bs["liabilities"]["equity"] - (assets - liabilities)) <= 1e-9 * scale, a.name
    ex = m.exposures()
    assert list(ex.columns) == ["debtor", "creditor", "kind", "amount"]
    assert (ex["amount"] > 0).all()
    debt = math.fsum(c.value() for c in m.book.contracts if c.active and isinstance(c, Loan))
    in_table = ex.loc[ex["kind"].isin(["loan", "bond", "line", "deposit"]), "amount"].sum()
    assert in_table == pytest.approx(debt)
