"""The one definition of a "crisis" used by every experiment (compare, sweep, crisis-map).

A run is a **crisis** if, in any quarter of the run, at least one of these happens:

1. **Credit event** -- the model reports a default (``defaults`` > 0: an SPV, neocloud,
   lab, fund or bank failing to meet debt service and being restructured).
2. **Banking stress** -- the banks' capital ratio (``bank_capital_ratio``) falls below
   ``BANK_CAPITAL_FLOOR`` (8%, the Basel minimum total capital ratio).
3. **Bubble crash** -- ``bubble_index`` falls to at most ``1 - CRASH_DRAWDOWN`` (half) of
   its running peak *while* a credit event or banking stress has already happened or
   happens in the same quarter. (The bubble index deflates in every scenario as growth
   normalises -- the model design notes that even the boom falls far from its peak -- so a
   deflation alone does not mark a bust.)

The first quarter in which a condition holds is the crisis quarter. Columns missing from
a frame are treated as "condition never met" (and listed in ``crisis_columns_missing``).
Change the rule in exactly one place: :data:`DEFAULT_RULE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BANK_CAPITAL_FLOOR",
    "CRASH_DRAWDOWN",
    "CRISIS_DEFINITION",
    "DEFAULT_RULE",
    "CrisisRule",
    "crisis_by_run",
    "crisis_probability",
    "run_columns",
]

BANK_CAPITAL_FLOOR = 0.08
CRASH_DRAWDOWN = 0.5


@dataclass(frozen=True)
class CrisisRule:
    """Thresholds of the crisis definition (see the module docstring)."""

    min_defaults: float = 1.0
    bank_capital_floor: float = BANK_CAPITAL_FLOOR
    crash_drawdown: float = CRASH_DRAWDOWN
    defaults_column: str = "defaults"
    bank_column: str = "bank_capital_ratio"
    bubble_column: str = "bubble_index"

    def describe(self) -> str:
        """One-line plain-language statement of the rule."""
        return (
            f"crisis = in some quarter: {self.defaults_column} >= {self.min_defaults:g} "
            f"(a default), or {self.bank_column} < {self.bank_capital_floor:g}, or "
            f"{self.bubble_column} <= {1 - self.crash_drawdown:g} x its running peak "
            f"together with a default or bank stress"
        )


DEFAULT_RULE = CrisisRule()
CRISIS_DEFINITION = DEFAULT_RULE.describe()


def run_columns(df: pd.DataFrame) -> list[str]:
    """Columns that identify a run: everything before ``quarter`` (scenario, seed, overrides)."""
    cols = list(df.columns)
    if "quarter" in cols:
        return cols[: cols.index("quarter")]
    return [c for c in ("scenario", "seed") if c in cols]


def crisis_by_run(df: pd.DataFrame, rule: CrisisRule = DEFAULT_RULE,
                  by: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per run: whether it is a crisis, when, and through which channel.

    Args:
        df: a batch frame (``run_batch`` / ``load_results``), rows in quarter order per run.
        rule: thresholds; the default is the project's definition.
        by: columns identifying a run (default: :func:`run_columns`).

    Returns:
        DataFrame with the ``by`` columns and ``crisis`` (bool), ``crisis_quarter``
        (label or ""), ``credit_event``, ``bank_stress``, ``crash`` (bools),
        ``cumulative_defaults``, ``min_bank_capital_ratio``, ``peak_bubble_index`` and
        ``max_drawdown`` (fraction of the running peak lost, 0..1).
    """
    by = list(by or run_columns(df))
    if df.empty:
        return pd.DataFrame(columns=[*by, "crisis", "crisis_quarter"])
    d = df.reset_index(drop=True)
    g = d.groupby(by, sort=False, dropna=False)
    n = len(d)
    missing = [c for c in (rule.defaults_column, rule.bank_column, rule.bubble_column)
               if c not in d.columns]

    if rule.defaults_column in d:
        defaults = d[rule.defaults_column].fillna(0).to_numpy(float)
        credit = defaults >= rule.min_defaults
    else:
        defaults = np.zeros(n)
        credit = np.zeros(n, bool)
    if rule.bank_column in d:
        bank = d[rule.bank_column].to_numpy(float)
        stress = np.nan_to_num(bank, nan=np.inf) < rule.bank_capital_floor
    else:
        bank = np.full(n, np.nan)
        stress = np.zeros(n, bool)
    if rule.bubble_column in d:
        bubble = d[rule.bubble_column].astype(float)
        peak = bubble.groupby([d[c] for c in by], sort=False, dropna=False).cummax()
        with np.errstate(divide="ignore", invalid="ignore"):
            drawdown = np.where(peak.to_numpy() > 0, 1 - bubble.to_numpy() / peak.to_numpy(), 0)
        drawdown = np.nan_to_num(drawdown, nan=0.0)
        deflated = drawdown >= rule.crash_drawdown
    else:
        drawdown = np.zeros(n)
        deflated = np.zeros(n, bool)
    stressed_so_far = (pd.Series(credit | stress).groupby([d[c] for c in by], sort=False,
                                                          dropna=False).cummax().to_numpy())
    crash = deflated & stressed_so_far
    flag = credit | stress | crash

    tmp = d[by].copy()
    tmp["_flag"], tmp["_credit"], tmp["_stress"], tmp["_crash"] = flag, credit, stress, crash
    tmp["_defaults"], tmp["_bank"], tmp["_drawdown"] = defaults, bank, drawdown
    tmp["_bubble"] = d[rule.bubble_column].to_numpy(float) if rule.bubble_column in d else np.nan
    tmp["_q"] = np.where(flag, d["quarter"].astype(str) if "quarter" in d else "", "")
    g = tmp.groupby(by, sort=False, dropna=False)
    out = g.agg(
        crisis=("_flag", "any"),
        credit_event=("_credit", "any"),
        bank_stress=("_stress", "any"),
        crash=("_crash", "any"),
        cumulative_defaults=("_defaults", "sum"),
        min_bank_capital_ratio=("_bank", "min"),
        peak_bubble_index=("_bubble", "max"),
        max_drawdown=("_drawdown", "max"),
    )
    first = tmp[tmp["_flag"]].groupby(by, sort=False, dropna=False)["_q"].first()
    out["crisis_quarter"] = first.reindex(out.index).fillna("").astype(str)
    out = out.reset_index()
    out.attrs["crisis_definition"] = rule.describe()
    out.attrs["crisis_columns_missing"] = missing
    return out


