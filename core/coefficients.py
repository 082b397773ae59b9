"""Every economic coefficient of the model, named once, with its unit and its source.

Each constant is followed by a docstring ``[unit] Source: ...`` (a public figure with who
published it and when) or ``[unit] Assumption: ...`` (a modelling choice and why). Users
change the model through :mod:`model.parameters`; these are the values that stay fixed.
``python -m core.coefficients`` prints them as a table (docs/coefficients.md is that table).
Money is USD bn, time is quarters unless the unit says otherwise.
"""

from __future__ import annotations

import itertools

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

REVENUE_2025 = (13.78, 16.76, 20.32, 24.55)
"""[USD bn per quarter] Source: end-customer AI revenue in 2025, ~75 for the year: OpenAI ~13
(company, 2025), Anthropic ~5 (run-rate 1 -> 9-10 over 2025), xAI ~0.5, and cloud AI services
of the hyperscalers ~55 (Microsoft's AI run-rate 13 in Jan 2025, rising; AWS, Google Cloud).
The quarterly shape follows a logistic fitted to the year (the same in every scenario)."""

REVENUE_2024Q4 = 11.30
"""[USD bn per quarter] Source: the same fit one quarter earlier (the growth markets saw at the
start)."""

REVENUE_2030_QUARTERS = (20, 23)
"""[quarters] Definition: 2030 runs from quarter 20 to quarter 23."""

SURPRISE_QUARTERS_TO_2030 = 18
"""[quarters] Definition: quarters of revenue surprises from 2026Q1 to mid-2030, the horizon at
which ``revenue_uncertainty`` is stated."""

LAB_SHARE_2025 = 0.28
"""[share] Source: labs' share of end-customer AI revenue in 2025: ~21 of ~75 (OpenAI 13,
Anthropic ~5, xAI ~0.5, others); the rest is hyperscalers' cloud AI services."""

LAB_SHARE_GLIDE = 4
"""[quarters] Assumption: from 2026 the labs' share moves to the scenario's value over a year."""

LAB_SHARE_PERSISTENCE = 0.95
"""[per quarter] Assumption: persistence of a lab's market-share luck (AR(1) in logs)."""

LAB_SHARE_VOLATILITY = 0.05
"""[1/quarter] Assumption: quarterly s.d. of a lab's market-share surprises from 2026 (model
releases move share: Anthropic's coding share, xAI's slow start)."""

LEVEL_PERSISTENCE = 0.97
"""[per quarter] Assumption: a gap between realised AI revenue and the assumed path fades with a
half-life of about six years: revenue can run 30-50% off the assumption for years, yet the
assumption stays the expected path."""

DRIFT_PERSISTENCE = 0.8
"""[per quarter] Assumption: a surprise to revenue growth (adoption running ahead of or behind
the assumption) lasts about a year, so paths diverge smoothly rather than jump."""

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

GPU_PHYSICAL_LIFE = 24
"""[quarters] Source: servers run ~6 years (Microsoft and Alphabet book lives of 6 years,
2023-25 filings); the capacity retires over this life whatever the accounting life."""

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

CAPEX_ADJUSTMENT = 0.3
"""[share of the gap per quarter] Assumption: GPU orders and construction contracts are placed
2-4 quarters ahead (Nvidia's lead times; the hyperscalers' multi-year purchase commitments in
their 2025 10-Ks), so capex closes ~30% of the gap between last quarter's plan and the
desired one each quarter: a flexible accelerator with a mean lag of ~3 quarters."""

