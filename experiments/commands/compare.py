"""``compare``: scenarios side by side over the same seeds: fan charts and a summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from experiments import cli

EXAMPLE = "python -m experiments compare baseline boom bust --seeds 0-19 --out results/compare"
FAN_COLUMNS = ["ai_revenue", "capex", "bubble_index", "ai_debt_total", "defaults",
               "cumulative_defaults"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``compare`` parser."""
    p = cli.add_batch_command(
        subparsers, "compare", summary="fan charts and summary of several scenarios",
        example=EXAMPLE,
        description="Run scenarios over the same seeds and draw fan charts (median and "
                    "10-90% band over seeds) of revenue vs capex, bubble_index, "
                    "ai_debt_total and defaults; writes PNG, summary.csv and quantiles.csv.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or paths")
    return p


def write_figures(df: Any, out: Path) -> list[str]:
    """Summaries, fan-chart quantiles and the fan charts as PNG."""
    from experiments import plots

    files = cli.write_summary(df, out, ["scenario"])
    df = plots.with_cumulative_defaults(df)
    plots.fan_quantiles(df, FAN_COLUMNS).to_csv(out / "quantiles.csv", index=False)
    figures = {
        "compare.png": plots.compare_figure(df),
        "fan_revenue_capex.png": plots.revenue_capex_chart(df),
        "fan_bubble_index.png": plots.fan_chart(df, "bubble_index"),
        "fan_ai_debt_total.png": plots.fan_chart(df, "ai_debt_total"),
        "fan_defaults.png": plots.fan_chart(df, "cumulative_defaults"),
    }
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110)
    return [*files, "quantiles.csv", *figures]


def run(args: argparse.Namespace) -> int:
    """Run the scenarios, write summaries and fan charts."""
    fixed = cli.fixed_overrides(args)
    scenarios = list(dict.fromkeys(args.scenarios))
    return cli.run_and_write(args, scenarios, fixed or None, "compare", list(fixed),
                             write_figures)
