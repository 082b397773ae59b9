"""Every economic coefficient of the model, named once, with its unit and its source.

Each constant is followed by a docstring ``[unit] Source: ...`` (a public figure with who
published it and when) or ``[unit] Assumption: ...`` (a modelling choice and why). Users
change the model through :mod:`model.parameters`; these are the values that stay fixed.
``python -m core.coefficients`` prints them as a table (docs/coefficients.md is that table).
Money is USD bn, time is quarters unless the unit says otherwise.
"""

from __future__ import annotations

# --- time and accounting -------------------------------------------------------------------
QUARTERS_PER_YEAR = 4
"""[quarters/yr] Definition: one model step is one quarter."""

BUILDING_LIFE = 80
"""[quarters] Assumption: data-centre shells and power equipment depreciate over 20 years
(straight line), the usual book life of buildings in hyperscaler filings."""

# --- demand and compute ---------------------------------------------------------------------
BASE_RENT = 3.0
"""[USD bn per GW-quarter] Source: H100 spot rent ~$2/GPU-hour in 2025 (SemiAnalysis;
$1.70 in Oct 2025, $2.35 in Mar 2026); ~0.5M GPUs per GW x 2,190 h a quarter."""

TARGET_UTILISATION = 0.8
"""[share] Assumption: the utilisation at which rents hold and builders are confident;
2025 cloud GPU fleets ran near it (captive use keeps 2025 near 0.8)."""

CAPTIVE_GW_2025 = 3.0
"""[GW] Assumption: hyperscalers' own AI use (ads, search, recommendation) in 2025, sized so
that 2025 utilisation is ~0.8 with the calibrated capacity."""

CAPTIVE_GROWTH = 0.02
"""[1/quarter] Assumption: growth of captive AI use (~8%/yr, like ad revenue)."""

CLOUD_GW_PER_REVENUE = 0.34
"""[GW per USD bn/quarter] Assumption: GW of capacity that one USD bn a quarter of cloud
AI-services revenue uses in 2025 (rent ~3 per GW-quarter at ~0.9 utilisation)."""

NON_AI_GROWTH = 0.015
"""[1/quarter] Source: hyperscalers' non-AI operating cash flow growth, ~6%/yr (filings
2023-25)."""

REVENUE_NOISE_FLOOR = 0.2
"""[share of the path] Assumption: noise never cuts revenue below a fifth of its path."""

NOISE_PERSISTENCE = 0.6
"""[per quarter] Assumption: AR(1) persistence of revenue surprises (a shock fades over about
a year)."""

UTILISATION_SMOOTHING = 0.75
"""[weight] Assumption: the smoothed utilisation that lease renewals read remembers about a
year (weight of last quarter's average)."""

# --- capacity and capex ---------------------------------------------------------------------
GUIDED_CAPEX = (88.0, 105.0, 120.0, 135.0, 150.0, 165.0, 180.0, 195.0)
"""[USD bn per quarter] Source: capex guidance of the five hyperscalers for 2025Q1-2026Q4
(company filings and calls, 2025: 2025 ~450, 2026 ~630-690)."""

GPU_SHARE_OF_CAPEX = 0.6
"""[share] Source: Bernstein (2025): GPUs, servers and network ~60% of a GW's cost, shell and
power ~40%."""

CHIP_CONTENT = 0.65
"""[share of GPU/server spend] Source: Nvidia (2025): ~35 of 50-60 USD bn per GW is its kit;
the rest of the server bill goes to other suppliers."""

OPEX_PER_GW = 0.35
"""[USD bn per GW-quarter] Assumption: power (~1 GW at ~$50/MWh is ~0.11), staff and
maintenance of one GW for a quarter."""

CAPACITY_MARGIN = 1.1
"""[x demand] Assumption: builders plan 10% headroom over expected demand."""

GPU_VENDORS = 2
"""[firms] Assumption: a buyer splits its chip orders between at most two vendors."""

AI_SHARE_OF_DC = 0.75
"""[share] Assumption: share of hyperscalers' end-2024 data-centre assets that is AI capacity."""

# --- expectations, sentiment, valuation -----------------------------------------------------
NORMAL_MULTIPLE = 6.0
"""[x annual revenue] Assumption: value of a mature tech business per dollar of revenue
(large-cap software and cloud traded at ~5-8x sales in 2024)."""

GROWTH_PREMIUM_SLOPE = 2.0
"""[x per unit of expected annual growth] Assumption: extra revenue multiple markets pay for
growth (a firm growing 100%/yr trades at 3x the normal multiple)."""

