"""The layers import downwards only: ui -> experiments -> model -> agents -> core.

Checked two ways: statically (every import statement outside ``if TYPE_CHECKING:`` blocks,
folder by folder, must not close a circle) and at run time (importing ``agents`` or ``core``
in a fresh interpreter loads no module of the layers above).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("core", "agents", "model", "experiments", "ui")
ALLOWED = {          # folder -> folders it may import at run time
    "core": set(),
    "agents": {"core"},
    "model": {"core", "agents"},
    "experiments": {"core", "agents", "model"},
    "ui": {"core", "agents", "model", "experiments"},
}


def _runtime_imports(path: Path) -> set[str]:
    """Top-level module names imported by a file, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _folder_graph() -> tuple[nx.DiGraph, dict[tuple[str, str], list[str]]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(FOLDERS)
    where: dict[tuple[str, str], list[str]] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for module in _runtime_imports(path):
                top = module.split(".")[0]
                if top in FOLDERS and top != folder:
                    graph.add_edge(folder, top)
                    where.setdefault((folder, top), []).append(
                        f"{path.relative_to(ROOT)} imports {module}")
    return graph, where


def test_no_import_circle_between_folders():
    graph, where = _folder_graph()
    cycles = list(nx.simple_cycles(graph))
    detail = [w for c in cycles for a, b in zip(c, c[1:] + c[:1], strict=True)
              for w in where[(a, b)][:2]]
    assert not cycles, f"import circles between folders {cycles}: {detail}"


def test_each_folder_imports_only_the_layers_below():
    graph, where = _folder_graph()
    wrong = [w for (a, b) in graph.edges if b not in ALLOWED[a] for w in where[(a, b)]]
    assert not wrong, wrong


def test_agents_never_import_the_phases_or_the_economy():
    for path in sorted((ROOT / "agents").rglob("*.py")):
        bad = {m for m in _runtime_imports(path)
               if m.split(".")[0] == "model" or m in ("model.economy", "model.phases",
                                                       "model.distress")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("package, above", [("core", ("agents", "model", "experiments", "ui")),
                                            ("agents", ("model", "experiments", "ui"))])
def test_importing_a_layer_loads_nothing_above_it(package, above):
    code = (f"import sys, {package}\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {above!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"


def test_the_model_package_has_no_lazy_import_hook():
    import model

    assert "__getattr__" not in vars(model)
    assert model.AIEconomy.__module__ == "model.economy"


def test_the_code_is_ruff_clean():
    """`make lint` in the test suite: style, docstrings, complexity (C901 <= 15), imports."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
