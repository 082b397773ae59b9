"""The researcher notebook (docs/notebooks/researcher_tour.py) executes as a notebook."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "researcher_tour.py"


def test_researcher_notebook_executes(tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("NOTEBOOK_QUICK", "1")               # small samples (see the notebook)
    monkeypatch.setenv("NOTEBOOK_OUT", str(tmp_path / "results"))
    nb = jupytext.read(NOTEBOOK)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code_cells) >= 10
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                                       # raises CellExecutionError
    outputs = [o for c in code_cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2                                # crisis map and Sobol' bars shown
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "quick mode" in text and "runs are a crisis" in text
    assert (tmp_path / "results" / "batch" / "manifest.json").is_file()
