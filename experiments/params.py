"""``python -m experiments params``: every model parameter, with defaults and ranges.

For each parameter: its default in each scenario, allowed range, unit, group and one-line
meaning, read from ``model.PARAMETER_INFO`` and the packaged scenarios (``model.SCENARIOS``), so the
table cannot drift from what ``AIEconomy`` accepts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

__all__ = ["add_parser", "parameter_table", "run"]

FORMATS = ("text", "csv", "markdown", "json")


def _number(value: float, integer: bool = False) -> str:
    return f"{int(value)}" if integer else f"{value:g}"


def parameter_table(scenarios: Sequence[str] | None = None,
                    groups: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per parameter: name, group, unit, min, max, default per scenario, label, meaning.

    Args:
        scenarios: scenario names or TOML paths whose values are shown (default: the
            packaged scenarios).
        groups: keep only these groups (default: all).

    Returns:
        Columns ``name, group, unit, min, max, integer``, one ``default_<scenario>`` column
        per scenario, ``label`` and ``meaning``; rows in declaration order.
    """
    from model import PARAMETER_INFO, SCENARIOS, load_scenario

    loaded = {str(s): load_scenario(s).params for s in (scenarios or SCENARIOS)}
    rows = []
    for info in PARAMETER_INFO.values():
        if groups and info.group not in groups:
            continue
        row = {"name": info.name, "group": info.group, "unit": info.unit,
               "min": info.min, "max": info.max, "integer": bool(info.integer)}
        for scenario, params in loaded.items():
            row[f"default_{_short(scenario)}"] = getattr(params, info.name)
        row.update(label=info.label, meaning=info.description)
        rows.append(row)
    return pd.DataFrame(rows)


def _short(scenario: str) -> str:
    """Column suffix for a scenario: its name, or a TOML file's stem."""
    from pathlib import Path

    return Path(scenario).stem if scenario.endswith(".toml") else scenario


def _text(table: pd.DataFrame) -> str:
    """Aligned plain-text table, one parameter per line, meaning last (not cut)."""
    defaults = [c for c in table.columns if c.startswith("default_")]
    head = ["name", "group", "unit", "range", *(c.removeprefix("default_") for c in defaults),
            "meaning"]
    body = []
    for r in table.itertuples(index=False):
        r = r._asdict()
        rng = f"{_number(r['min'], r['integer'])} .. {_number(r['max'], r['integer'])}"
        body.append([r["name"], r["group"], r["unit"] or "-", rng,
                     *(_number(r[c], r["integer"]) for c in defaults), r["meaning"]])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    widths[-1] = 0                                  # the meaning column is not padded
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, *body]]
    lines.insert(1, "  ".join("-" * (w or len(head[-1])) for w in widths))
    return "\n".join(lines)


def _markdown(table: pd.DataFrame) -> str:
    defaults = [c for c in table.columns if c.startswith("default_")]
    head = ["name", "group", "unit", "range",
            *(f"{c.removeprefix('default_')}" for c in defaults), "meaning"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.to_dict("records"):
        rng = f"{_number(r['min'], r['integer'])} .. {_number(r['max'], r['integer'])}"
        cells = [f"`{r['name']}`", r["group"], r["unit"], rng,
                 *(_number(r[c], r["integer"]) for c in defaults), r["meaning"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def render(table: pd.DataFrame, fmt: str) -> str:
    """The table as text, CSV, Markdown or JSON."""
    if fmt == "csv":
        return table.to_csv(index=False).rstrip("\n")
    if fmt == "markdown":
        return _markdown(table)
    if fmt == "json":
        return json.dumps(table.to_dict("records"), indent=2)
    return _text(table)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``params`` on the ``python -m experiments`` sub-command parser."""
    p = subparsers.add_parser(
        "params", help="list every model parameter: defaults, range, unit, meaning",
        description="Every parameter the model accepts, with its default in each packaged "
                    "scenario, its allowed range, unit, group and one-line meaning "
                    "(from model.PARAMETER_INFO and the scenario files).",
        epilog="examples:\n  python -m experiments params\n"
               "  python -m experiments params --group revenue --format markdown\n"
               "  python -m experiments params --scenario my.toml --format csv > params.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default text)")
    from model.parameters import GROUPS

    p.add_argument("--group", action="append", default=None, metavar="GROUP",
                   help=f"only this group (repeatable): {', '.join(GROUPS)}")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario name or TOML path to show defaults for (repeatable; "
                        "default: every packaged scenario)")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the parameter table; return the exit code."""
    from model import PARAMETER_INFO

    groups = args.group
    known = sorted({i.group for i in PARAMETER_INFO.values()})
    unknown = [g for g in groups or [] if g not in known]
    if unknown:
        print(f"python -m experiments params: error: argument --group: unknown group "
              f"{unknown[0]!r}; choose from {', '.join(known)}", file=sys.stderr)
        return 2
    table = parameter_table(args.scenario, groups)
    print(render(table, args.format))
    return 0