PLANNING_GROWTH_CAP = 0.075
"""[1/quarter, log] Assumption: capex plans extrapolate demand growth of at most ~35% a year
(hyperscaler capex grew ~50-60% in 2025 on guidance set in 2024; plans beyond a year are
budgeted on slower growth)."""

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
quarterly growth: g_e += HERDING_TILT h (S - 1), h the herding parameter, S sentiment."""

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

EARNINGS_MARGIN = 0.36
"""[share of revenue] Assumption: the operating margin of a mature AI business, the one that
makes the normal multiple consistent: 6x sales = 0.36 / (10% cost of capital - 4% growth)."""

MARKET_BELIEF_2030 = 2000.0
"""[USD bn/yr] Source: the revenue AI needs by 2030 to justify the build-out (Bain, Sept 2025:
~2T a year); AI-linked equity worth ~10T in late 2025 (Nvidia ~4.5T, the labs ~0.7T, AI parts
of the hyperscalers) priced about that: markets start out believing in the boom."""

MARKET_CEILING_MULTIPLE = 1.25
"""[x 2030 revenue] Assumption: where markets believe revenue levels off after 2030."""

BELIEF_LEARNING = 0.3
"""[elasticity per quarter] Assumption: a revenue shortfall of x% against the believed path
cuts the believed 2030 revenue by 0.3x% that quarter: markets learn over about a year."""

MARKET_BELIEF_MIN, MARKET_BELIEF_MAX = 0.05, 2.5
"""[share of the boom path] Assumption: bounds of how far markets may scale their belief."""

VALUATION_HORIZON = 40
"""[quarters] Assumption: both valuations discount ten years of earnings, then value the
business at the normal multiple."""

GAP_HORIZON = 8
"""[quarters] Assumption: markets judge the revenue gap on revenue two years ahead."""

COST_OF_CAPITAL = 0.10
"""[1/yr] Assumption: return investors need on AI capital (~8-10% WACC of hyperscalers and
private credit at 2025 rates)."""

EQUITY_SUPPLY_2025 = 30.0
"""[USD bn per quarter] Source: private AI rounds of ~120 in 2025 (OpenAI 40, Anthropic 13+15,
xAI 20 and others; PitchBook 2025)."""

EQUITY_SUPPLY_GROWTH = 0.0
"""[1/quarter] Assumption: 2025's record pace of private AI funding (~120 a year, with
SoftBank's 40 for OpenAI) is the most outside investors keep offering; it does not grow."""

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

SPOT_RENT_TIGHT = 0.3
"""[per unit of demand / capacity above the 0.8 target] Source: H100 spot rents rose ~38%
from Oct 2025 to Mar 2026 as demand outran capacity (SemiAnalysis): with demand ~20% above
capacity, rents rise ~4% a quarter net of the trend decline."""

SPOT_RENT_PREMIUM_MAX = 1.5
"""[x the cost trend] Assumption: scarcity can lift spot rents at most 50% above the cost of
new capacity (2025 rent falling at the trend decline): new entrants then add supply."""

SPOT_RENT_RATIO_CAP = 1.5
"""[demand / capacity] Assumption: excess demand beyond 50% of capacity adds no more pressure
(buyers wait or go without)."""

SPOT_RENT_FLOOR = 0.2
"""[USD bn per GW-quarter] Assumption: rent never falls below power and upkeep (~$0.15/h)."""

SHELL_VALUE_FLOOR = 0.4
"""[share of book] Assumption: an idle powered shell still fetches ~40% of its cost (land,
grid connection and buildings keep other uses; power lead times of 4-7 years make energised
sites scarce, LBNL 2024)."""

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

SECURITIZATION_SENTIMENT = 0.7
"""[index] Assumption: ABS markets are open only while sentiment is above this."""

# --- ratings and spreads -------------------------------------------------------------------
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "D")
"""[notch] Definition: the rating scale, best first; BBB and better is investment grade."""

INVESTMENT_GRADE = 3
"""[notch] Definition: BBB, the lowest investment-grade notch."""

LEVERAGE_NOTCHES = (0.5, 1.0, 2.0, 4.0, 5.5, 7.5)
"""[net debt / annual operating cash flow] Source: Moody's and S&P leverage guidance for large
tech issuers (~1x for AA, ~2x A, up to ~4x BBB: Oracle kept BBB at ~4x in 2025 with a negative
outlook; 5-6x BB, 7-8x B); upper bounds for AAA ... B."""

