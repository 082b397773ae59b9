"""Synthetic rosters for scale studies: N agents per role drawn around the calibrated ones.

Each calibrated firm of a role is cloned round-robin into ``n`` agents whose sizes are the
calibrated role total divided by ``n`` times a lognormal factor, so totals stay near the
calibrated economy while the number of agents and contracts grows.
"""

from __future__ import annotations

import copy

import numpy as np

SIZE_KEYS = ("cash", "bonds", "finance_leases", "book_equity", "dc_assets", "non_ai_ocf", "payout",
             "gpu_loans", "aum", "line_drawn", "line_limit", "equity", "other_loans",
             "fixed_opex")
SHARE_KEYS = ("cloud_share", "capex_share", "revenue_share", "market_share")
ROLES = ("hyperscalers", "labs", "neoclouds", "chipmakers", "funds", "banks")


def synthetic_roster(data: dict, n: int, rng: np.random.Generator) -> dict:
    """Return a copy of the roster with ``n`` agents per role (named "<firm> #k")."""
    out = copy.deepcopy(data)
    first: dict[str, str] = {}      # each calibrated firm -> the clone that takes its deals
    for role in ROLES:
        originals = list(data[role].items())
        clones: dict[str, dict] = {}
        factors = rng.lognormal(0.0, 0.3, size=n)
        factors *= n / factors.sum()
        for k in range(n):
            base_name, spec = originals[k % len(originals)]
            clone = dict(spec)
            scale = factors[k] * len(originals) / n
            for key in (*SIZE_KEYS, *SHARE_KEYS):
                if key in clone:
                    clone[key] = spec[key] * scale
            clone_name = f"{base_name} #{k + 1}"
            clones[clone_name] = clone
            first.setdefault(base_name, clone_name)
        for key in SHARE_KEYS:           # shares of a market still add up to the original
            total = sum(spec.get(key, 0.0) for _, spec in originals)
            drawn = sum(c.get(key, 0.0) for c in clones.values())
            if drawn > 0:
                for c in clones.values():
                    if key in c:
                        c[key] *= total / drawn
        names = list(clones)
        for i, (base_name, _) in enumerate(originals):
            # with fewer clones than firms, a missing firm's deals go to another clone
            first.setdefault(base_name, names[i % n])
        out[role] = clones
    return _rename_references(out, first)


def _rename_references(out: dict, first: dict[str, str]) -> dict:
    """Point the deals of the calibrated roster at the clone that stands for each firm."""

    def ren(x):
        return first.get(x, x) if isinstance(x, str) else x

    for spv in out["spvs"]:
        spv["sponsor"] = ren(spv["sponsor"])
        spv["equity"] = [[ren(h), a] for h, a in spv["equity"]]
        spv["lenders"] = [[ren(h), a, k] for h, a, k in spv["lenders"]]
    for c in out["compute_contracts"]:
        c["buyer"], c["provider"] = ren(c["buyer"]), ren(c["provider"])
    out["backstop"]["guarantor"] = ren(out["backstop"]["guarantor"])
    out["backstop"]["beneficiary"] = ren(out["backstop"]["beneficiary"])
    out["stakes"] = [[ren(h), ren(i), f] for h, i, f in out["stakes"]]
    out["warrant"]["issuer"] = ren(out["warrant"]["issuer"])
    out["warrant"]["holder"] = ren(out["warrant"]["holder"])
    out["rounds"] = [[ren(lab), q, a, [[ren(i), s] for i, s in inv]]
                     for lab, q, a, inv in out["rounds"]]
    for spec in out["neoclouds"].values():
        spec["lenders"] = [[ren(h), s] for h, s in spec["lenders"]]
    for spec in out["funds"].values():
        spec["line_bank"] = ren(spec["line_bank"])
    return out
