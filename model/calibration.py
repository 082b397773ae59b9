"""Calibration report: model values against the public targets of MODEL.md section 8.

``python -m model.calibration`` prints the table (target, model value as the mean over 10
seeds, source, pass/fail) and exits non-zero if any target fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from model.economy import AIEconomy


@dataclass(frozen=True, slots=True)
class Run:
    """What the targets need from one run: the results frame and some agents' revenues."""

    frame: pd.DataFrame
    agent_revenue: dict[str, list[float]]


@dataclass(frozen=True, slots=True)
class Target:
    """One calibration target: a quantity, its plausible range and where it comes from."""

    name: str
    low: float
    high: float
    scenario: str
    source: str
    measure: Callable[[Run], float]


def _year(run: Run, column: str, year: int) -> float:
    rows = run.frame[run.frame["quarter"].str.startswith(str(year))]
    return float(rows[column].sum())


def _end_of(run: Run, column: str, year: int) -> float:
    return float(run.frame.loc[run.frame["quarter"] == f"{year}Q4", column].iloc[0])


TARGETS: tuple[Target, ...] = (
    Target("hyperscaler capex, 2025 total", 400, 500, "baseline",
           "company filings (~450); the five hyperscalers, all capex",
           lambda r: _year(r, "hyperscaler_capex", 2025)),
    Target("SPV debt outstanding, end 2025", 120, float("inf"), "baseline",
           "FT tally; Hyperion, xAI, Oracle-linked, CoreWeave SPVs",
           lambda r: _end_of(r, "spv_debt", 2025)),
    Target("hyperscaler IG bonds issued in 2025", 90, 160, "baseline",
           "~121; US bonds of the five", lambda r: _year(r, "ig_bonds_issued", 2025)),
    Target("AI-related debt outstanding, end 2028", 1200, 1900, "baseline",
           "JPMorgan order of magnitude; bonds, leases, SPV debt, private credit, bank loans",
           lambda r: _end_of(r, "ai_debt_total", 2028)),
    Target("cumulative AI infrastructure spend 2025-2029 (boom)", 5000, 7000, "boom",
           "JPMorgan, McKinsey; worldwide", lambda r: _end_of(r, "cumulative_capex", 2029)),
    Target("Nvidia data-centre revenue, 2025", 150, 230, "baseline",
           "filings (FY26 ~194)", lambda r: sum(r.agent_revenue["Nvidia"][:4])),
    Target("OpenAI revenue, 2025", 10, 16, "baseline", "~13 (company statements)",
           lambda r: sum(r.agent_revenue["OpenAI"][:4])),
)
QUARTERS = 20


def simulate(scenario: str, seed: int, quarters: int = QUARTERS) -> Run:
    """Run one scenario and keep what the targets need."""
    m = AIEconomy(scenario, rng=seed)
    revenue: dict[str, list[float]] = {"Nvidia": [], "OpenAI": []}
    nvidia, openai = m.agent_by_name("Nvidia"), m.agent_by_name("OpenAI")
    for _ in range(quarters):
        m.step()
        revenue["Nvidia"].append(nvidia.income.get("gpu_purchase", 0.0))
        revenue["OpenAI"].append(openai.income.get("ai_revenue", 0.0))
    return Run(m.results(), revenue)


def calibration_table(seeds: Sequence[int] = range(10)) -> pd.DataFrame:
    """The calibration table: one row per target with the mean model value over ``seeds``."""
    runs = {sc: [simulate(sc, s) for s in seeds] for sc in {t.scenario for t in TARGETS}}
    rows = []
    for t in TARGETS:
        values = [t.measure(r) for r in runs[t.scenario]]
        value = sum(values) / len(values)
        high = "" if t.high == float("inf") else f"{t.high:,.0f}"
        rows.append({"target": t.name, "range": f"{t.low:,.0f}-{high}" if high else
                     f">= {t.low:,.0f}", "model": round(value, 1),
                     "min over seeds": round(min(values), 1),
                     "max over seeds": round(max(values), 1), "scenario": t.scenario,
                     "source": t.source, "pass": t.low <= value <= t.high})
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the calibration table; return 1 if a target fails."""
    parser = argparse.ArgumentParser(prog="python -m model.calibration", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    table = calibration_table(range(args.seeds))
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(table.assign(**{"pass": table["pass"].map({True: "pass", False: "FAIL"})})
              .to_string(index=False))
    failed = int((~table["pass"]).sum())
    print(f"\n{len(table) - failed}/{len(table)} targets pass (USD bn; mean over "
          f"{args.seeds} seeds)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
