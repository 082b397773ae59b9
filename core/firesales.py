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
from core.contracts import CreditLine, EquityStake, Loan, Warrant
from core.finance import EPS

if TYPE_CHECKING:
    from core.protocol import Agent, Economy

FINANCIALS = ("fund", "bank")


def sell_capacity(m: Economy, seller: Agent, wanted: float | None = None,
                  *, announce: bool = True) -> float:
    """Sell GPUs and data centres to outside buyers; all of them, or enough to raise ``wanted``."""
    book = seller.gpu_book + seller.building_book
    if book <= EPS:
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
    keep = 1.0 - share
    seller.gpu_book *= keep
    seller.building_book *= keep
    seller.gpu_market *= keep
    seller.capacity_gw *= keep
    seller.pipeline = [(when, gw * keep) for when, gw in seller.pipeline] if keep > 0 else []
    if proceeds > EPS:
        m.ledger.transfer(m.distressed_investors, seller, proceeds, "asset_sale")
    seller.revalue(proceeds - book_sold, "fire_sale")
    m.record_loss(seller, "fire-sale discount", book_sold - proceeds)
    if m.market.capacity_total > EPS and gw_sold > EPS:
        m.market.fire_sale_factor *= math.exp(-PRICE_IMPACT * gw_sold / m.market.capacity_total)
    if announce and proceeds >= FIRE_SALE_NEWS:
        m.log(f"{seller.name} sells {gw_sold:.2f} GW of GPUs and data centres for "
              f"{proceeds:.1f}B (book value {book_sold:.1f}B)", "fire_sale", seller)
    return proceeds


def sell_stakes(m: Economy, seller: Agent) -> float:
    """Sell every equity stake and warrant the agent holds, at a discount to their marks."""
    raised = 0.0
    for c in [c for c in seller.held if isinstance(c, EquityStake | Warrant)]:
        mark = c.value()
        proceeds = mark * (1.0 - STAKE_DISCOUNT)
        m.book.transfer_holder(c, m.distressed_investors)
        if proceeds > EPS:
            m.ledger.transfer(m.distressed_investors, seller, proceeds, "asset_sale")
        seller.revalue(proceeds - mark, "fire_sale")
        m.record_loss(seller, "fire-sale discount", mark - proceeds)
        raised += proceeds
    return raised


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
        seller.revalue(proceeds - value, "fire_sale")
        m.record_loss(seller, "fire-sale discount", value - proceeds)
        m.market.loans_sold += value
        raised += proceeds
    if raised > EPS and seller.role in FINANCIALS:
        m.log(f"{seller.name} sells {raised:.1f}B of loans at a discount to raise cash",
              "fire_sale", seller)
    return raised


def raise_liquidity(m: Economy, agent: Agent, needed: float) -> None:
    """The distress chain before default: lines, then stakes, loans and real assets."""
    if needed <= EPS or agent.role in ("spv", "abs"):
        return          # a vehicle's assets are its lenders' collateral: it has only its cash
    line = getattr(agent, "line", None)
    if isinstance(line, CreditLine):
        agent.draw_line(needed - agent.cash)
    if agent.cash < needed:
        sell_stakes(m, agent)
    if agent.cash < needed:
        sell_loans(m, agent, needed - agent.cash)
    if agent.cash < needed:
        sell_capacity(m, agent, needed - agent.cash)
