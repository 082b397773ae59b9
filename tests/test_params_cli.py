"""``python -m experiments params``: every parameter the model accepts, no more, no less."""

from __future__ import annotations

import dataclasses
import io
import json
from contextlib import redirect_stdout

import pandas as pd
import pytest

from experiments.__main__ import main
from experiments.params import parameter_table
from model import PARAMETER_INFO, SCENARIOS, AIEconomy, ParameterError, Parameters, load_scenario


def _cli(*args: str) -> tuple[int, str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["params", *args])
    return code, buf.getvalue()


def test_params_lists_exactly_what_the_model_accepts():
    code, text = _cli("--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(text))
    listed = table["name"].tolist()
    assert len(listed) == len(set(listed))
    # no more, no less than PARAMETER_INFO and the fields of the Parameters record
    assert listed == list(PARAMETER_INFO)
    assert set(listed) == {f.name for f in dataclasses.fields(Parameters)}
    # every listed name is accepted by AIEconomy at its listed baseline default ...
    for row in table.itertuples():
        value = int(row.default_baseline) if row.integer else row.default_baseline
        m = AIEconomy("baseline", rng=0, agent_data=False, **{row.name: value})
        assert getattr(m.params, row.name) == pytest.approx(row.default_baseline)
    # ... and a name that is not listed is refused
    with pytest.raises(ParameterError, match="unknown parameter"):
        AIEconomy("baseline", rng=0, not_a_parameter=1.0)


def test_params_defaults_ranges_and_meaning_match_the_sources():
    table = parameter_table().set_index("name")
    assert [c for c in table.columns if c.startswith("default_")] == \
        [f"default_{s}" for s in SCENARIOS]
    for scenario in SCENARIOS:
        params = load_scenario(scenario).params
        for name in PARAMETER_INFO:
            assert table.loc[name, f"default_{scenario}"] == getattr(params, name)
    for name, info in PARAMETER_INFO.items():
        row = table.loc[name]
        assert (row["min"], row["max"], row["unit"], row["group"], row["meaning"]) == \
            (info.min, info.max, info.unit, info.group, info.description)
    # a scenario really differs from the defaults somewhere (the column is not a copy)
    assert (table["default_bust"] != table["default_baseline"]).any()


def test_params_text_markdown_json_and_group_filter():
    code, text = _cli()
    assert code == 0
    lines = text.strip().splitlines()
    assert lines[0].split()[:4] == ["name", "group", "unit", "range"]
    assert len(lines) == 2 + len(PARAMETER_INFO)
    code, md = _cli("--group", "revenue", "--format", "markdown")
    revenue = [n for n, i in PARAMETER_INFO.items() if i.group == "revenue"]
    assert md.count("\n| `") == len(revenue)
    code, js = _cli("--format", "json", "--group", "shocks")
    assert {r["name"] for r in json.loads(js)} == \
        {n for n, i in PARAMETER_INFO.items() if i.group == "shocks"}


def test_params_unknown_group_exit_2(capsys):
    assert main(["params", "--group", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "nonsense" in err and "revenue" in err