BOND_SPREADS = (0.0045, 0.0060, 0.0080, 0.0120, 0.0250, 0.0400, 0.0900)
"""[1/yr over the long rate, AAA ... CCC] Source: ICE BofA US option-adjusted spreads, late
2025: AA ~50 bp, A ~70, BBB ~100, BB ~180, B ~300, CCC ~850 (FRED)."""

SECURED_SPREADS = (0.0175, 0.0200, 0.0225, 0.0250, 0.0450, 0.0650, 0.1300)
"""[1/yr over SOFR, by the offtaker's notch AAA ... CCC] Source: CoreWeave DDTL 4.0 with an
A3 customer S+225 and DDTL 5.0 with BB+ customers S+450 (2026); Vantage/Stargate loans backed
by Oracle (BBB) ~S+250 (2025); DDTL 2.0 S+600-650 and S+1300 for weaker contracts (2024)."""

COVENANT_NOTCHES = 2
"""[notches] Source: CoreWeave's delayed-draw loans carry offtaker-rating covenants (8-K, 2025):
assumption: a two-notch downgrade of the customer trips them (step-up and cash sweep)."""

COVENANT_CASH_BUFFER = 1.0
"""[quarters of debt service] Assumption: a swept borrower keeps a quarter's debt service."""

SPREAD_STRESS_MULTIPLE = 3.0
"""[x at full stress] Source: in 2008 IG and HY spreads rose to ~4-5x their pre-crisis levels
(ICE BofA); stress 1 = every AI firm in distress."""

HIGH_YIELD_SENTIMENT = 0.6
"""[sentiment index] Assumption: below this the high-yield market is shut to AI borrowers
(as it was to most issuers in late 2008 and March 2020)."""

# --- reorganisation --------------------------------------------------------------------------
SUSTAINABLE_LEVERAGE = 0.5
"""[share of going-concern value] Source: Chapter 11 plans leave reorganised firms with debt of
about half their enterprise value (median post-emergence leverage; Moody's 2007-2023 studies)."""

REORGANISATION_YEARS = 5
"""[years] Assumption: maturity of the debt a reorganised firm keeps."""

DISTRESSED_MULTIPLE = 2.0
"""[x annual revenue] Assumption: what a lab in reorganisation is worth per dollar of revenue
(software firms sold in distress fetch ~1-3x sales)."""

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
"""[net debt / annual operating cash flow] Assumption: the treasury stops issuing bonds at 3x,
a notch of headroom above the BBB limit (~4x) to protect the rating."""

BOND_ROLL_YEARS = 10
"""[years] Assumption: maturing unsecured debt is refinanced with ten-year paper."""

OPERATING_FLOWS = ("ai_revenue", "non_ai_revenue", "compute", "backstop", "lease_rent", "opex",
                   "gpu_purchase")
"""[income lines] Definition: the flows that make operating cash flow (EBITDA) for ratings."""

BOND_LADDER = ((5, 0.26), (10, 0.22), (30, 0.52))
"""[(years, share of the deal)] Source: Meta's 30 bn deal of Oct 2025 (2030/32: 26%, 2035: 22%,
2045-65: 52%; weighted maturity ~19 years); Oracle, Alphabet and Amazon's 2025 deals had
similar 3-40 year ladders (8-K filings, 2025)."""

LEGACY_BOND_LADDER = ((8, 0.2), (16, 0.25), (28, 0.25), (48, 0.3))
"""[(quarters to maturity, share of the stock)] Assumption: the pre-2025 bond stock matures
evenly over the next decade and beyond (hyperscalers' maturity tables in their 10-Ks)."""

EXCESS_CASH = 2.0
"""[x cash target] Assumption: cash above this multiple of the target is excess ..."""

EXCESS_PAYOUT = 0.25
"""[share per quarter] Assumption: ... and a quarter of it goes back to shareholders."""

PROGRAMME_START = 3
"""[quarter] Assumption: sponsors' programme SPVs start in 2025Q4; the named 2025 deals are in
the roster, the programmes stand for the rest of the FT's tally (>= 120 by end-2025)."""

