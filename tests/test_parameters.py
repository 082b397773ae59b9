"""Parameters and scenario files: validation errors name the field, its range and the file."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from model import (
    PARAMETER_INFO,
    SCENARIOS,
    AIEconomy,
    ParameterError,
    Parameters,
    Scenario,
    load_scenario,
    make_parameters,
)
from model.parameters import DEFAULTS, GROUPS, validate_value


def _valid_with(name: str, value) -> dict:
    """A value for ``name`` plus what the life cross-check needs (economic <= book life)."""
    values = {name: value}
    if name == "gpu_economic_life":
        values["gpu_book_life"] = 40
    if name == "gpu_book_life":
        values["gpu_economic_life"] = 8
    return values


# --- metadata ------------------------------------------------------------------------------
def test_parameter_info_matches_the_dataclass_and_its_defaults():
    assert set(PARAMETER_INFO) == {f.name for f in dataclasses.fields(Parameters)}
    for name, info in PARAMETER_INFO.items():
        assert info.name == name
        assert info.min <= info.default <= info.max, name
        assert info.group in GROUPS, name
        assert info.label and info.description, name
        value = getattr(DEFAULTS, name)
        assert value == info.default
        assert isinstance(value, int if info.integer else float), name


def test_labour_group_holds_exactly_what_only_moves_jobs_displaced():
    """The "labour" parameters change no column but ``jobs_displaced``, and every "revenue"
    parameter changes more: ``--group revenue`` samples no placebo (it sampled two)."""
    base = AIEconomy("baseline", rng=0, agent_data=False).run(40)

    def moved(name: str) -> set[str]:
        info = PARAMETER_INFO[name]
        value = info.max if info.default != info.max else info.min
        run = AIEconomy("baseline", rng=0, agent_data=False,
                        **_valid_with(name, value)).run(40)
        return {c for c in base.columns if not run[c].equals(base[c])}

    labour = [n for n, i in PARAMETER_INFO.items() if i.group == "labour"]
    revenue = [n for n, i in PARAMETER_INFO.items() if i.group == "revenue"]
    assert labour and revenue
    for name in labour:
        assert moved(name) == {"jobs_displaced"}, name
    for name in revenue:
        assert moved(name) - {"jobs_displaced"}, name


def test_parameters_are_frozen_and_with_overrides_validates():
    p = make_parameters({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.herding = 0.9
    q = p.with_overrides(herding=0.9)
    assert q.herding == 0.9 and p.herding == 0.5
    with pytest.raises(ParameterError, match="herding"):
        p.with_overrides(herding=2.0)
    assert q.as_dict()["herding"] == 0.9 and len(q.as_dict()) == len(PARAMETER_INFO)


# --- bad values ----------------------------------------------------------------------------
def test_unknown_parameter_is_named_with_the_known_ones():
    with pytest.raises(ParameterError) as err:
        make_parameters({"zzz": 900})
    msg = str(err.value)
    assert "unknown parameter 'zzz'" in msg
    assert "revenue_2030" in msg and "herding" in msg      # the list of known names


def test_a_misspelt_parameter_gets_one_suggestion_not_the_whole_list():
    with pytest.raises(ParameterError) as err:
        make_parameters({"revenue_2031": 900})
    assert str(err.value) == "unknown parameter 'revenue_2031'; did you mean 'revenue_2030'?"


@pytest.mark.parametrize("name", sorted(PARAMETER_INFO))
def test_out_of_range_names_field_and_range(name):
    info = PARAMETER_INFO[name]
    span = info.max - info.min
    for bad in (info.min - max(1.0, span), info.max + max(1.0, span)):
        with pytest.raises(ParameterError) as err:
            make_parameters(_valid_with(name, bad))
        msg = str(err.value)
        assert name in msg
        assert f"allowed range [{info.min:g}, {info.max:g}]" in msg
        assert info.unit in msg
    # both ends of the range are accepted
    for ok in (info.min, info.max):
        assert getattr(make_parameters(_valid_with(name, ok)), name) == ok


def test_out_of_range_message_example():
    with pytest.raises(ParameterError, match=r"revenue_2030 = 10\.0 is outside the allowed "
                       r"range \[150, 3000\] USD bn/yr"):
        make_parameters({"revenue_2030": 10.0})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(ParameterError, match=r"herding = .* is outside the allowed range \[0, 1\]"):
        make_parameters({"herding": bad})


@pytest.mark.parametrize("bad", ["abc", None, [1.0], {"x": 1}, object()])
def test_wrong_type_is_refused_with_the_range(bad):
    with pytest.raises(ParameterError) as err:
        make_parameters({"base_rate": bad})
    msg = str(err.value)
    assert msg.startswith("base_rate must be a number")
    assert "allowed range [0, 0.12] 1/yr" in msg


@pytest.mark.parametrize("name", sorted(n for n, i in PARAMETER_INFO.items() if i.integer))
def test_integer_fields_refuse_fractions(name):
    info = PARAMETER_INFO[name]
    value = info.min + 0.5
    with pytest.raises(ParameterError) as err:
        make_parameters(_valid_with(name, value))
    msg = str(err.value)
    assert msg.startswith(f"{name} must be a whole number")
    assert f"[{info.min:g}, {info.max:g}]" in msg
    # a whole float becomes an int
    whole = make_parameters(_valid_with(name, float(info.min + 1)))
    assert getattr(whole, name) == info.min + 1 and isinstance(getattr(whole, name), int)


def test_economic_life_may_not_exceed_book_life():
    with pytest.raises(ParameterError, match=r"gpu_economic_life \(30\) must not exceed "
                       r"gpu_book_life \(24\)"):
        make_parameters({"gpu_economic_life": 30})
    assert make_parameters({"gpu_economic_life": 24}).gpu_economic_life == 24


def test_validate_value_returns_the_field_type():
    assert validate_value("build_lag", 3) == 3 and isinstance(validate_value("build_lag", 3), int)
    assert isinstance(validate_value("herding", 1), float)


# --- scenarios -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCENARIOS)
def test_packaged_scenarios_load(name):
    sc = load_scenario(name)
    assert isinstance(sc, Scenario) and sc.name == name and sc.description
    assert isinstance(sc.params, Parameters)


def test_packaged_scenarios_differ_in_their_revenue_assumptions():
    base, boom, bust = (load_scenario(s).params for s in ("baseline", "boom", "bust"))
    assert (base.revenue_2030, base.revenue_ceiling_multiple) == (800, 1.15)
    assert (boom.revenue_2030, boom.revenue_ceiling_multiple) == (2000, 1.25)
    assert (bust.revenue_2030, bust.revenue_ceiling_multiple) == (300, 1.05)
    assert bust.efficiency_shock_quarter == 10 and bust.efficiency_shock_size == 0.35   # 2027Q3
    assert base.efficiency_shock_quarter == -1 and boom.efficiency_shock_quarter == -1
    # everything but the revenue assumptions is shared
    revenue = {"revenue_2030", "revenue_ceiling_multiple",
               "efficiency_shock_quarter", "efficiency_shock_size"}
    for name in set(PARAMETER_INFO) - revenue:
        assert getattr(base, name) == getattr(boom, name) == getattr(bust, name), name


def test_overrides_apply_on_top_of_the_scenario():
    sc = load_scenario("bust", herding=0.9, build_lag=6)
    assert sc.params.herding == 0.9 and sc.params.build_lag == 6
    assert sc.params.revenue_2030 == 300.0               # the scenario's value stays
    again = load_scenario(sc, herding=0.1)               # a Scenario object + overrides
    assert again.params.herding == 0.1 and again.params.build_lag == 6
    m = AIEconomy("boom", rng=0, revenue_2030=1500.0)
    assert m.params.revenue_2030 == 1500.0 and m.params.revenue_ceiling_multiple == 1.25


def test_bad_override_names_the_scenario_and_the_field():
    with pytest.raises(ParameterError, match=r"scenario 'boom': herding = 3\.0 is outside the "
                       r"allowed range \[0, 1\]"):
        load_scenario("boom", herding=3.0)
    with pytest.raises(ParameterError, match="unknown parameter 'hearding'"):
        AIEconomy("baseline", hearding=0.5)


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_toml_file_loads_with_defaults_for_the_rest(tmp_path):
    path = _write(tmp_path, '[scenario]\nname = "slow"\ndescription = "slow burn"\n\n'
                  "[parameters]\nrevenue_2030 = 600.0\nbuild_lag = 6\n")
    sc = load_scenario(path)
    assert sc.name == "slow" and sc.description == "slow burn"
    assert sc.params.revenue_2030 == 600.0 and sc.params.build_lag == 6
    assert sc.params.herding == PARAMETER_INFO["herding"].default
    assert load_scenario(str(path), build_lag=2).params.build_lag == 2
    m = AIEconomy(path, rng=1)
    assert m.params.revenue_2030 == 600.0
    nameless = load_scenario(_write(tmp_path, "[parameters]\nherding = 0.2\n", "plain.toml"))
    assert nameless.name == "plain" and nameless.params.herding == 0.2


def test_toml_syntax_error_names_the_file(tmp_path):
    path = _write(tmp_path, "[parameters]\nrevenue_2030 = = 3\n")
    with pytest.raises(ParameterError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and "not valid TOML" in str(err.value)


def test_toml_unknown_table_names_the_file_and_table(tmp_path):
    path = _write(tmp_path, "[parameters]\nherding = 0.5\n\n[shocks]\nsize = 1\n")
    with pytest.raises(ParameterError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert str(path) in msg and "unknown table(s) ['shocks']" in msg


def test_toml_bad_value_names_file_field_and_range(tmp_path):
    path = _write(tmp_path, "[parameters]\nredemption_gate = 0.9\n")
    with pytest.raises(ParameterError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: redemption_gate = 0.9 is outside the allowed range [0, 0.5]")
    path2 = _write(tmp_path, '[parameters]\nbuild_lag = "soon"\n', "two.toml")
    with pytest.raises(ParameterError, match=r"two\.toml: build_lag must be a whole number"):
        load_scenario(path2)
    path3 = _write(tmp_path, "[parameters]\nbogus = 1\n", "three.toml")
    with pytest.raises(ParameterError, match=r"three\.toml: unknown parameter 'bogus'"):
        load_scenario(path3)


def test_toml_parameters_must_be_a_table(tmp_path):
    path = _write(tmp_path, "parameters = 3\n")
    with pytest.raises(ParameterError, match="'parameters' must be a table"):
        load_scenario(path)


@pytest.mark.parametrize("what", ["nonexistent", "baseline.toml", "mine.txt"])
def test_unknown_scenario_or_missing_file(tmp_path, what):
    (tmp_path / "mine.txt").write_text("[parameters]\n")
    key = what if what != "mine.txt" else str(tmp_path / what)
    with pytest.raises(ParameterError, match="neither a packaged scenario"):
        load_scenario(key)
    with pytest.raises(ParameterError, match="baseline, boom, bust"):
        AIEconomy(key)


# --- strict types (booleans and strings are not numbers) ---------------------------------
@pytest.mark.parametrize("bad", [True, False, "900", "0.5", None, [1.0], np.bool_(True)])
def test_booleans_strings_and_others_are_not_numbers(bad):
    with pytest.raises(ParameterError, match=r"herding must be a number \(allowed range "
                       r"\[0, 1\]\), got .*\((bool|str|NoneType|list|bool_)\)"):
        make_parameters({"herding": bad})


def test_numpy_numbers_are_numbers():
    p = make_parameters({"herding": np.float64(0.25), "build_lag": np.int64(3)})
    assert p.herding == 0.25 and type(p.herding) is float
    assert p.build_lag == 3 and type(p.build_lag) is int


def test_unknown_parameter_suggests_the_closest_name():
    with pytest.raises(ParameterError, match=r"did you mean 'herding'\?"):
        make_parameters({"hearding": 0.5})


def test_toml_boolean_value_is_refused(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[parameters]\nherding = true\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"s\.toml: herding must be a number .*got True"):
        load_scenario(f)


@pytest.mark.parametrize("text, message", [
    ("scenario = 5\n", r"'scenario' must be a table"),
    ('[scenario]\nname = "x"\nauthor = "me"\n', r"unknown key\(s\) \['author'\] in \[scenario\]"),
    ("[scenario]\nname = 3\n", r"\[scenario\] name must be a string"),
])
def test_scenario_table_shape_is_checked(tmp_path, text, message):
    f = tmp_path / "s.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_scenario(f)


def test_non_utf8_file_names_the_file(tmp_path):
    f = tmp_path / "latin.toml"
    f.write_bytes("[scenario]\nname = \"Düsseldorf\"\n".encode("latin-1"))
    with pytest.raises(ParameterError, match=r"latin\.toml: not a UTF-8 text file"):
        load_scenario(f)


@pytest.mark.parametrize("rng", [None, 3, np.int64(3), np.random.SeedSequence(3),
                                 np.random.default_rng(3)])
def test_rng_accepts_seeds_seed_sequences_and_generators(rng):
    assert AIEconomy("baseline", rng=rng).t == 0


def test_numpy_integer_seed_is_the_same_seed():
    a = AIEconomy("baseline", rng=np.int64(5)).run(2)
    b = AIEconomy("baseline", rng=5).run(2)
    assert a.equals(b)


@pytest.mark.parametrize("rng", ["abc", True, 1.5, -1, [1, 2]])
def test_rng_rejects_everything_else(rng):
    with pytest.raises(ParameterError, match="rng must be"):
        AIEconomy("baseline", rng=rng)
