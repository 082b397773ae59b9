"""Fire sales: turning GPUs, data centres, equity stakes and loans into cash at a discount.

A seller in a hurry sells to outside distressed-asset buyers below the assets' marks, and its
sales depress the market it sells into (used GPUs, loans). Used by agents that need cash
(a fund meeting redemptions) and by the distress phase (the chain before default).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from core.coefficients import (
    CAPACITY_DISCOUNT,
    EXPECTED_LOSS,
    FIRE_SALE_NEWS,
    LOAN_DISCOUNT,
    LOAN_MARKET_DEPTH,
    PRICE_IMPACT,
    STAKE_DISCOUNT,
)
from core.contracts import Backstop, ComputeContract, EquityStake, Lease, Loan, Warrant
from core.finance import EPS
from core.lolr import borrow_from_lolr
from core.news import fmt_bn

if TYPE_CHECKING:
    from core.protocol import Agent, Economy

FINANCIALS = ("fund", "bank")


def sell_capacity(m: Economy, seller: Agent, wanted: float | None = None,
                  *, announce: bool = True) -> float:
    """Sell GPUs and data centres to secondary-market operators: all, or enough to raise
    ``wanted``. The capacity stays in the market with its new owner, at the price paid.
    """
    book = seller.gpu_book + seller.building_book
    if book <= EPS or seller is m.secondary:
        return 0.0
    price = m.market_value_of_capacity(seller) * (1.0 - CAPACITY_DISCOUNT)
    if price <= EPS:
        share = 1.0 if wanted is None else 0.0
    else:
        share = 1.0 if wanted is None or price <= wanted else wanted / price
    if share <= 0.0:
        return 0.0
    proceeds, book_sold = price * share, book * share
    gw_sold = (seller.capacity_gw + seller.pipeline_gw) * share
    m.secondary.buy_capacity_from(seller, share, proceeds)
    keep = 1.0 - share
    seller.gpu_book *= keep
    seller.building_book *= keep
    seller.gpu_market *= keep
    seller.capacity_gw *= keep
    seller.awaiting_power *= keep
    seller.pipeline = [(when, gw * keep) for when, gw in seller.pipeline] if keep > 0 else []
    book_result(seller, proceeds - book_sold)
    if m.market.capacity_total > EPS and gw_sold > EPS:
        m.market.fire_sale_factor *= math.exp(-PRICE_IMPACT * gw_sold / m.market.capacity_total)
    if announce and proceeds >= FIRE_SALE_NEWS:
        m.log(f"{seller.name} sells {gw_sold:.2f} GW of GPUs and data centres for "
              f"{fmt_bn(proceeds)} (book value {fmt_bn(book_sold)})", "fire_sale", seller)
    return proceeds


def book_result(seller: Agent, result: float) -> None:
    """A sale below book is a realised fire-sale loss; above book, a gain."""
    if result < 0.0:
        seller.realise_loss(-result, "fire-sale discount", "fire_sale")
    elif result > 0.0:
        seller.revalue(result, "asset_gain")


def sell_stakes(m: Economy, seller: Agent) -> float:
    """Sell every equity stake and warrant the agent holds, at a discount to their marks."""
    return sum(_sell_to_distressed_investors(m, seller, c, c.value() * (1.0 - STAKE_DISCOUNT))
               for c in [c for c in seller.held if isinstance(c, EquityStake | Warrant)])


def _sell_to_distressed_investors(m: Economy, seller: Agent, c, price: float) -> float:
    """Hand a claim to distressed-asset buyers for ``price``; the gap to its value is the
    seller's gain or loss. Returns the price.
    """
    value = c.value()
    m.book.transfer_holder(c, m.distressed_investors)
    if price > EPS:
        m.ledger.transfer(m.distressed_investors, seller, price, "asset_sale")
    book_result(seller, price - value)
    return price


def sell_loans(m: Economy, seller: Agent, wanted: float | None = None,
               exclude: frozenset = frozenset()) -> float:
    """Sell loans to distressed-debt investors below par: all, or enough to raise ``wanted``.

    The soundest loans go first and at most one loan is split. Loans to agents in
    ``exclude`` (defaulters being cleared) stay with the seller.
    """
    loans = sorted((c for c in seller.held if isinstance(c, Loan) and c.value() > EPS
                    and c.issuer not in exclude and c.issuer is not m.distressed_investors),
                   key=lambda c: (EXPECTED_LOSS[c.issuer.status], -c.value()))
    raised = 0.0
    for loan in loans:
        if wanted is not None and raised >= wanted - EPS:
            break
        # price impact: the more loans are sold this quarter, the deeper the discount
        discount = min(0.9, LOAN_DISCOUNT * (1.0 + m.market.loans_sold / LOAN_MARKET_DEPTH))
        price_rate = (1.0 - EXPECTED_LOSS[loan.issuer.status]) * (1.0 - discount)
        price = loan.value() * price_rate
        part = loan
        if wanted is not None and price > wanted - raised:
            part = m.book.split(loan, (wanted - raised) / price)
        value = part.value()
        proceeds = value * price_rate
        m.book.transfer_holder(part, m.distressed_investors)
        m.ledger.transfer(m.distressed_investors, seller, proceeds, "asset_sale")
        book_result(seller, proceeds - value)
        m.market.loans_sold += value
        raised += proceeds
    if raised > EPS and seller.role in FINANCIALS:
        m.log(f"{seller.name} sells {fmt_bn(raised)} of loans at a discount to raise cash",
              "fire_sale", seller)
    return raised


def sell_receivables(m: Economy, seller: Agent, exclude: frozenset = frozenset()) -> float:
    """Sell the unpaid rent and compute bills others owe the seller to distressed-debt
    investors, at the loan discount (a liquidation leaves no claim behind); the contracts
    themselves end.
    """
    raised = 0.0
    for c in [c for c in seller.held if isinstance(c, Lease | ComputeContract | Backstop)
              and c.arrears > EPS and c.issuer not in exclude]:
        c.end = min(c.end, m.t - 1)
        price = c.arrears * (1.0 - EXPECTED_LOSS[c.issuer.status]) * (1.0 - LOAN_DISCOUNT)
        raised += _sell_to_distressed_investors(m, seller, c, price)
    return raised


def raise_liquidity(m: Economy, agent: Agent, needed: float) -> None:
    """The distress chain before default: lines, then stakes, loans and real assets."""
    if needed <= EPS or agent.role == "abs":
        return
    if agent.role == "spv":
        # a vehicle's assets are its lenders' collateral: they let it sell them only if the
        # sale repays them in full (an orderly wind-down instead of a default)
        price = m.market_value_of_capacity(agent) * (1.0 - CAPACITY_DISCOUNT)
        if agent.cash + price >= agent.debt - EPS and price > EPS:
            sell_capacity(m, agent)
            agent.repay_all_debt()
        return
    agent.draw_line(needed - agent.cash)
    if agent.cash < needed:
        borrow_from_lolr(m, agent, needed - agent.cash)
    if agent.cash < needed:
        sell_stakes(m, agent)
    if agent.cash < needed:
        sell_loans(m, agent, needed - agent.cash)
    if agent.cash < needed:
        sell_capacity(m, agent, needed - agent.cash)