SPV_PRESSURE = 0.5
"""[per unit of rating ratio above 1.5] Assumption: SPV use rises as the rating tightens."""

SPV_PRESSURE_FROM = 1.5
"""[net debt / operating cash flow] Assumption: rating pressure starts here."""

MIN_CASH_SHARE = 0.02
"""[share of total assets] Assumption: operating cash never spent on capex."""

TREASURY_FLOOR = 5.0
"""[USD bn] Assumption: minimum cash a hyperscaler treasury keeps whatever its capex."""

CAPEX_SMOOTHING = 0.75
"""[weight] Assumption: the treasury plans its cash around smoothed capex."""

LEGACY_BOND_COUPON = 0.035
"""[1/yr] Source: average coupon of hyperscalers' pre-2025 bonds (~3-4%, filings)."""

LEGACY_LEASE_QUARTERS = 40
"""[quarters] Assumption: hyperscalers' finance leases of end-2024 amortise over ten years."""

FINANCE_LEASE_RATE = 0.045
"""[1/yr] Assumption: rate implicit in hyperscalers' finance leases (filings ~4-5%)."""

# --- labs -----------------------------------------------------------------------------------
LAB_BEST_NOTCH = 4
"""[notch] Assumption: an AI lab with two years of runway borrows like a BB credit, one with a
year like a B credit, less like CCC (OpenAI and Anthropic are unrated; xAI's 2025 notes paid
~12.5%, a single-B coupon)."""

LAB_REVOLVER_SHARE = 0.3
"""[share of annual revenue] Source: OpenAI's 4B revolving credit facility from JPMorgan and
others (Oct 2024), on ~13B of 2025 revenue: banks size labs' revolvers at ~30% of revenue."""

LAB_REVOLVER_SPREAD = 0.0125
"""[1/yr over SOFR] Source: reported pricing of OpenAI's revolver, ~SOFR + 100 bp plus fees
(Bloomberg, Oct 2024)."""

LAB_COST_RATIO = 0.8
"""[share of revenue] Source: OpenAI projects positive cash flow around 2029-30 at revenue of
~125-200B a year (The Information, 2025): a mature lab's variable costs ~80% of revenue."""

COMPUTE_SHARE = 0.6
"""[share of spending] Source: OpenAI's 2025 costs were ~60% compute (The Information)."""

BURN_SCALE = 10.0
"""[USD bn per quarter] Assumption: R_b, the quarterly revenue at which the burn multiple
halves."""

RUNWAY_FULL = 8.0
"""[quarters] Assumption: a lab with two years of runway burns at full intensity."""

DISTRESSED_CASH_SPEND = 0.5
"""[share of cash] Assumption: a distressed lab spends its revenue plus half its cash."""

RAISE_SENTIMENT_FLOOR = 0.5
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
SPOT_OFFTAKER_NOTCH = 5
"""[notch] Assumption: capacity sold on the spot market backs a loan like a single-B customer
(CoreWeave's DDTL 2.0 paid S+1300 on uncontracted capacity, 2024)."""

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
SPONSOR_EQUITY_SHARE = 0.2
"""[share of SPV equity] Source: Hyperion, Meta 20% / Blue Owl 80% (Meta, Oct 2025)."""

SPV_EQUITY_YIELD = 0.12
"""[1/yr] Assumption: return on the SPV's equity built into the rent."""

LEASE_TERM_YEARS = (4, 5, 7, 10, 15)
"""[years] Source: lease terms of the 2025 deals: Hyperion 4 (renewable), xAI's GPU SPV and
CoreWeave 5, Vantage's Oracle leases 15 and Stargate New Mexico 18 (FT, Bloomberg, 2025)."""

LEASE_TERM_WEIGHTS = (0.3, 0.25, 0.15, 0.15, 0.15)
"""[probability] Assumption: how often a new SPV's lease has each term (short renewable
leases are the most common structure in the 2025 deals)."""