GROWTH_PREMIUM_CAP = 2.0
"""[annual growth] Assumption: growth above 200%/yr adds no further premium."""

HERDING_TILT = 0.05
"""[1/quarter per unit of sentiment] Assumption: how far herding on sentiment moves expected
quarterly growth (MODEL reference form g_e += h (S - 1))."""

SENTIMENT_MIN, SENTIMENT_MAX = 0.3, 2.5
"""[index, 1 = neutral] Assumption: bounds of market sentiment."""

SENTIMENT_MOMENTUM = 0.15
"""[per unit of log value change] Assumption: sentiment follows rising values (momentum)."""

SENTIMENT_SURPRISE = 1.0
"""[per unit of growth surprise] Assumption: revenue above expectations lifts sentiment."""

SENTIMENT_DISTRESS = 1.5
"""[per share of firms in distress] Assumption: distress and defaults sour sentiment fast."""

SENTIMENT_GAP = 0.1
"""[per unit of revenue-gap share] Assumption: a revenue gap weighs on sentiment slowly."""

SENTIMENT_REVERSION = 0.1
"""[per quarter] Assumption: sentiment drifts back towards neutral."""

GAP_HORIZON = 8
"""[quarters] Assumption: markets judge the revenue gap on revenue two years ahead."""

COST_OF_CAPITAL = 0.10
"""[1/yr] Assumption: return investors need on AI capital (~8-10% WACC of hyperscalers and
private credit at 2025 rates)."""

EQUITY_SUPPLY_2025 = 30.0
"""[USD bn per quarter] Source: private AI rounds of ~120 in 2025 (OpenAI 40, Anthropic 13+15,
xAI 20 and others; PitchBook 2025)."""

EQUITY_SUPPLY_GROWTH = 0.03
"""[1/quarter] Assumption: venture and crossover money for AI grows ~12%/yr."""

EQUITY_WINDOW_CAP = 1.5
"""[x] Assumption: exuberant sentiment at most enlarges the equity window by half."""

# --- lenders, markets, rates ----------------------------------------------------------------
IG_SPREAD_BASE = 0.0075
"""[1/yr] Source: US IG spread 72-78 bp in late 2025, the tightest since 1998 (ICE BofA)."""

IG_SPREAD_STRESS = 0.03
"""[1/yr per unit of stress] Assumption: IG spreads widen ~300 bp in a full crisis
(2008: +450 bp; 2020: +250 bp)."""

SENTIMENT_STRESS_WEIGHT = 0.5
"""[share] Assumption: weight of sour sentiment (below 1) next to distress in credit stress."""

TERM_PREMIUM = 0.004
"""[1/yr] Source: 10-year Treasury 4.15% vs fed funds 3.50-3.75% (Dec 2025)."""

SPOT_RENT_SLACK = 0.6
"""[per unit of utilisation below target] Assumption: idle capacity cuts rents hard (H100
spot rents fell ~80% from 2023 to 2025 as supply caught up; SemiAnalysis)."""

SPOT_RENT_TIGHT = 0.1
"""[per unit of utilisation above 0.9] Assumption: a tight market slows the rent decline."""

SPOT_RENT_TIGHT_ABOVE = 0.9
"""[share] Assumption: utilisation above which the market counts as tight."""

SPOT_RENT_FLOOR = 0.2
"""[USD bn per GW-quarter] Assumption: rent never falls below power and upkeep (~$0.15/h)."""

CAPACITY_VALUE_YEARS = 6.0
"""[years of net rent] Assumption: a buyer pays six years of a GW's net rent, at most its
cost."""

EXPECTED_LOSS = {"active": 0.005, "distressed": 0.15, "defaulted": 0.45}
"""[share of par] Source: direct-lending losses ~0.6%/yr (Fed, 2025) for performing loans;
assumption: 15% for a distressed borrower, 45% for a defaulted one (senior recovery ~55%)."""

FUND_LENDERS = 2
"""[funds] Assumption: a deal is syndicated to at most two funds."""

BANK_LENDERS = 1
"""[banks] Assumption: and to one bank."""

FUND_SHARE_OF_DEALS = 2 / 3
"""[share] Source: 2025 SPV and GPU deals were about two thirds private credit, one third
banks (FT tally; Hyperion, xAI, CoreWeave)."""

SECURITIZATION_SENTIMENT = 0.8
"""[index] Assumption: ABS markets are open only while sentiment is above this."""

# --- fire sales -----------------------------------------------------------------------------
CAPACITY_DISCOUNT = 0.30
"""[share] Assumption: fire-sale discount on GPUs and data centres (used-GPU prices 30-40%
below marks in 2024-26 resale markets)."""

