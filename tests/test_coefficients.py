"""Every economic coefficient lives in core/coefficients.py, with a unit and a source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import coefficients
from core.coefficients import coefficient_table

ROOT = Path(__file__).resolve().parents[1]
# numeric module constants that are tolerances or technical switches, not economics
TECHNICAL = {"EPS", "REL_TOL", "_REL_TOL", "_SPARSE_LU_MAX", "_DENSE_TO_SPARSE_MIN_N",
             "_DENSE_TO_SPARSE_MAX_DENSITY", "QUARTERS"}


def test_every_coefficient_has_a_unit_and_a_source_or_an_assumption():
    rows = coefficient_table()
    assert len(rows) > 80
    for name, _value, unit, source in rows:
        assert unit, name
        assert source.split(":")[0] in ("Source", "Assumption", "Definition"), (name, source)
        assert len(source) > 25, f"{name}: say where the number comes from, or why"


def test_every_module_constant_of_the_coefficients_module_is_documented():
    documented = {row[0] for row in coefficient_table()}
    constants = {n for n in vars(coefficients) if n.isupper()}
    assert constants == documented


def test_documentation_table_is_current():
    doc = (ROOT / "docs" / "coefficients.md").read_text(encoding="utf-8")
    for name, value, _unit, _source in coefficient_table():
        assert f"| `{name}` | {value!r} |" in doc, f"{name}: run python -m core.coefficients"


def _numeric(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp | ast.BinOp):
        return all(_numeric(c) for c in ast.iter_child_nodes(node)
                   if not isinstance(c, ast.operator | ast.unaryop))
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(_numeric(e) for e in node.elts)
    return False


@pytest.mark.parametrize("folder", ["core", "agents", "model"])
def test_no_economic_constant_outside_the_coefficients_module(folder):
    stray = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path.name == "coefficients.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
            for target in targets:
                if (isinstance(target, ast.Name) and target.id not in TECHNICAL
                        and _numeric(node.value)):
                    stray.append(f"{path.relative_to(ROOT)}: {target.id}")
    assert not stray, f"move these into core/coefficients.py with a unit and source: {stray}"