SPV_AMORTISATION_YEARS = 20
"""[years] Assumption: an SPV's debt on data-centre shells amortises as over the buildings' 20
years and matures with the lease, leaving a balloon to refinance (the mini-perm structure of
the Vantage and Stargate loans: 4 + 1 + 1 years)."""

MERCHANT_LTV = 0.6
"""[share of market value] Source: lenders advance 50-70% against used GPUs and data centres
(ComputeForecast, 2026); a merchant SPV refinances at most this share of what it would fetch."""

MERCHANT_LOAN_YEARS = 3
"""[years] Assumption: a merchant SPV's refinanced balloon runs three years."""

TERMINATION_QUARTERS = 2
"""[quarters of rent] Assumption: the fee a sponsor pays to walk away from a lease at its end
(build-to-suit leases carry termination payments; terms not disclosed)."""

STRUCTURED_RATING_CAP = 2
"""[notch] Source: Hyperion's notes, backed by Meta (AA-) and its guarantee, were rated A+ (S&P,
Oct 2025): an SPV is rated at most single A whatever its lessee."""

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
"""[per unit of excess quarterly return] Assumption: LPs add money after good years."""

LP_PREMIUM = 0.04
"""[1/yr over the policy rate] Source: direct lending yielded ~9.8% with the policy rate
~4.3% in 2025 (PRISM, Fed): investors expect ~4-5 points over cash; less is a shortfall."""

REDEMPTION_SHORTFALL_WEIGHT = 0.8
"""[share of NAV a year per unit of annual return shortfall] Source: after 2025's losses and
the Blue Owl episode, requests reached 9% of NAV at BlackRock's HLEND and ~17% at an Apollo
fund in a quarter (2026), with returns ~10-15 points below target."""

REDEMPTION_STRESS_WEIGHT = 0.3
"""[share of NAV a quarter if every AI firm were in distress] Source: headlines move semi-liquid
fund investors: requests reached 9-17% of NAV a quarter in 2026 (HLEND, an Apollo fund) after
the Blue Owl episode and software-loan worries, with returns still positive; assumption: a
tenth of AI firms (by assets) in distress adds 3% of NAV to the quarter's requests."""

REDEMPTION_SENTIMENT_WEIGHT = 0.06
"""[share of NAV a quarter per unit of sentiment below neutral] Assumption: sour markets alone
add requests (at the floor of sentiment, ~3% of NAV a quarter) but, without distress among
borrowers, not enough to reach a 5% gate."""

REDEMPTION_PERSISTENCE = 0.6
"""[per quarter] Source: non-traded BDC redemption requests rose over several quarters (4.8% of
NAV in Q4 2025 from ~1.5% in Q1 2025; Stanger): requests persist, one bad quarter does not make
a run."""

FUND_OTHER_LOAN_RATE = 0.058
"""[1/yr over SOFR, floating] Source: direct-lending spreads ~S+500-540 in 2025 (PRISM)."""

FUND_CASH_TARGET = 0.08
"""[share of NAV] Assumption: cash a fund holds: the redemption buffer plus about a quarter's
worth of AI deals; the rest is lent (idle cash would drag returns below the benchmark)."""

MIN_REINVESTMENT = 0.5
"""[USD bn] Assumption: a fund re-lends spare cash in deals of at least this size."""

FUND_LOAN_QUARTERS = 24
"""[quarters] Source: direct loans are 5-7 year floating-rate bullets (deal terms, 2025)."""

FUND_OTHER_BOOK_QUARTERS = 40
"""[quarters] Assumption: funds' non-AI loans run off over ten years, freeing cash."""

LP_SECTORS = (("insurers", "Insurers"), ("pension_funds", "Pension funds"),
              ("retail_investors", "Retail investors"), ("lps", "Other institutional LPs"))
"""[accounts] Definition: who owns private-credit funds; retail investors own the semi-liquid
vehicles (non-traded BDCs, interval funds) that redeem quarterly, the others are locked in."""

