"""Per-run outcomes: the numbers the analyses read from a run's quarterly frame.

Used by ``sensitivity``, ``discover`` and ``response``:

=====================  =========================================================================
outcome                meaning
=====================  =========================================================================
``crisis``             1 if the run is a crisis under the project's rule (experiments/crisis.py)
``crisis_quarter``     label of the first crisis quarter ("" if none)
``losses``             final ``cumulative_losses`` (USD bn): every realised AI-related loss
``losses_<bearer>``    final ``losses_<bearer>`` per bearer type (hyperscaler, lab, ..., bank)
``first_default``      quarter index (0 = 2025Q1) of the first default; NaN if none
``first_default_quarter``  its label ("" if none)
``peak_bubble``        highest ``bubble_index`` of the run
``trough_bubble``      lowest ``bubble_index`` from the peak on (peak-to-trough)
``max_drawdown``       largest fall of ``bubble_index`` from its running peak (0..1)
``revenue_2025``       sum of ``ai_revenue`` over the first four quarters (USD bn)
``equity_drawdown``    final ``equity_drawdown`` (when the model reports that column)
=====================  =========================================================================

Batches store whole quarterly frames (any other tool can read them); the analyses load
only :func:`source_columns` and reduce them here, vectorised over every run at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from experiments.crisis import DEFAULT_RULE, crisis_by_run, run_columns

__all__ = ["OUTCOME_INFO", "numeric_outcomes", "outcomes_by_run", "source_columns"]

# name: (unit, one-line meaning); losses_<bearer> are added per bearer column found
OUTCOME_INFO: dict[str, tuple[str, str]] = {
    "crisis": ("0/1", "crisis (a default, a bank below 8% capital, or a fund gate); "
                      "its mean over seeds is the crisis probability"),
    "losses": ("USD bn", "final cumulative AI-related losses"),
    "first_default": ("quarter", "quarter index of the first default (0 = 2025Q1)"),
    "peak_bubble": ("index", "peak of bubble_index"),
    "trough_bubble": ("index", "lowest bubble_index from its peak on"),
    "max_drawdown": ("share", "largest fall of bubble_index from its running peak"),
    "revenue_2025": ("USD bn", "AI revenue over 2025 (first four quarters)"),
    "equity_drawdown": ("share", "final equity_drawdown (when the model reports it)"),
}
REVENUE_COLUMN = "ai_revenue"
BUBBLE_COLUMN = DEFAULT_RULE.bubble_column
LOSS_COLUMN = "cumulative_losses"
DRAWDOWN_COLUMN = "equity_drawdown"
QUARTERS_PER_YEAR = 4


def source_columns() -> list[str]:
    """The model columns the outcomes are computed from (to load a batch selectively)."""
    from model import MODEL_COLUMNS

    rule = DEFAULT_RULE
    wanted = {"quarter", rule.defaults_column, *rule.bank_columns, rule.gate_column,
              BUBBLE_COLUMN, LOSS_COLUMN, REVENUE_COLUMN, DRAWDOWN_COLUMN}
    return ["quarter", *(c for c in MODEL_COLUMNS if c in wanted or c.startswith("losses_"))]


def numeric_outcomes() -> list[str]:
    """Names of the numeric outcomes this model's frames yield (what can be analysed)."""
    from model import MODEL_COLUMNS

    sources = {"losses": LOSS_COLUMN, "peak_bubble": BUBBLE_COLUMN,
               "trough_bubble": BUBBLE_COLUMN, "max_drawdown": BUBBLE_COLUMN,
               "revenue_2025": REVENUE_COLUMN, "equity_drawdown": DRAWDOWN_COLUMN,
               "first_default": DEFAULT_RULE.defaults_column}
    names = [n for n in OUTCOME_INFO if sources.get(n, n) in {*MODEL_COLUMNS, "crisis"}]
    return names + [c for c in MODEL_COLUMNS if c.startswith("losses_")]


def outcomes_by_run(df: pd.DataFrame, by: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per run of a batch frame with the outcomes listed in the module docstring.

    Args:
        df: a batch frame (``run_batch`` / ``load_results``), rows in quarter order per run.
        by: columns identifying a run (default: everything before ``quarter``).

    Returns:
        The ``by`` columns, then ``crisis`` (float 0/1), ``crisis_quarter``, ``losses``,
        ``losses_<bearer>``, ``first_default``, ``first_default_quarter``, ``peak_bubble``,
        ``trough_bubble``, ``max_drawdown``, ``revenue_2025`` and ``equity_drawdown`` when
        the frame has the column it comes from.
    """
    by = list(by or run_columns(df))
    d = df.reset_index(drop=True)
    runs = crisis_by_run(d, by=by)           # same grouping (sort=False): rows line up
    keys = [d[c] for c in by]
    t = d.groupby(keys, sort=False, dropna=False).cumcount()
    cols: dict[str, pd.Series] = {}          # (per-quarter column, per-run aggregation)
    how: dict[str, str] = {}
    if LOSS_COLUMN in d:
        cols["losses"], how["losses"] = d[LOSS_COLUMN], "last"
    for col in d.columns:
        if col.startswith("losses_"):
            cols[col], how[col] = d[col], "last"
    if DEFAULT_RULE.defaults_column in d:
        hit = d[DEFAULT_RULE.defaults_column].fillna(0).to_numpy(float) >= \
            DEFAULT_RULE.min_defaults
        labels = d["quarter"].astype(str) if "quarter" in d else t.astype(str)
        cols["first_default"], how["first_default"] = t.where(hit).astype(float), "min"
        cols["first_default_quarter"] = labels.where(hit)
        how["first_default_quarter"] = "first"
    if BUBBLE_COLUMN in d:
        bubble = d[BUBBLE_COLUMN].astype(float)
        peak_at = bubble.groupby(keys, sort=False, dropna=False).transform("idxmax")
        cols["peak_bubble"], how["peak_bubble"] = bubble, "max"
        cols["trough_bubble"] = bubble.where(d.index >= peak_at)
        how["trough_bubble"] = "min"
    if REVENUE_COLUMN in d:
        cols["revenue_2025"] = d[REVENUE_COLUMN].where(t < QUARTERS_PER_YEAR)
        how["revenue_2025"] = "sum"
    if DRAWDOWN_COLUMN in d:
        cols[DRAWDOWN_COLUMN], how[DRAWDOWN_COLUMN] = d[DRAWDOWN_COLUMN], "last"
    agg = pd.DataFrame(cols).groupby(keys, sort=False, dropna=False).agg(how)
    out = runs[by].copy()
    out["crisis"] = runs["crisis"].astype(float).to_numpy()
    out["crisis_quarter"] = runs["crisis_quarter"].to_numpy()
    for name in agg.columns:
        out[name] = agg[name].to_numpy()
    if "first_default_quarter" in out:
        out["first_default_quarter"] = out["first_default_quarter"].fillna("").astype(str)
    if "peak_bubble" in out:
        out["max_drawdown"] = runs["max_drawdown"].to_numpy()
    return out.reset_index(drop=True)
