"""How circular AI financing is: the loop of firms whose money comes back to them.

Nvidia invests in OpenAI, OpenAI pays Oracle and Microsoft for compute, they buy Nvidia's
GPUs: money goes round a loop of firms, and the loop needs money from outside it to keep going.
:func:`circularity` measures that loop from the ledger's payments by (payer, payee, kind).
The definitions (docs/model.md, "Circularity"):

**Payment network.** The nodes are the firms (every account whose owner is not the outside
sector). There is an edge from firm *i* to firm *j* when *i* paid *j*, over the network's
window, any of the kinds that make the vendor-financing loop (``LOOP_KINDS``): new equity
(``equity_issue``, the investor pays the issuer), new loans and bonds (``lending``, the lender
pays the borrower), compute (``compute``), capacity guarantees called (``backstop``), chips
(``gpu_purchase``) and data-centre rent (``lease_rent``). Edges follow the money, so a cycle is
money that leaves a firm and comes back to it. Interest, principal and dividends are left out:
they service or reward claims made earlier and would put every lender in the loop. The model
takes the network over the last four quarters, because a loop closes over months (a
chipmaker's stake is paid in one quarter, the compute and chips it buys over the next ones).

**Pass-through pools.** An account that only passes payments on (the spot-compute clearing
house) is not a counterparty: each payee's receipts of a kind from the pool are attributed to
the pool's payers of that kind in proportion to what they paid in, so a lab that pays the pool
is seen paying the providers. What a pool pays beyond its receipts stays a payment from the
outside sector, what it keeps stays a payment to it.

**Circular core.** The largest strongly connected component of the payment network with at
least two firms: the biggest set of firms in which money paid by any one of them can reach
every other one and come back. Ties in size go to the component with more money on its
internal edges. Without a cycle the core is empty.

**Core revenue share.** The core's revenue *R* is what the core firms received in the quarter
of the revenue kinds (``REVENUE_KINDS``: ``ai_revenue`` from end customers, ``compute``,
``backstop``, ``gpu_purchase``, ``lease_rent``); *R_in* is the part paid by other core firms.
The share *R_in / R* is the fraction of the loop's sales that is the loop's own money coming
back around (zero without a core or without revenue). Hyperscalers' non-AI revenue is not AI
revenue and is left out.

**Outside money.** ``outside_money = (R - R_in) + F_out``: the revenue the core firms received
in the quarter from payers outside the core (end customers, non-core firms) plus the new
financing they received from outside it (*F_out*: ``equity_issue`` and ``lending`` paid by
outside-sector investors or by non-core firms such as private-credit funds and banks). It is
the money that has to enter the loop each quarter to keep it current. New financing between
core firms (*F_in*, such as a chipmaker's stake in a lab) is vendor financing that circulates;
it is reported apart and not counted as outside money.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

# payments that carry money round the loop: the edges of the payment network
LOOP_KINDS = frozenset({"equity_issue", "lending", "compute", "backstop", "gpu_purchase",
                        "lease_rent"})
# what a firm sells: its AI revenue, from end customers or from other firms
REVENUE_KINDS = frozenset({"ai_revenue", "compute", "backstop", "gpu_purchase", "lease_rent"})
# new claims on a firm: shares and loans
FINANCING_KINDS = frozenset({"equity_issue", "lending"})
MEASURED_KINDS = REVENUE_KINDS | FINANCING_KINDS
OUTSIDE_ROLE = "outside"

Flows = Mapping[tuple[int, int, str], float]     # (payer account, payee account, kind) -> USD bn
Network = Mapping[tuple[int, int], float]        # (payer account, payee account) -> USD bn


class Owner(Protocol):
    """What the measure needs of an account's owner."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Circularity:
    """The circular core and the money that keeps it going (USD bn in the quarter)."""

    core: tuple[str, ...] = ()        # names of the core firms, sorted
    revenue: float = 0.0              # R: the core firms' revenue
    revenue_inside: float = 0.0       # R_in: the part paid by other core firms
    financing_inside: float = 0.0     # F_in: new equity and loans between core firms
    financing_outside: float = 0.0    # F_out: new equity and loans from outside the core

    @property
    def size(self) -> int:
        """Number of firms in the core (0, or 2 and more)."""
        return len(self.core)

    @property
    def revenue_share(self) -> float:
        """R_in / R: the share of the core's revenue that comes back around the loop."""
        return self.revenue_inside / self.revenue if self.revenue > 0.0 else 0.0

    @property
    def outside_money(self) -> float:
        """(R - R_in) + F_out: revenue and new financing from outside the core."""
        return self.revenue - self.revenue_inside + self.financing_outside