LP_SHARES_2025 = (0.20, 0.30, 0.25, 0.25)
"""[share of NAV, in LP_SECTORS order] Source: Form PF (Q4 2021): pensions 31%, insurers 9%,
individuals 9%, other funds and institutions the rest; since then insurers (Apollo-Athene,
KKR-Global Atlantic) and retail semi-liquid funds (127B vs 112B traditional BDCs in 2025,
Fed) have grown their share: assumption 20/30/25/25."""

LP_INFLOW_MIX = (0.20, 0.20, 0.45, 0.15)
"""[share of new money, in LP_SECTORS order] Source: retail semi-liquid vehicles took most
new private-credit money in 2024-25 (non-traded BDC gross sales, Stanger); assumption."""

SECTOR_ASSETS = (9100.0, 13000.0, 120000.0, 10000.0)
"""[USD bn, in LP_SECTORS order] Source: total financial assets of each holder sector, US,
2024-25 (Fed Financial Accounts Z.1 / ACLI): life insurers ~9.1T, defined-benefit and public
pension funds ~13T, households ~120T; other institutions (endowments, sovereign funds, funds of
funds) assumed ~10T. A loss is read as a share of these."""

NAV_LINE_MAX_LTV = 0.35
"""[debt / portfolio value] Source: NAV loans are made at 10-30% loan-to-value (fund finance
surveys, 2025); the covenant trips a little above the level the lines start at."""

NAV_LINE_SPREAD = 0.02
"""[1/yr over SOFR] Source: subscription lines S+125-225, NAV loans S+450-600 (fund finance
surveys, 2025): a blend for funds' bank lines."""

# --- banks ----------------------------------------------------------------------------------
LCR_DEPOSIT_RUNOFF = 0.10
"""[share of deposits] Source: Basel III LCR run-off rates, 5-10% for retail deposits and more
for wholesale: liquid assets a bank keeps against a deposit run (BCBS, 2013)."""

LCR_LINE_DRAWDOWN = 0.30
"""[share of undrawn lines] Source: Basel III LCR drawdown rate of committed facilities to
financial institutions (30-40%; BCBS, 2013)."""

STRESS_FOR_BUFFER_USE = 0.1
"""[credit stress index] Assumption: a bank counts as in stress, and may use its liquidity
buffer as far as supervisors let it (buffer usability), above this stress."""

UNDRAWN_WEIGHT = 0.5
"""[risk weight] Source: Basel credit conversion factor of committed undrawn lines (~50%)."""

BANK_PAYOUT_SHARE = 0.6
"""[share of profit] Source: large US banks paid out ~60% of earnings in 2024."""

BANK_CAPITAL_TARGET = 0.13
"""[share of RWA] Source: large US banks manage CET1 to ~12-13.5% (JPMorgan's 2025 target
~13%) and return capital above it through buybacks."""

EXCESS_CAPITAL_PAYOUT = 0.25
"""[share per quarter] Assumption: a bank buys back a quarter of its capital above target each
quarter."""

BANK_OPERATING_COST = 0.012 / 4
"""[share of loans per quarter] Assumption: staff and systems (~1.2%/yr of loans)."""

CAPITAL_HEADROOM = 0.005
"""[share of RWA] Assumption: banks lend only while 0.5 pp above their requirement."""

PAYOUT_HEADROOM = 0.02
"""[share of RWA] Assumption: banks pay dividends only 2 pp above the requirement."""

DEPOSIT_GROWTH = 0.01
"""[1/quarter] Source: US deposits grew ~4%/yr in 2024-25 (FDIC QBP)."""

DEPOSIT_BETA = 0.5
"""[share of the policy rate] Source: US banks paid 2.09% on deposits with fed funds ~4.3%
(Q2 2025; FDIC); cumulative deposit betas of ~0.4-0.5 in the 2022-23 hikes (NY Fed)."""

IORB_SPREAD = 0.001
"""[1/yr below the policy rate] Source: interest on reserve balances is set 10 bp below the top
of the fed funds range (Federal Reserve, 2025)."""

BANK_OTHER_LOAN_RATE = 0.015
"""[1/yr over SOFR, floating] Assumption: margin on banks' non-AI loan book."""

