"""The one definition of a "crisis" used by every experiment (compare, sweep, crisis-map).

A run is a **crisis** if, in any quarter of the run, at least one of these happens:

1. **Credit event** -- the model reports a default (``defaults`` >= 1: an SPV, neocloud,
   lab, fund or bank could not meet its debt service and was liquidated, its lenders
   taking the loss).
2. **Banking stress** -- the weakest bank's capital ratio (``bank_capital_ratio_min``;
   ``bank_capital_ratio`` if the model has no per-bank minimum) falls below
   ``BANK_CAPITAL_FLOOR`` = 8%, the Basel minimum total capital ratio (the model's own
   lending requirement, ``bank_capital_requirement``, is 10% by default and is a
   parameter; breaching it stops new lending but is not by itself a crisis).
3. **Run on private credit** -- a private-credit fund gates redemptions
   (``gated_funds`` >= 1).

The bubble deflating is *not* by itself a crisis: ``bubble_index`` deflates in every
scenario as growth normalises (the model design notes that even the boom falls far from
its peak; the first running version falls ~90% from peak in all three scenarios), so a
"down by half from its peak" rule would call every run a crisis. The deflation is reported
as an extra column (``crash``: ``bubble_index`` at or below half its running peak) for
analysis, and ``max_drawdown`` gives its size.

The first quarter in which a condition holds is the crisis quarter. A column missing from
a frame counts as "condition never met" and is listed in ``attrs["crisis_columns_missing"]``.
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
    min_gated_funds: float = 1.0
    crash_drawdown: float = CRASH_DRAWDOWN
    defaults_column: str = "defaults"
    bank_columns: tuple[str, ...] = ("bank_capital_ratio_min", "bank_capital_ratio")
    gate_column: str = "gated_funds"
    bubble_column: str = "bubble_index"

    def bank_column(self, columns) -> str | None:
        """The first of ``bank_columns`` present in ``columns``."""
        return next((c for c in self.bank_columns if c in columns), None)

    def describe(self) -> str:
        """One-line plain-language statement of the rule."""
        return (
            f"crisis = in some quarter: {self.defaults_column} >= {self.min_defaults:g} "
            f"(a default), or the weakest bank's capital ratio "
            f"({self.bank_columns[0]}) < {self.bank_capital_floor:g}, or "
            f"{self.gate_column} >= {self.min_gated_funds:g} (a private-credit fund gates "
            f"redemptions); bubble_index deflation alone is not a crisis"
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
        (label or ""), the channels ``credit_event``, ``bank_stress``, ``fund_gate`` and
        the informative ``crash`` (deflation by half; not a crisis by itself) as bools,
        ``cumulative_defaults``, ``min_bank_capital_ratio``, ``peak_bubble_index`` and
        ``max_drawdown`` (fraction of the running peak lost, 0..1).
    """
    by = list(by or run_columns(df))
    if df.empty:
        return pd.DataFrame(columns=[*by, "crisis", "crisis_quarter"])
    d = df.reset_index(drop=True)
    n = len(d)
    bank_col = rule.bank_column(d.columns)
    missing = [c for c in (rule.defaults_column, bank_col or rule.bank_columns[0],
                           rule.gate_column, rule.bubble_column) if c not in d.columns]
    keys = [d[c] for c in by]

    def flag(column: str | None, fn) -> np.ndarray:
        if column is None or column not in d:
            return np.zeros(n, bool)
        return fn(d[column].to_numpy(float))

    defaults = (d[rule.defaults_column].fillna(0).to_numpy(float)
                if rule.defaults_column in d else np.zeros(n))
    bank = d[bank_col].to_numpy(float) if bank_col else np.full(n, np.nan)
    credit = flag(rule.defaults_column, lambda v: np.nan_to_num(v) >= rule.min_defaults)
    stress = flag(bank_col, lambda v: np.nan_to_num(v, nan=np.inf) < rule.bank_capital_floor)
    gate = flag(rule.gate_column, lambda v: np.nan_to_num(v) >= rule.min_gated_funds)
    if rule.bubble_column in d:
        bubble = d[rule.bubble_column].astype(float)
        peak = bubble.groupby(keys, sort=False, dropna=False).cummax().to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            drawdown = np.where(peak > 0, 1 - bubble.to_numpy() / peak, 0.0)
        drawdown = np.nan_to_num(drawdown, nan=0.0)
    else:
        drawdown = np.zeros(n)
    crash = drawdown >= rule.crash_drawdown
    flag_all = credit | stress | gate

    tmp = d[by].copy()
    tmp["_flag"], tmp["_credit"], tmp["_stress"] = flag_all, credit, stress
    tmp["_gate"], tmp["_crash"] = gate, crash
    tmp["_defaults"], tmp["_bank"], tmp["_drawdown"] = defaults, bank, drawdown
    tmp["_bubble"] = d[rule.bubble_column].to_numpy(float) if rule.bubble_column in d else np.nan
    tmp["_q"] = np.where(flag_all, d["quarter"].astype(str) if "quarter" in d else "", "")
    g = tmp.groupby(by, sort=False, dropna=False)
    out = g.agg(
        crisis=("_flag", "any"),
        credit_event=("_credit", "any"),
        bank_stress=("_stress", "any"),
        fund_gate=("_gate", "any"),
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
        by: grouping columns, e.g. ``["scenario"]`` or ``["revenue_2030", "herding"]``.
        rule: the crisis rule.
        runs: precomputed per-run table.

    Returns:
        DataFrame: ``by`` columns, ``runs``, ``crises``, ``crisis_probability`` and the
        per-channel shares ``p_credit_event``, ``p_bank_stress``, ``p_fund_gate``,
        ``p_crash`` (the last is informative: deflation alone is not a crisis).
    """
    runs = crisis_by_run(df, rule) if runs is None else runs
    g = runs.groupby(list(by), sort=True, dropna=False)
    out = g.agg(
        runs=("crisis", "size"),
        crises=("crisis", "sum"),
        crisis_probability=("crisis", "mean"),
        p_credit_event=("credit_event", "mean"),
        p_bank_stress=("bank_stress", "mean"),
        p_fund_gate=("fund_gate", "mean"),
        p_crash=("crash", "mean"),
    ).reset_index()
    out["crises"] = out["crises"].astype(int)
    out.attrs["crisis_definition"] = rule.describe()
    out.attrs["rule"] = asdict(rule)
    return out