STAKE_DISCOUNT = 0.25
"""[share] Assumption: discount on equity stakes and warrants sold in a hurry (secondaries of
private stakes traded ~20-30% below NAV)."""

LOAN_DISCOUNT = 0.10
"""[share] Assumption: discount on loans, over their expected loss, in a thin market ..."""

LOAN_MARKET_DEPTH = 50.0
"""[USD bn] Assumption: ... that doubles for every 50 of loans dumped in one quarter."""

PRICE_IMPACT = 3.0
"""[per share of capacity sold] Assumption: used-GPU prices fall by exp(-3 x share sold)."""

FIRE_SALE_RECOVERY = 0.8
"""[per quarter] Assumption: 80% of the fire-sale price pressure is still there next quarter."""

FIRE_SALE_NEWS = 0.5
"""[USD bn] Assumption: smaller sales do not make the event log."""

# --- hyperscalers ---------------------------------------------------------------------------
RATING_THRESHOLD = 3.0
"""[net debt / annual operating cash flow] Assumption: the leverage above which an issuer
loses its IG rating (rating agencies' ~3x for A/BBB tech)."""

BOND_MATURITY_YEARS = 10
"""[years] Assumption: maturity of new IG bonds (the 2025 deals' weighted maturity was
16-20 years, but the model's bonds stand in for a whole ladder)."""

EXCESS_CASH = 2.0
"""[x cash target] Assumption: cash above this multiple of the target is excess ..."""

EXCESS_PAYOUT = 0.25
"""[share per quarter] Assumption: ... and a quarter of it goes back to shareholders."""

MAX_SPV_SHARE = 0.6
"""[share of capex] Assumption: sponsors keep most assets on their own books."""

SPV_PRESSURE = 0.5
"""[per unit of rating ratio above 1.5] Assumption: SPV use rises as the rating tightens."""

SPV_PRESSURE_FROM = 1.5
"""[net debt / operating cash flow] Assumption: rating pressure starts here."""

LEVERAGE_SPREAD = 0.003
"""[1/yr per unit of rating ratio] Assumption: extra coupon per unit of net debt / cash flow."""

MIN_CASH_SHARE = 0.02
"""[share of total assets] Assumption: operating cash never spent on capex."""

TREASURY_FLOOR = 5.0
"""[USD bn] Assumption: minimum cash a hyperscaler treasury keeps whatever its capex."""

CAPEX_SMOOTHING = 0.75
"""[weight] Assumption: the treasury plans its cash around smoothed capex."""

LEGACY_BOND_COUPON = 0.035
"""[1/yr] Source: average coupon of hyperscalers' pre-2025 bonds (~3-4%, filings)."""

LEGACY_BOND_QUARTERS = 40
"""[quarters] Assumption: remaining life of the pre-2025 bond stock."""

FINANCE_LEASE_RATE = 0.045
"""[1/yr] Assumption: rate implicit in hyperscalers' finance leases (filings ~4-5%)."""

# --- labs -----------------------------------------------------------------------------------
COMPUTE_SHARE = 0.6
"""[share of spending] Source: OpenAI's 2025 costs were ~60% compute (The Information)."""

BURN_SCALE = 10.0
"""[USD bn per quarter] Assumption: R_b, the quarterly revenue at which the burn multiple
halves."""

RUNWAY_FULL = 8.0
"""[quarters] Assumption: a lab with two years of runway burns at full intensity."""

DISTRESSED_CASH_SPEND = 0.5
"""[share of cash] Assumption: a distressed lab spends its revenue plus half its cash."""

RAISE_SENTIMENT_FLOOR = 0.7
"""[index] Assumption: below this sentiment no one funds a private AI round."""

MAX_RAISE_SHARE = 0.08
"""[share of valuation per quarter] Assumption: the largest round a lab can close."""

RAISE_BURN_QUARTERS = 6.0
"""[quarters of burn] Assumption: a round covers at most a year and a half of burn."""

RUNWAY_TRIGGER = 4.0
"""[quarters of burn] Assumption: a lab raises when cash falls below a year of burn."""

ROUND_NEWS = 5.0
"""[USD bn] Assumption: rounds from this size make the event log."""

# --- neoclouds ------------------------------------------------------------------------------
LOAN_TO_VALUE = 0.85
"""[share] Source: CoreWeave's delayed-draw GPU loans advance ~85% of cost (10-K, 2025)."""