MARKDOWN_NEWS = 0.01
"""[share of equity] Assumption: markdowns above 1% of a lender's equity make the news."""

# --- securitization -------------------------------------------------------------------------
ABS_STRUCTURE = (("abs_senior", 0.70, 0.012), ("abs_mezzanine", 0.20, 0.045),
                 ("abs_equity", 0.10, 0.0))
"""[(tranche, share of pool, spread over the long rate)] Source: data-centre ABS 2024-25:
senior ~70% at +100-150 bp, mezzanine at +400-500 bp (KBRA presale reports)."""

ABS_POOL_SHARE = 0.4
"""[share] Assumption: share of a fund's SPV loans securitized in a deal."""

ABS_MIN_DEAL = 2.0
"""[USD bn] Assumption: smallest ABS deal worth doing."""

ABS_NOTE_QUARTERS = 80
"""[quarters] Assumption: legal final maturity of ABS notes (they amortise with the pool)."""

DISTRESS_EXIT_QUARTERS = 2
"""[quarters] Assumption: an agent leaves distress after two quarters current on its payments
with positive equity (rating agencies wait for a track record before an upgrade)."""

# --- news -----------------------------------------------------------------------------------
IDLE_NEWS = 0.3
"""[share] Assumption: idle capacity that makes the news."""

DRAWDOWN_NEWS = 0.5
"""[share] Definition: a halving of AI equity value from its peak makes the news."""

REFERENCE_NOTCH = 2
"""[notch] Definition: the "IG spread" the model reports is that of a single-A issuer."""

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

FUND_LINE_TARGET = 0.2
"""[drawn line / NAV] Source: ~220 drawn on bank lines against ~1,120 of NAV in 2025 (FSB,
2026; Fed, 2025): funds keep that leverage, drawing as NAV grows and repaying above it."""

START_YEAR = 2025
"""[year] Definition: quarter 0 is 2025Q1."""

SMALL_DEBT = 0.05
"""[USD bn] Assumption: debt below this is not worth a word in the event log."""

LEGACY_CHIP_BOND_QUARTERS = 28
"""[quarters] Assumption: remaining life of chipmakers' pre-2025 bonds."""

LOLR_HAIRCUT = 0.2
"""[share of collateral value] Source: Federal Reserve discount-window margins on commercial and
industrial loans, ~5-40% by rating and maturity (Fed collateral margins table, 2025): an
assumption of 20% for the loan books of funds and banks."""

LOLR_PENALTY = 0.01
"""[1/yr over the policy rate] Source: the Fed's primary credit rate sits at the top of the
target range (~0.5 point over the effective rate, 2025); Bagehot's penalty rate: 1 point."""

NETWORK_QUARTERS = 4
"""[quarters] Assumption: the payments that define the circular core are those of the last year:
a loop of equity rounds, compute bills and GPU orders closes over months, not within one
quarter."""

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
    for node, after in itertools.pairwise(body):
        if not (isinstance(node, ast.Assign) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            continue
        unit, _, source = " ".join(after.value.value.split()).partition("] ")
        for target in node.targets:
            names = [e.id for e in target.elts] if isinstance(target, ast.Tuple) else [target.id]
            rows.extend((n, getattr(module, n), unit.lstrip("["), source) for n in names)
    return rows


def main() -> None:
    """Print docs/coefficients.md: the coefficient table as Markdown."""
    print("# Coefficients\n")
    print("Every fixed economic number of the model, with its unit and where it comes from (a "
          "published\nfigure) or why it was chosen (an assumption). Generated from "
          "core/coefficients.py by\n`.venv/bin/python -m core.coefficients > docs/coefficients.md`;"
          " users change the model\nthrough its parameters (`.venv/bin/python -m experiments "
          "params`).\n")
    print("| coefficient | value | unit | source or assumption |")
    print("|---|---|---|---|")
    for name, value, unit, source in coefficient_table():
        print(f"| `{name}` | {value!r} | {unit} | {source} |")


if __name__ == "__main__":
    main()
