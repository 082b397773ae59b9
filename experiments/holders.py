"""``python -m experiments holders``: whose savings bear the losses, as a share of what they own.

Runs a scenario (default ``bust``) over many seeds and reads, at the end of each run, the
realised AI-related losses of each holder sector: the investors behind private credit
(insurers, pension funds, retail investors in semi-liquid funds and non-traded BDCs, other
institutional LPs), households (deposits, retail fund holdings, pensions and insurance
policies together), banks, and the outside investors in bonds and equity. Each sector's loss
is also read as a share of its total financial assets (insurers ~9.1T, pension funds ~13T,
households ~120T, other institutions ~10T: Fed Financial Accounts Z.1, 2024-25) and, for
banks, of their capital at the start.

Prints the table (median and 90th percentile over seeds) and writes ``holders.csv`` (the
table) and ``holders_runs.csv`` (one row per run).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

__all__ = ["SECTORS", "add_parser", "holder_table", "run"]

DEFAULT_SEEDS = "0-19"
DEFAULT_SCENARIO = "bust"

# (label, results column, what a loss is read against: a holder-sector account or "banks")
SECTORS: tuple[tuple[str, str, str | None], ...] = (
    ("insurers", "losses_insurers", "Insurers"),
    ("pension funds", "losses_pension_funds", "Pension funds"),
    ("retail investors (funds, BDCs)", "losses_retail_investors", "Retail investors"),
    ("other institutional LPs", "losses_other_lps", "Other institutional LPs"),
    ("households, all savings", "losses_households", "Retail investors"),
    ("banks (share of capital)", "losses_bank", "banks"),
    ("private-credit funds beyond their NAV", "losses_fund", None),
    ("hyperscalers", "losses_hyperscaler", None),
    ("chipmakers", "losses_chipmaker", None),
    ("outside investors (equity, bonds, LPs, depositors)", "losses_outside", None),
    ("all holders", "cumulative_losses", None),
)


def sector_assets() -> dict[str, float]:
    """Total financial assets of each holder sector (USD bn) and the banks' starting capital."""
    from core.coefficients import LP_SECTORS, SECTOR_ASSETS
    from model import AIEconomy

    assets = {label: value for (_, label), value in zip(LP_SECTORS, SECTOR_ASSETS, strict=True)}
    assets["banks"] = sum(b.equity for b in AIEconomy("baseline", rng=0).banks)
    return assets


def holder_table(final: pd.DataFrame, assets: dict[str, float]) -> pd.DataFrame:
    """Median and 90th percentile over runs of each sector's loss and its share of assets.

    ``final`` has one row per run with the loss columns at the end of the run.
    """
    rows = []
    for label, column, base in SECTORS:
        if column not in final:
            continue
        losses = final[column]
        row = {"holder": label, "losses_median": losses.median(),
               "losses_p90": losses.quantile(0.9)}
        if base is not None:
            share = losses / assets[base]
            row |= {"share_median": share.median(), "share_p90": share.quantile(0.9)}
        rows.append(row)
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """The table as a person reads it: USD bn and percentages."""
    lines = [f"{'holder':<52} {'losses, median':>15} {'p90':>8} {'of assets, median':>18} "
             f"{'p90':>8}"]
    for r in table.to_dict("records"):
        share = r.get("share_median")
        shares = (f"{share:>18.4%} {r['share_p90']:>8.4%}" if isinstance(share, float)
                  and share == share else f"{'-':>18} {'-':>8}")
        lines.append(f"{r['holder']:<52} {r['losses_median']:>15.1f} {r['losses_p90']:>8.1f} "
                     f"{shares}")
    return "\n".join(lines)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``holders`` on the ``python -m experiments`` sub-command parser."""
    from experiments.batchargs import command_parser

    p = command_parser(
        subparsers, "holders", __doc__,
        "losses by holder sector (insurers, pensions, retail, banks) as a share of assets",
        ["--out results/holders", "--scenario baseline --seeds 0-49 --out results/holders"],
        DEFAULT_SEEDS, DEFAULT_SCENARIO)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the batch, print the table, write the CSV files; return the exit code."""
    from experiments.batchargs import finish, run_from_args
    from experiments.storage import load_results

    t0 = time.perf_counter()
    result = run_from_args(args, None, "holders")
    columns = sorted({c for _, c, _ in SECTORS})
    df = load_results(args.out, columns=["seed", "quarter", *columns])
    if df.empty:
        print(f"python -m experiments holders: no run finished; see {args.out}",
              file=sys.stderr)
        return 3
    final = df.sort_values("quarter").groupby("seed").tail(1).set_index("seed")[columns]
    table = holder_table(final, sector_assets())
    print(f"{args.scenario}: realised AI-related losses by holder at the end of "
          f"{args.quarters} quarters, {len(final)} seeds (USD bn)")
    print(format_table(table))
    out: Path = args.out
    table.to_csv(out / "holders.csv", index=False)
    final.reset_index().to_csv(out / "holders_runs.csv", index=False)
    return finish(result, out, len(final), t0, ["holders.csv", "holders_runs.csv"])