GPU_LOAN_SPREAD = 0.065
"""[1/yr over SOFR] Source: CoreWeave DDTL 2.0 at SOFR + 6-6.5% with IG-backed contracts
(10-Q, 2025)."""

GPU_LOAN_YEARS = 5
"""[years] Source: CoreWeave DDTL draws amortise over ~5 years (8-K, 2025)."""

LEGACY_GPU_LOAN_QUARTERS = 16
"""[quarters] Source: CoreWeave's 2024 debt falls due mostly 2026-28 (10-Q, June 2025)."""

NEOCLOUD_GPU_SHARE = 0.8
"""[share] Assumption: a neocloud's assets are mostly GPUs (it leases its shells)."""

# --- chipmakers -----------------------------------------------------------------------------
CHIP_OPEX_SHARE = 0.10
"""[share of sales] Source: Nvidia R&D + SG&A ~10% of revenue (FY26 10-K)."""

CHIP_PAYOUT_SHARE = 0.5
"""[share of profit] Assumption: buybacks and dividends while cash is ample."""

CHIP_CASH_FLOOR = 10.0
"""[USD bn] Assumption: cash a chipmaker keeps before paying out."""

# --- SPVs -----------------------------------------------------------------------------------
SPV_DEBT_SHARE = 0.88
"""[share] Source: Hyperion, 27.3 of notes on ~29.8 of capital (Meta, Oct 2025)."""

SPONSOR_EQUITY_SHARE = 0.2
"""[share of SPV equity] Source: Hyperion, Meta 20% / Blue Owl 80% (Meta, Oct 2025)."""

SPV_EQUITY_YIELD = 0.12
"""[1/yr] Assumption: return on the SPV's equity built into the rent."""

SPV_SPREAD = 0.025
"""[1/yr over SOFR] Source: Vantage/Oracle bank loans ~S+250 (Bloomberg, Aug 2025)."""

SPV_LOAN_YEARS = 8
"""[years] Assumption: GPUs last ~6 years and buildings ~20: SPV debt in between."""

SPV_LEASE_QUARTERS = 16
"""[quarters] Source: Hyperion's 4-year renewable lease (Meta, Oct 2025)."""

PROGRAMME_QUARTERS = 8
"""[quarters] Assumption: a sponsor's new deals go into one SPV per two years."""

RENEWAL_UTILISATION = 0.75
"""[share] Assumption: smoothed utilisation a sponsor needs to renew a lease."""

RVG_SHARE = 0.5
"""[share of cost] Assumption: a guaranteeing sponsor (Meta) guarantees half of what its SPV
buys (Hyperion's residual value guarantee is capped; cap not disclosed)."""

# --- private credit -------------------------------------------------------------------------
FUND_LIQUIDITY_BUFFER = 0.04
"""[share of NAV] Assumption: cash semi-liquid credit funds keep for redemptions."""

BASE_SUBSCRIPTION = 0.012
"""[share of NAV per quarter] Assumption: LP inflow at neutral sentiment (~5%/yr)."""

BASE_REDEMPTION = 0.008
"""[share of NAV per quarter] Source: non-traded BDC redemptions ~3%/yr in calm 2024
markets (Robert A. Stanger)."""

SUBSCRIPTION_RETURN_WEIGHT = 0.5
"""[per unit of excess quarterly return] Assumption: LPs add money after good quarters."""

LP_HURDLE = 0.02
"""[1/yr] Assumption: return LPs compare the fund with."""

REDEMPTION_LOSS_WEIGHT = 4.0
"""[per unit of quarterly loss] Assumption: losses drive redemption requests."""

REDEMPTION_SENTIMENT_WEIGHT = 0.05
"""[per unit of sentiment below 1] Assumption: sour markets add requests."""

FUND_OTHER_LOAN_RATE = 0.058
"""[1/yr over SOFR, floating] Source: direct-lending spreads ~S+500-540 in 2025 (PRISM)."""

FUND_OTHER_BOOK_QUARTERS = 40
"""[quarters] Assumption: funds' non-AI loans run off over ten years, freeing cash."""

WAREHOUSE_SPREAD = 0.02
"""[1/yr over SOFR] Source: subscription/NAV lines S+125-225 (fund finance surveys, 2025)."""

# --- banks ----------------------------------------------------------------------------------
CASH_RESERVE = 0.05
"""[share of deposits] Assumption: reserves a bank keeps."""

UNDRAWN_WEIGHT = 0.5
"""[risk weight] Source: Basel credit conversion factor of committed undrawn lines (~50%)."""

BANK_PAYOUT_SHARE = 0.6
"""[share of profit] Source: large US banks paid out ~60% of earnings in 2024."""