def circularity(flows: Flows, owners: Sequence[Owner],
                window: Sequence[Network] = ()) -> Circularity:
    """Measure the circular core and the money flowing into it.

    Args:
        flows: the quarter's payments by (payer account, payee account, kind), pass-through
            pools already routed (:func:`measured_flows`).
        owners: the owner of each account, indexed by account number.
        window: the firm-to-firm payment networks (:func:`payment_network`) of the quarters
            whose payments define the core; by default the network of ``flows`` alone.

    Returns:
        The core's members, revenue and financing (module docstring for the definitions).
    """
    members = _largest_cycle(window or (payment_network(flows, owners),))
    if not members:
        return Circularity()
    revenue = revenue_inside = financing_inside = financing_outside = 0.0
    for (payer, payee, kind), amount in flows.items():
        if payee not in members or payer == payee:
            continue
        inside = payer in members
        if kind in REVENUE_KINDS:
            revenue += amount
            if inside:
                revenue_inside += amount
        elif kind in FINANCING_KINDS:
            if inside:
                financing_inside += amount
            else:
                financing_outside += amount
    return Circularity(tuple(sorted(owners[i].name for i in members)), revenue,
                       revenue_inside, financing_inside, financing_outside)


def payment_network(flows: Flows, owners: Sequence[Owner]) -> dict[tuple[int, int], float]:
    """Firm-to-firm payments of the loop kinds, summed over kinds."""
    firm = [owner.role != OUTSIDE_ROLE for owner in owners]
    network: dict[tuple[int, int], float] = {}
    for (payer, payee, kind), amount in flows.items():
        if kind in LOOP_KINDS and firm[payer] and firm[payee] and payer != payee and amount > 0:
            edge = payer, payee
            network[edge] = network.get(edge, 0.0) + amount
    return network


def measured_flows(pairs: Flows, pass_through: Collection[int] = ()
                   ) -> dict[tuple[int, int, str], float]:
    """The payments of the measured kinds, with pass-through pools routed pro rata.

    A pool's payers are seen paying its payees, kind by kind, in proportion to what they paid
    in; what a pool pays beyond its receipts, or keeps, stays its own payment.
    """
    flows = {key: amount for key, amount in pairs.items()
             if key[2] in MEASURED_KINDS and amount > 0.0}
    pooled = [key for key in flows if key[0] in pass_through or key[1] in pass_through]
    if not pooled:
        return flows
    into: defaultdict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    out_of: defaultdict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    for key in pooled:
        payer, payee, kind = key
        if payee in pass_through and payer not in pass_through:
            into[payee, kind][payer] = flows.pop(key)
        elif payer in pass_through and payee not in pass_through:
            out_of[payer, kind][payee] = flows.pop(key)
        # a payment from one pool to another stays as it is
    for (pool, kind), payees in out_of.items():
        payers = into.pop((pool, kind), {})
        paid_in, paid_out = sum(payers.values()), sum(payees.values())
        passed = min(paid_in, paid_out)          # what the pool passed on
        scale = passed / paid_out / paid_in if payers else 0.0
        for payee, amount in payees.items():
            for payer, paid in payers.items():
                key = payer, payee, kind
                flows[key] = flows.get(key, 0.0) + amount * paid * scale
            if paid_out > passed:                # paid out of the pool's own money
                _add(flows, (pool, payee, kind), amount * (1.0 - passed / paid_out))
        if paid_in > passed:                     # kept by the pool
            for payer, paid in payers.items():
                _add(flows, (payer, pool, kind), paid * (1.0 - passed / paid_in))
    for (pool, kind), payers in into.items():    # paid in, nothing paid out
        for payer, paid in payers.items():
            _add(flows, (payer, pool, kind), paid)
    return flows