def crisis_probability(df: pd.DataFrame, by: Sequence[str], rule: CrisisRule = DEFAULT_RULE,
                       runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of runs (seeds) in crisis per group (e.g. per scenario or grid point).

    Args:
        df: a batch frame; ignored if ``runs`` (the output of :func:`crisis_by_run`) is given.
        by: grouping columns, e.g. ``["scenario"]`` or ``["revenue_ceiling", "herding"]``.
        rule: the crisis rule.
        runs: precomputed per-run table.

    Returns:
        DataFrame: ``by`` columns, ``runs``, ``crises``, ``crisis_probability`` and the
        per-channel shares ``p_credit_event``, ``p_bank_stress``, ``p_crash``.
    """
    runs = crisis_by_run(df, rule) if runs is None else runs
    g = runs.groupby(list(by), sort=True, dropna=False)
    out = g.agg(
        runs=("crisis", "size"),
        crises=("crisis", "sum"),
        crisis_probability=("crisis", "mean"),
        p_credit_event=("credit_event", "mean"),
        p_bank_stress=("bank_stress", "mean"),
        p_crash=("crash", "mean"),
    ).reset_index()
    out["crises"] = out["crises"].astype(int)
    out.attrs["crisis_definition"] = rule.describe()
    out.attrs["rule"] = asdict(rule)
    return out