BANK_OPERATING_COST = 0.012 / 4
"""[share of loans per quarter] Assumption: staff and systems (~1.2%/yr of loans)."""

CAPITAL_HEADROOM = 0.005
"""[share of RWA] Assumption: banks lend only while 0.5 pp above their requirement."""

PAYOUT_HEADROOM = 0.02
"""[share of RWA] Assumption: banks pay dividends only 2 pp above the requirement."""

DEPOSIT_GROWTH = 0.01
"""[1/quarter] Source: US deposits grew ~4%/yr in 2024-25 (FDIC QBP)."""

DEPOSIT_SPREAD = -0.01
"""[1/yr over the policy rate] Assumption: deposits pay the policy rate less 1 pp."""

BANK_OTHER_LOAN_RATE = 0.015
"""[1/yr over SOFR, floating] Assumption: margin on banks' non-AI loan book."""

MARKDOWN_NEWS = 0.01
"""[share of equity] Assumption: markdowns above 1% of a lender's equity make the news."""

# --- securitization -------------------------------------------------------------------------
ABS_STRUCTURE = (("abs_senior", 0.70, 0.012), ("abs_mezzanine", 0.20, 0.045),
                 ("abs_equity", 0.10, 0.0))
"""[(tranche, share of pool, spread over the long rate)] Source: data-centre ABS 2024-25:
senior ~70% at +100-150 bp, mezzanine at +400-500 bp (KBRA presale reports)."""

ABS_POOL_SHARE = 0.3
"""[share] Assumption: share of a fund's SPV loans securitized in a deal."""

ABS_MIN_DEAL = 2.0
"""[USD bn] Assumption: smallest ABS deal worth doing."""

ABS_NOTE_QUARTERS = 80
"""[quarters] Assumption: legal final maturity of ABS notes (they amortise with the pool)."""

# --- news -----------------------------------------------------------------------------------
IDLE_NEWS = 0.3
"""[share] Assumption: idle capacity that makes the news."""

BOND_NEWS = 10.0
"""[USD bn] Assumption: bond deals from this size make the event log."""

# --- deal sizes -----------------------------------------------------------------------------
MIN_BOND_DEAL = 0.5
"""[USD bn] Assumption: the smallest bond deal a hyperscaler brings to market."""

MIN_SPV_DEAL = 0.5
"""[USD bn] Assumption: the smallest SPV deal worth setting up."""

PAYOUT_FROM = 0.5
"""[x cash target] Assumption: payouts start at half the cash target and reach their full
rate at the target (cut when cash is short)."""

CONTRACT_PREMIUM = 1.1
"""[x spot rent] Assumption: 2025 take-or-pay contracts priced 10% above spot rent."""

LINE_REPAY_BUFFER = 2.0
"""[x liquidity buffer] Assumption: a fund repays its bank line only from cash above twice its
liquidity buffer."""

START_YEAR = 2025
"""[year] Definition: quarter 0 is 2025Q1."""

SMALL_DEBT = 0.05
"""[USD bn] Assumption: debt below this is not worth a word in the event log."""

LEGACY_CHIP_BOND_QUARTERS = 28
"""[quarters] Assumption: remaining life of chipmakers' pre-2025 bonds."""

OPEN_ENDED = 10_000
"""[quarter] Definition: the maturity of contracts that run until closed (deposits, committed
lines, the banks' non-AI book)."""

EQUITY_WINDOW_FROM = 0.5
"""[sentiment index] Assumption: the window for private AI rounds is shut at this sentiment
and fully open at neutral sentiment (1)."""


def coefficient_table() -> list[tuple[str, object, str, str]]:
    """(name, value, unit, source) of every coefficient, read from this module's source."""
    import ast
    import inspect
    import sys

    module = sys.modules[__name__]
    body = ast.parse(inspect.getsource(module)).body
    rows = []
    for node, after in zip(body, body[1:], strict=False):
        if not (isinstance(node, ast.Assign) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            continue
        unit, _, source = " ".join(after.value.value.split()).partition("] ")
        for target in node.targets:
            names = [e.id for e in target.elts] if isinstance(target, ast.Tuple) else [target.id]
            rows.extend((n, getattr(module, n), unit.lstrip("["), source) for n in names)
    return rows


def main() -> None:
    """Print the coefficient table as Markdown."""
    print("| coefficient | value | unit | source or assumption |")
    print("|---|---|---|---|")
    for name, value, unit, source in coefficient_table():
        print(f"| `{name}` | {value!r} | {unit} | {source} |")


if __name__ == "__main__":
    main()