def _add(flows: dict[tuple[int, int, str], float], key: tuple[int, int, str],
         amount: float) -> None:
    flows[key] = flows.get(key, 0.0) + amount


def _largest_cycle(window: Sequence[Network]) -> frozenset[int]:
    """Accounts of the largest strongly connected component with two or more members.

    Ties in size go to the component with more money on its internal edges over the window;
    empty if no firm is on a cycle.
    """
    edges: set[tuple[int, int]] = set().union(*window)
    # only a firm that both pays and is paid inside the network can be on a cycle: peel off
    # the others (lenders, investors, end points) before the components search
    alive = {i for i, _ in edges} & {j for _, j in edges}
    while True:
        edges = {edge for edge in edges if edge[0] in alive and edge[1] in alive}
        still = {i for i, _ in edges} & {j for _, j in edges}
        if still == alive:
            break
        alive = still
    if not edges:
        return frozenset()
    loops = _strong_components(frozenset(edges))
    if not loops:
        return frozenset()
    largest = max(len(group) for group in loops)
    tied = [group for group in loops if len(group) == largest]
    if len(tied) > 1:                 # more money on its internal edges, then the first
        tied.sort(key=lambda group: -_internal_flow(group, window))
    return tied[0]


@lru_cache(maxsize=256)
def _strong_components(edges: frozenset[tuple[int, int]]) -> tuple[frozenset[int], ...]:
    """The strongly connected components with two or more members of a directed graph.

    Cached: the network changes little from one quarter to the next, and a run asks for the
    same graph again about every other quarter.
    """
    nodes = sorted({account for edge in edges for account in edge})
    index = {account: k for k, account in enumerate(nodes)}
    pairs = np.array(sorted((index[i], index[j]) for i, j in edges), dtype=np.int32)
    n = len(nodes)
    # CSR by hand (rows sorted): cheaper than building it from (row, col) pairs
    graph = csr_matrix((np.ones(len(pairs)), pairs[:, 1].copy(),
                        np.searchsorted(pairs[:, 0], np.arange(n + 1)).astype(np.int32)),
                       shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    members: defaultdict[int, list[int]] = defaultdict(list)
    for k, label in enumerate(labels.tolist()):
        members[label].append(nodes[k])
    return tuple(frozenset(group) for group in members.values() if len(group) >= 2)


def _internal_flow(group: frozenset[int], window: Sequence[Network]) -> float:
    """Money paid between members of ``group`` over the window."""
    return sum(amount for network in window for (i, j), amount in network.items()
               if i in group and j in group)


def describe_change(before: tuple[str, ...], after: Circularity, *, most: int = 12) -> str:
    """One sentence for the event log on how the circular core changed.

    Lists are cut at ``most`` names, so that the sentence still reads for a large roster.
    """
    share = f"{after.revenue_share:.0%} of their revenue comes back around the loop"
    if not after.core:
        return "The circular core breaks up: no money goes round a loop of firms any more"
    if not before:
        return (f"Money goes round a loop: the circular core is {_names(after.core, most)} "
                f"({after.size} firms); {share}")
    joined = tuple(n for n in after.core if n not in before)
    left = tuple(n for n in before if n not in after.core)
    parts = []
    if joined:
        parts.append(f"{_names(joined, most)} {'joins' if len(joined) == 1 else 'join'} "
                     "the circular core")
    if left:
        parts.append(f"{_names(left, most)} {'leaves' if len(left) == 1 else 'leave'}"
                     + ("" if joined else " the circular core"))
    return f"{', '.join(parts)}: now {after.size} firms; {share}"


def _names(names: tuple[str, ...], most: int) -> str:
    """'A, B and C', or 'A, B and 5 more' beyond ``most`` names."""
    if len(names) > most:
        return f"{', '.join(names[:most - 1])} and {len(names) - most + 1} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
