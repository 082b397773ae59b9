"""Fast tests of the app without a browser: formatting, chart builders, session state, the
tour's content, Compare's batch and the pages rendered with ``solara.render``."""

from __future__ import annotations

import ast
import json
import re
import time
from pathlib import Path

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import solara.widgets

import app
from model import PARAMETER_INFO, AIEconomy
from ui import (
    about,
    charts,
    compare,
    compare_job,
    content,
    glossary,
    learn,
    live,
    network,
    offline,
    state,
    theme,
    upload,
)
from ui import format as fmt

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- helpers
def buttons(rc, label: str) -> list:
    """Buttons whose text (icon aside) is ``label``."""
    return [w for w in rc.find(v.Btn).widgets if label in [c for c in w.children
                                                            if isinstance(c, str)]]


def click(rc, label: str) -> None:
    found = buttons(rc, label)
    assert found, f"no button {label!r}"
    found[0].click()


def toggle(rc, label: str) -> None:
    """Pick ``label`` in a ToggleButtonsSingle (ipyvuetify 1 models it by button index)."""
    for group in rc.find(v.BtnToggle).widgets:
        labels = [next((c for c in b.children if isinstance(c, str)), None)
                  for b in group.children]
        if label in labels:
            group.v_model = labels.index(label)
            return
    raise AssertionError(f"no toggle button {label!r}")


def html_text(rc) -> str:
    """All solara.HTML content of the page, concatenated."""
    return "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def card(rc, key: str) -> str:
    m = re.search(rf"data-card='{key}'.*?class='card-value[^']*'>([^<]*)<", html_text(rc), re.S)
    assert m, f"no card {key}"
    return m.group(1)


def chart_options(rc) -> dict[str, dict]:
    from ui.components import ChartWidget

    return {w.attributes["data-chart"]: w.option for w in rc.find(ChartWidget).widgets}


def tab(rc, name: str) -> None:
    rc.find(v.Tabs).widget.v_model = app.TABS.index(name)


@pytest.fixture
def rendered():
    _box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()


@pytest.fixture(scope="module")
def bust_session():
    s = state.LiveSession(scenario="bust")
    s.choose_scenario("bust")
    s.step(24)
    return s


# ------------------------------------------------------------------------------ format
def test_format_numbers_for_people():
    assert fmt.money(1520) == "1.52T"
    assert fmt.money(124) == "124B"
    assert fmt.money(0.4) == "400M"
    assert fmt.money(-56, signed=True) == "-56B"
    assert fmt.money(float("nan")) == fmt.DASH
    assert fmt.bp(-0.0056) == "-56 bp"
    assert fmt.pct(0.125) == "12.5%"
    assert fmt.pp(-0.012) == "-1.2 pp"
    assert fmt.quarter(10) == "2027Q3"
    assert fmt.count(15_200_000) == "15.2M"


def test_small_numbers_and_no_negative_zero():
    # issue 13: "misses 0.0B", "-0.0 pp"
    assert fmt.money(0.0004) == "<1M" and fmt.money(0) == "0"
    assert fmt.pp(-0.00001) == "0.0 pp"
    assert fmt.pct(-0.00001) == "0.0%"
    assert fmt.number(-0.0001) == "0.00"
    assert fmt.bp(-0.00001) == "0 bp"
    assert fmt.tidy_text("X misses 0.0B; recover -0%; owes 10.0B") == \
        "X misses <0.1B; recover 0%; owes 10.0B"


# ------------------------------------------------------------------------------ colours
def test_circular_deals_have_a_colour_no_role_uses():
    assert theme.CIRCULAR not in theme.ROLE_COLORS.values()
    assert theme.CIRCULAR != theme.LINK
    non_vehicles = {r: c for r, c in theme.ROLE_COLORS.items() if r != "abs"}
    assert len(set(non_vehicles.values())) == len(non_vehicles)  # one colour per role
    assert theme.ROLE_SYMBOLS["abs"] != "circle"  # ABS share the SPV colour, not the shape
    assert len(set(theme.SCENARIO_COLORS.values())) == len(theme.SCENARIO_COLORS)


# ------------------------------------------------------------------------------ charts
def test_time_charts_are_json_with_units_captions_and_first_point_marker(bust_session):
    snap = bust_session.snapshot
    df, ev = snap.frame, snap.events
    figs = [charts.revenue_capex(df, ev), charts.bubble(df, ev), charts.debt_stack(df, ev),
            charts.financing(df, ev), charts.utilisation(df, ev), charts.losses(df, ev),
            charts.credit(df, snap.requirement, ev)]
    for fig in figs:
        json.dumps(fig.option, allow_nan=False)
        assert fig.option["animation"] is False
        assert fig.option["legend"] == {"show": False}  # the HTML legend wraps instead
        assert len(fig.option["xAxis"]["data"]) == 40
        assert fig.caption and fig.title and fig.legend
        fmt_ = fig.option["tooltip"]["formatter"]
        assert "{c0}" in fmt_ and re.search(r"\{c0\}</b> \S", fmt_), fig.key  # a unit
        # 24 points: no markers on lines (a bar shows by itself)
        assert fig.option["series"][0].get("showSymbol", False) is False
    first = charts.revenue_capex(df.iloc[:1])
    assert first.option["series"][0]["showSymbol"] is True  # one point: a marker


def test_credit_legend_tells_the_two_black_lines_apart(bust_session):
    snap = bust_session.snapshot
    fig = charts.credit(snap.frame, snap.requirement)
    styles = {(k.color, k.style) for k in fig.legend}
    assert len(styles) == len(fig.legend)  # no two identical legend icons
    html_ = charts.legend_html(fig.legend)
    assert "dashed" in html_ and "dotted" in html_


def test_event_markers_have_a_key():
    class E:
        def __init__(self, q, kind):
            self.quarter, self.kind, self.text, self.t = q, kind, "", 0

    events = [E("2027Q3", "default"), E("2027Q3", "default"), E("2028Q1", "gate"),
              E("2028Q1", "deal")]
    marks = charts.event_marks(events)
    assert [d["xAxis"] for d in marks["data"]] == ["2027Q3", "2028Q1"]
    assert marks["data"][0]["name"] == "2027Q3: default x2"
    keys = charts.marker_keys(events)
    assert [k.label for k in keys] == ["default", "fund gate"]
    assert keys[0].style != keys[1].style


def test_losses_axis_shows_small_losses_as_small():
    small = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "defaults": [0, 0],
                          "losses_bank": [0.0, 0.4], "losses_neocloud": [0.0, 0.6]})
    fig = charts.losses(small)
    assert fig.option["yAxis"][0]["max"] >= charts.LOSS_AXIS_FLOOR_BN  # 1B on a 100B axis
    big = pd.DataFrame({"quarter": ["2025Q1"], "defaults": [0], "losses_bank": [640.0]})
    assert charts.losses(big).option["yAxis"][0]["max"] >= 640 * 1.1


def test_households_losses_are_drawn_not_stacked():
    df = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "defaults": [0, 1],
                       "losses_bank": [0.0, 2.0], "losses_fund": [0.0, 5.0],
                       "losses_households": [0.0, 3.0]})
    opt = charts.losses(df).option
    names = [s["name"] for s in opt["series"]]
    assert names == ["Banks", "Private-credit funds", "Households", "Defaults this quarter"]
    assert "stack" not in opt["series"][2]


def test_losses_show_the_savers_behind_private_credit_once():
    # the outside sector (10B) holds the insurers' 2B, pension funds' 3B and retail's 1B:
    # stacked, they are split out of it and the rest of it is 4B; the total stays 17B
    df = pd.DataFrame({"quarter": ["2025Q1"], "defaults": [0], "losses_bank": [2.0],
                       "losses_fund": [5.0], "losses_outside": [10.0],
                       "losses_insurers": [2.0], "losses_pension_funds": [3.0],
                       "losses_retail_investors": [1.0], "losses_households": [7.0],
                       "cumulative_losses": [17.0]})
    stacked = [s for s in charts.losses(df).option["series"] if s.get("stack") == "loss"]
    got = {s["name"]: s["data"][-1] for s in stacked}
    assert got == {"Banks": 2.0, "Private-credit funds": 5.0, "Insurers": 2.0,
                   "Pension funds": 3.0, "Retail fund investors": 1.0,
                   "Bond/equity investors & others": 4.0}
    assert sum(got.values()) == 17.0
    assert len({s["color"] for s in stacked}) == len(stacked)
    # a holder sector the model adds later is split out of the outside sector too
    df["losses_other_lps"] = 1.5
    got = {s["name"]: s["data"][-1] for s in charts.losses(df).option["series"]
           if s.get("stack") == "loss"}
    assert got["Other institutional LPs"] == 1.5
    assert got["Bond/equity investors & others"] == 2.5 and sum(got.values()) == 17.0


def test_losses_stack_adds_up_to_the_models_total(bust_session):
    f = bust_session.snapshot.frame
    parts = charts.loss_parts(f)
    sectors = {"losses_insurers", "losses_pension_funds", "losses_retail_investors"}
    assert sectors <= set(charts.holder_sectors(f)) <= set(parts.columns)
    assert "losses_households" not in parts.columns
    assert (parts >= 0).all().all()
    assert parts.sum(axis=1).tolist() == pytest.approx(f["cumulative_losses"].tolist(),
                                                       abs=1e-9)


def test_financing_chart_splits_capex_by_source():
    df = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "capex": [100.0, 50.0],
                       "financing_bonds": [20.0, 30.0], "financing_private_credit": [30.0, 20.0],
                       "financing_equity": [10.0, 15.0], "financing_abs": [0.0, 5.0]})
    src = charts.financing_sources(df)
    assert src["own_cash"].tolist() == [40.0, 0.0]  # 100 - 60; 70 raised > 50 of capex
    fig = charts.financing(df)
    json.dumps(fig.option, allow_nan=False)
    bars = [s for s in fig.option["series"] if s["type"] == "bar"]
    assert [b["name"] for b in bars] == ["Corporate bonds", "Private credit", "Equity", "ABS",
                                         "Firms' own cash"]
    assert all(b["stack"] == "money" for b in bars) and bars[-1]["data"] == [40.0, 0.0]
    assert fig.option["series"][-1]["name"] == "AI capex"
    assert fig.option["xAxis"]["boundaryGap"] is True  # bars are not cut at the edges
    assert "capex 150B" in fig.caption and "corporate bonds 50B" in fig.caption
    assert "own cash 40B" in fig.caption and "ABS 5B" in fig.caption


def test_axis_ranges_are_round_numbers():
    assert charts.nice_range(0, 674.257) == (0.0, 800.0)
    assert charts.nice_range(-32.107, 7.644) == (-40.0, 10.0)
    lo, hi = compare.common_range({"a": pd.DataFrame({"p10": [0.2], "p90": [7.644]})}, 1.0)
    assert (lo, hi) == (0.0, 8.0)


def test_balance_sheet_lines_have_plain_labels():
    assert charts.line_label("ig bond owed") == "Investment-grade bonds issued"
    assert charts.line_label("loss allowance") == "Provision for expected loan losses"
    assert charts.line_label("corporate held") == "Corporate loans made"
    hist = [("start", {"assets": {"cash": 10.0}, "liabilities": {"ig bond owed": 4.0,
                                                                   "equity": 6.0}})]
    names = [s["name"] for s in charts.balance_sheet(hist, "X").option["series"]]
    assert names == ["Cash", "Investment-grade bonds issued", "Equity (assets − liabilities)"]


def test_network_orange_is_the_models_circular_core():
    agents = [state.AgentView("Nvidia", "chipmaker", "active", 200, 0.1),
              state.AgentView("OpenAI", "lab", "distressed", 50, 0.5),
              state.AgentView("Oracle", "hyperscaler", "active", 150, 0.5),
              state.AgentView("SPV", "spv", "defaulted", 30, 0.9),
              state.AgentView("Blue Owl", "fund", "active", 100, 0.3)]
    ex = pd.DataFrame([("OpenAI", "Nvidia", "equity", 70.0), ("OpenAI", "Oracle", "compute", 300.0),
                       ("SPV", "Blue Owl", "loan", 27.0), ("Oracle", "SPV", "lease", 38.0),
                       ("Oracle", "Bond investors", "bond", 90.0)],
                      columns=["debtor", "creditor", "kind", "amount"])
    rows = tuple(ex.itertuples(index=False, name=None))
    core = state.CoreView(("Nvidia", "OpenAI", "Oracle"), 0.52, 70.3)
    fig = network.network(rows, agents, core=core)
    s = fig.option["series"][0]
    names = [n["name"] for n in s["data"]]
    assert "Bond investors" not in names
    node = {n["name"]: n for n in s["data"]}
    assert node["OpenAI"]["itemStyle"]["borderColor"] == theme.DISTRESS
    assert node["SPV"]["label"]["formatter"].startswith("✖")
    assert all(n["itemStyle"]["color"] != theme.CIRCULAR for n in s["data"])
    glowing = {n["name"] for n in s["data"] if n["itemStyle"].get("shadowColor")}
    assert glowing == {"Nvidia", "OpenAI", "Oracle"}
    assert {n["itemStyle"]["shadowColor"] for n in s["data"] if n["name"] in glowing} == {
        theme.CIRCULAR}
    links = {(names[lk["source"]], names[lk["target"]]): lk for lk in s["links"]}
    orange = {k for k, lk in links.items() if lk["lineStyle"]["color"] == theme.CIRCULAR}
    assert orange == {("OpenAI", "Nvidia"), ("OpenAI", "Oracle")}  # Oracle -> SPV: not core
    assert {lk["lineStyle"]["color"] for k, lk in links.items() if k not in orange} == {
        theme.LINK}
    assert s["labelLayout"] == {"hideOverlap": True}  # no overlapping labels
    assert "3 firms" in fig.caption and "52%" in fig.caption and "70.3B" in fig.caption
    ranked = network.ranked_exposures(rows, agents, core)
    assert ranked[0][:2] == ("OpenAI", "Oracle") and "(circular)" in ranked[0][2]
    assert "(circular)" not in {(d, c): w for d, c, w, _ in ranked}[("Oracle", "SPV")]
    # without a core nothing is orange and the caption says so
    plain = network.network(rows, agents)
    assert all(lk["lineStyle"]["color"] == theme.LINK
               for lk in plain.option["series"][0]["links"])
    assert plain.caption.startswith("No circular core")


def test_network_highlights_the_core_the_model_measured():
    s = state.LiveSession()
    s.step(6)
    snap, m = s.snapshot, s.model
    assert snap.core.firms == tuple(m.circularity.core) and len(snap.core.firms) >= 2
    assert snap.core.revenue_share == m.circularity.revenue_share
    assert snap.core.outside_money == m.circularity.outside_money
    assert snap.core.revenue_share == pytest.approx(
        snap.frame["circular_core_revenue_share"].iloc[-1])
    s_ = network.network(snap.exposure_rows, snap.agents, core=snap.core).option["series"][0]
    names = [n["name"] for n in s_["data"]]
    orange = {(names[lk["source"]], names[lk["target"]]) for lk in s_["links"]
              if lk["lineStyle"]["color"] == theme.CIRCULAR}
    assert orange and all(d in snap.core.firms and c in snap.core.firms for d, c in orange)
    inside = {(d, c) for d, c, _k, v in snap.exposure_rows
              if d in snap.core.firms and c in snap.core.firms and v > 0}
    assert orange == inside


def test_every_event_kind_has_its_colour_and_place():
    from core.events import EVENT_KINDS

    for kind in EVENT_KINDS:
        assert kind in live.EVENT_KINDS, kind
        assert kind in theme.EVENT_COLORS, kind
        if kind != "info":
            assert theme.EVENT_COLORS[kind] != theme.GREY, kind
            assert live.EVENT_KINDS.index(kind) < live.EVENT_KINDS.index("info"), kind
    assert theme.EVENT_COLORS["circularity"] == theme.CIRCULAR  # orange means the loop
    class E:
        quarter, t, kind, text = "2026Q1", 4, "circularity", "Money goes round a loop"
    log = live.event_log_html((E(),), ["circularity"])
    assert "circular core" in log and theme.CIRCULAR in log


def test_a_redraw_keeps_the_browsers_report_that_a_chart_is_out_of_view():
    # issue: a re-render set `visible` back to True, so charts out of view got every step
    from ui.components import Chart, ChartWidget

    data = solara.reactive([1.0])

    @solara.component
    def One():  # noqa: N802
        Chart("x", {"series": [{"data": data.value}]})

    _box, rc = solara.render(One(), handle_error=False)
    try:
        w = rc.find(ChartWidget).widget
        assert w.option["series"][0]["data"] == [1.0]  # on screen until the browser says
        w.visible = False  # the browser: scrolled out of view
        data.value = [1.0, 2.0]
        assert w.visible is False
        assert w.option["series"][0]["data"] == [1.0]  # not sent
        w.visible = True  # scrolled back
        assert w.option["series"][0]["data"] == [1.0, 2.0]  # the latest, at once
    finally:
        rc.close()


# ------------------------------------------------------------------------------- state
def test_session_reads_the_model_through_its_public_api():
    s = state.LiveSession()
    s.step(2)
    assert s.snapshot.t == 2 and s.snapshot.quarter == "2025Q2"
    assert s.snapshot.requirement == s.model.params.bank_capital_requirement
    s.set_value("herding", 0.9)
    assert s.pending() == [PARAMETER_INFO["herding"].label]
    assert s.reset() and s.model.params.herding == 0.9 and not s.pending()


def test_ui_does_not_guess_model_attributes():
    # issue 9 item 4: typed, no Any, no getattr fallbacks; the crisis rule lives once
    model_facing = ("state", "live", "learn", "about", "compare", "compare_job", "challenge",
                    "challenge_page", "network", "upload")
    for path in (ROOT / "ui").glob("*.py"):
        text = path.read_text()
        if path.stem in model_facing:
            assert "typing import Any" not in text and ": Any" not in text, path.name
        assert "getattr(" not in text, path.name
        assert "type: ignore[attr-defined]" not in text, path.name
    assert "0.08" not in (ROOT / "ui" / "compare.py").read_text()
    assert "0.08" not in (ROOT / "ui" / "compare_job.py").read_text()
    tree = ast.parse((ROOT / "ui" / "compare_job.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "experiments.crisis" in imported and "experiments" in imported


def test_sidebar_groups_name_real_parameters_and_hold_every_lever():
    for names in state.MAIN_LEVERS.values():
        assert set(names) <= set(PARAMETER_INFO), set(names) - set(PARAMETER_INFO)
    groups = state.editable_parameters()
    assert groups["revenue"][0].name == state.main_revenue_parameter().name
    policy = {i.name for i in PARAMETER_INFO.values() if i.group == "policy"}
    assert {i.name for i in groups["policy"]} == policy  # all the regulator's levers together


def test_bad_values_keep_the_model_and_messages_are_clean():
    s = state.LiveSession()
    s.step()
    s.set_value("gpu_economic_life", int(PARAMETER_INFO["gpu_economic_life"].max))
    assert not s.reset()
    assert "gpu_economic_life" in s.error
    assert s.snapshot.t == 1
    s.set_seed("abc")
    assert "whole number" in s.error
    s.set_seed("7")
    assert s.error is None and s.seed == 7  # no stale message


REVENUE = state.main_revenue_parameter()  # the main revenue assumption, whatever its name
TYPO = REVENUE.name[:2] + REVENUE.name[3:]  # one letter dropped
MID = round((REVENUE.min + REVENUE.max) / 2)


def test_upload_messages_name_the_file_not_the_server_path():
    s = state.LiveSession()
    assert not s.load_upload("notes.txt", b"hello")
    assert ".toml" in s.error
    assert not s.load_upload("typo.toml", f"[parameters]\n{TYPO} = 5\n".encode())
    assert f"did you mean '{REVENUE.name}'" in s.error
    assert "known parameters" not in s.error and "average_wage" not in s.error
    assert "/tmp" not in s.error and "aidb-upload" not in s.error
    assert s.error.count("typo.toml") == 1
    assert not s.load_upload("flag.toml", f"[parameters]\n{REVENUE.name} = true\n".encode())
    assert "outside" not in s.error and "number" in s.error
    assert not s.load_upload("empty.toml", b"")
    assert "sets no parameters" in s.error
    assert not s.load_upload("bad.toml", b"[parameters\nx = ")
    assert "TOML" in s.error and "/tmp" not in s.error
    ok = f'[scenario]\nname = "mine"\n[parameters]\n{REVENUE.name} = {MID}\n'.encode()
    assert s.load_upload("mine.toml", ok)
    assert s.error is None and s.snapshot.params[REVENUE.name] == MID


def test_uploaded_scenario_folders_go_with_the_session():
    # a defect found in use: every upload left an aidb-upload-* folder in /tmp for good
    import gc
    import os
    import tempfile

    s = state.LiveSession()
    ok = f'[parameters]\n{REVENUE.name} = {MID}\n'.encode()
    assert s.load_upload("one.toml", ok)
    first = os.path.dirname(s.scenario_path)
    assert s.load_upload("two.toml", ok)
    second = os.path.dirname(s.scenario_path)
    assert not os.path.exists(first) and os.path.exists(second)
    assert s.choose_scenario("baseline")
    del s
    gc.collect()
    assert not os.path.exists(second)
    # a file that passes the checks but cannot build a model leaves no folder either
    s, before = state.LiveSession(), set(os.listdir(tempfile.gettempdir()))
    bad = b"[parameters]\ngpu_economic_life = 30\ngpu_book_life = 20\n"
    assert not s.load_upload("lives.toml", bad) and "gpu_book_life" in s.error
    assert not {d for d in os.listdir(tempfile.gettempdir()) if d.startswith("aidb-upload-")
                } - before


def test_upload_size_is_checked_before_reading():
    assert upload.too_big("x.toml", upload.MAX_UPLOAD_BYTES) is None
    msg = upload.too_big("huge.toml", 200_000_000)
    assert "huge.toml" in msg and "100 kB" in msg and "Nothing was read" in msg
    assert "100 kB" in upload.LIMIT_TEXT  # the limit is stated on screen


def test_missing_front_end_file_is_a_setup_error_not_a_download(monkeypatch, tmp_path):
    import requests
    import solara.server.cdn_helper as cdn_helper

    def no_network(*a, **k):
        raise AssertionError("the app tried to download from a CDN")

    monkeypatch.setattr(requests, "get", no_network)
    assert cdn_helper.fetch_from_cdn is offline.refuse_cdn_fetch  # set by importing app
    with pytest.raises(offline.MissingAssetError, match=r"setup\.sh"):
        cdn_helper.get_path(tmp_path, "no-such-package@1.0.0/x.js")
    (tmp_path / "pkg@1.0.0").mkdir()
    (tmp_path / "pkg@1.0.0" / "x.js").write_text("ok")
    assert cdn_helper.get_path(tmp_path, "pkg@1.0.0/x.js").read_text() == "ok"


# ------------------------------------------------------------------------- content
def all_claims() -> list[content.Claim]:
    return [c for ch in learn.CHAPTERS for c in ch.all_claims] + list(about.STORY)


def test_every_claim_has_a_source_and_a_date():
    claims = all_claims()
    assert len(claims) >= 20
    for c in claims:
        assert isinstance(c.source, content.Source)
        assert c.source.publisher.strip() and re.search(r"\d{4}", c.source.date), c.text
    with pytest.raises(TypeError):
        content.Claim("An unsourced statement.", None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        content.Source("", "x", "2025")


def test_framing_texts_carry_no_numbers():
    # numbers in the tour are either sourced claims or computed "in this run"
    for ch in learn.CHAPTERS:
        assert not re.search(r"\d", ch.intro), ch.title


def test_content_corrections_of_issue_13():
    text = " ".join(c.text for c in all_claims())
    assert "30% of net" in text
    jpm = next(c for c in all_claims() if c.source is content.JPM)
    assert "$5-7 trillion" in jpm.text and "issuance" in jpm.text and "2028" not in jpm.text
    assert any(c.source.stance.startswith("socialist") for c in all_claims())
    # at least one mainstream counterpoint per chapter with contested claims
    for ch in learn.CHAPTERS:
        if ch.claims and ch.title[0] not in "5":
            assert ch.counterpoints, ch.title
    about_text = about.MODEL_TEXT + about.LIMITS
    assert "Rogers" not in about_text and "Eisenberg" in about_text
    assert "end-2024" in about_text and "late 2025" not in about_text


def test_chapters_have_a_question_answered_by_the_live_model(bust_session):
    snap = bust_session.snapshot
    assert len(learn.CHAPTERS) == 8
    assert any("bubble" in ch.title.lower() for ch in learn.CHAPTERS)
    for ch in learn.CHAPTERS:
        assert ch.question.endswith("?") or "?" in ch.question
        assert ch.answer(snap) and ch.in_this_run(snap)
        assert ch.chart in ("revenue", "bubble", "debt", "financing", "utilisation", "losses",
                            "credit", "network")
    html_ = learn.run_html(learn.CHAPTERS[0], snap)
    assert "in this run" in html_.lower()


def test_glossary_marks_terms_with_definitions():
    out = glossary.glossify("<p>The SPVs pay a gate at 5% of NAV; SPV again.</p><h2>NAV</h2>")
    assert out.count("class='gloss'") == 3  # SPV once, gate, NAV (not in the heading)
    assert "Special purpose vehicle" in out
    assert "class='gloss'" in glossary.glossify("the circular core")
    for term in ("investment grade", "take-or-pay", "gate", "tranche", "circular core",
                 "residual value guarantee", "RWA", "NAV", "LP", "basis point", "neocloud"):
        assert term in glossary.TERMS, term
    assert glossary.lookup("bp") == "basis point" and glossary.lookup("IG") == "investment grade"


# ------------------------------------------------------------------------- Compare
def test_compare_runs_through_run_batch_on_a_process_pool(monkeypatch):
    calls = []
    real = compare_job.run_batch

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(compare_job, "run_batch", spy)
    job = compare_job.CompareJob(scenarios=["bust", "mine"], seeds=3, quarters=8, workers=2,
                                 custom={"mine": ("baseline", {"herding": 0.9})})
    assert job.start(background=False)
    assert job.error is None, job.error
    assert {c["executor"] for c in calls} == {"process"}
    assert all(c["progress"] is False for c in calls)
    assert all(callable(c["on_progress"]) and c["cancel"] is job._stop for c in calls)
    assert "run_fn" not in calls[0]  # progress and Cancel are run_batch's own
    assert calls[1]["overrides"] == {"herding": 0.9}
    res = job.results
    assert list(res.columns[:4]) == ["scenario", "seed", "quarter", "t"]
    assert sorted(res["scenario"].unique()) == ["bust", "mine"]
    direct = AIEconomy("baseline", rng=1, herding=0.9).run(8)
    got = res[(res["scenario"] == "mine") & (res["seed"] == 1)]
    assert got["ai_revenue"].tolist() == pytest.approx(direct["ai_revenue"].tolist())
    assert job.message.startswith("6 runs")
    rows = compare.summary(res, ["bust", "mine"])
    assert [r[0] for r in rows] == ["bust", "mine"] and rows[0][2].endswith("%")
    assert job.csv().startswith(b"scenario,seed,quarter,t,")


def test_compare_progress_counts_runs_across_groups():
    seen: list[tuple[int, int]] = []
    job = compare_job.CompareJob(scenarios=["bust", "mine"], seeds=4, quarters=4, workers=2,
                                 custom={"mine": ("baseline", {"herding": 0.9})})
    job.listener = lambda: seen.append((job.done, job.total))
    assert job.start(background=False) and job.error is None
    done = [d for d, _t in seen]
    assert done == sorted(done) and done[-1] == 8 and {t for _d, t in seen} == {8}
    assert any(0 < d < 8 for d in done)  # the first group's runs count before the second's


def test_compare_cancel_keeps_the_runs_done():
    job = compare_job.CompareJob(scenarios=["baseline"], seeds=200, quarters=40, workers=2)
    assert job.start()
    assert job.running
    deadline = time.time() + 60
    while job.done < 3 and time.time() < deadline:
        time.sleep(0.05)
    assert job.done >= 3  # progress arrived while it ran
    t0 = time.time()
    job.cancel()
    job.wait(120)
    assert not job.running and job.cancelled
    assert time.time() - t0 < 30  # the rest is not run
    assert job.message.startswith("Cancelled after")
    n = job.results["seed"].nunique()
    assert 3 <= n < 200 and f"after {n} of 200" in job.message and job.done == n


# ------------------------------------------------------------------------- pages
def test_live_page_step_updates_cards_and_charts(rendered):
    rc = rendered
    assert "start" in card(rc, "quarter")
    before = chart_options(rc)
    assert {"revenue", "bubble", "debt", "utilisation", "losses", "credit", "network"} <= set(
        before)
    click(rc, "▸ Balance sheet inspector: pick any agent")
    assert "balance_sheet" in chart_options(rc)
    click(rc, "Step")
    click(rc, "Step")
    assert card(rc, "quarter") == "2025Q2"
    after = chart_options(rc)
    assert len(after["revenue"]["series"][0]["data"]) == 2
    assert "data-card='capex'" in html_text(rc) and "all builders" in html_text(rc)
    assert "exposure-list" in html_text(rc)  # the phone's ranked list is there (CSS shows it)


def test_a_step_redraws_the_main_area_not_the_sidebar(rendered):
    rc = rendered
    click(rc, "Step")
    sidebar, main = live.Controls.render_count, live.MainArea.render_count
    for _ in range(3):
        click(rc, "Step")
    assert live.MainArea.render_count - main == 3
    assert live.Controls.render_count == sidebar  # the speed budget depends on it
    toggle(rc, "boom")
    assert live.Controls.render_count > sidebar


def test_learn_keeps_the_chapter_and_show_me_plays(rendered):
    rc = rendered
    tab(rc, "Learn")
    click(rc, "3. Round and round")
    assert "Round and round" in html_text(rc)
    tab(rc, "About")
    tab(rc, "Learn")
    assert "<h2>3. Round and round</h2>" in html_text(rc)  # the chapter is kept
    click(rc, "Show me")
    assert rc.find(v.Tabs).widget.v_model == app.TABS.index("Live")
    assert "Back to chapter 3" in [c for b in rc.find(v.Btn).widgets for c in b.children
                                   if isinstance(c, str)]
    deadline = time.time() + 30
    while "2026Q2" not in card(rc, "quarter") and time.time() < deadline:
        time.sleep(0.1)  # Play runs in a thread up to the chapter's quarter (6)
    assert card(rc, "quarter") == "2026Q2"
    while not buttons(rc, "Play") and time.time() < deadline:
        time.sleep(0.1)  # Play has stopped by itself at the chapter's quarter
    time.sleep(0.5)  # ... and its thread has finished its last render
    click(rc, "Back to chapter 3")
    assert rc.find(v.Tabs).widget.v_model == app.TABS.index("Learn")
    assert "<h2>3. Round and round</h2>" in html_text(rc)
    click(rc, "Answer from the live model")
    assert "data-testid='answer'" in html_text(rc)


def test_about_page_and_calibration_targets(rendered):
    rc = rendered
    tab(rc, "About")
    text = html_text(rc)
    assert "Eisenberg" in text and "Limits" in text and "calibration-targets" in text
    assert "socialist" in text


def test_challenge_from_start_to_score():
    from ui import challenge as game

    assert game.hidden_revenue(7) == game.hidden_revenue(7)
    name, value = game.hidden_revenue(7)
    lo, hi = PARAMETER_INFO[name].min, state.scenario_values("bust")[name]  # revenue disappoints
    assert name == state.main_revenue_parameter().name and lo <= value <= hi
    values = [game.hidden_revenue(n)[1] for n in range(200)]
    assert min(values) < lo + 0.1 * (hi - lo) and max(values) > hi - 0.1 * (hi - lo)
    names = [i.name for i in game.levers()]
    assert names == [i.name for i in PARAMETER_INFO.values() if i.group == "policy"] or \
        sorted(names) == sorted(i.name for i in PARAMETER_INFO.values() if i.group == "policy")
    assert "bank_capital_requirement" in names and "redemption_gate" in names
    ch = game.Challenge(7)
    ch.set_lever("bank_capital_requirement", 0.15)
    while not ch.finished:
        assert ch.play_round()
    s = ch.result
    assert s is not None and s.seed == 7 and 0 <= s.points <= 100
    assert s.passed == (s.losses <= s.target)
    assert [e.lever for e in s.effects] == ["bank_capital_requirement"]
    assert ch.model.params.bank_capital_requirement == 0.15
    # the same number replays the same challenge
    again = game.replay(7, tuple(ch.schedule), 40)
    assert again["capex"].tolist() == pytest.approx(ch.frame()["capex"].tolist())


def test_challenge_levers_change_in_every_round():
    from ui import challenge as game

    ch = game.Challenge(7)
    assert ch.play_round()  # round 1 with the default levers
    assert ch.set_lever("consolidate_spvs", 1) and ch.set_lever("lolr_budget", 200)
    assert ch.play_round()
    assert ch.model.params.consolidate_spvs == 1 and ch.model.params.lolr_budget == 200
    policy = [e for e in ch.model.events if e.kind == "policy"]
    assert len(policy) == 2 and {e.t for e in policy} == {8}  # logged, from 2027Q1
    assert ch.moves() == [(8, "consolidate_spvs", 0.0, 1.0), (8, "lolr_budget", 0.0, 200.0)]
    assert ch.set_lever("lolr_budget", 0)
    assert ch.play_round()  # round 3: a lever goes back
    assert ch.model.params.lolr_budget == 0
    assert ch.moves()[-1] == (16, "lolr_budget", 200.0, 0.0)
    while not ch.finished:
        assert ch.play_round()
    assert {e.lever for e in ch.result.effects} == {"consolidate_spvs", "lolr_budget"}
    again = game.replay(7, tuple(ch.schedule), 40)  # the same number, the same moves
    assert again["capex"].tolist() == pytest.approx(ch.frame()["capex"].tolist())
    assert again[game.LOSSES].tolist() == pytest.approx(ch.frame()[game.LOSSES].tolist())


def test_a_lever_outside_its_range_is_refused_and_the_game_goes_on():
    from ui import challenge as game

    ch = game.Challenge(7)
    assert ch.play_round()
    gate = PARAMETER_INFO["redemption_gate"]
    assert not ch.set_lever("redemption_gate", gate.max + 0.4)
    assert "redemption_gate" in ch.error and f"[{gate.min:g}, {gate.max:g}]" in ch.error
    assert ch.values["redemption_gate"] == gate.default  # the lever keeps its value
    assert not ch.set_lever("herding", 0.5) and "not a policy lever" in ch.error
    assert ch.play_round() and ch.t == 2 * game.QUARTERS_PER_ROUND and ch.error is None
    assert ch.model.params.redemption_gate == gate.default


def test_challenge_page_refuses_a_bad_slider_value_and_records_moves(rendered):
    rc = rendered
    tab(rc, "Challenge")
    click(rc, "Start a challenge")
    click(rc, "Play round 1")
    gate = PARAMETER_INFO["redemption_gate"]
    slider = next(w for w in rc.find(v.Slider).widgets if w.label == gate.label)
    slider.v_model = gate.max + 0.4  # what a tampered or stale front end could send
    alerts = " ".join(str(c) for w in rc.find(v.Alert).widgets for c in w.children)
    assert "redemption_gate" in alerts and "outside the allowed range" in alerts
    switch = next(w for w in rc.find(v.Switch).widgets
                  if w.label == PARAMETER_INFO["consolidate_spvs"].label)
    switch.v_model = True
    click(rc, "Play round 2")
    text = html_text(rc)
    assert "data-testid='challenge-moves'" in text and "off → on" in text
    assert "Round 3 of" in text


def test_challenge_points_worked_example():
    from ui import challenge as game

    t = game.TARGET_BN
    assert game.points(t, 90.0, 100.0) == game.LOSS_POINTS + 27  # met, 90% of the capex
    assert game.points(2 * t, 100.0, 100.0) == game.LOSS_POINTS // 2 + game.INVESTMENT_POINTS
    assert game.points(0.0, 120.0, 100.0) == 100  # more capex than doing nothing: capped


def test_challenge_calibration_table_and_errors(capsys):
    from ui import challenge_calibration as cal

    lines = cal.table(2, workers=2)
    rows = [ln for ln in lines if ln.startswith("| ") and "strategy" not in ln]
    assert len(rows) == len(cal.STRATEGIES) and rows[0].startswith("| do nothing |")
    assert "| 0% |" in rows[0]  # doing nothing against itself
    assert "[150, 300]" in lines[0] or "hidden in [" in lines[0]
    with pytest.raises(SystemExit) as err:
        cal.main(["--draws", "0"])
    assert err.value.code == 2 and "--draws must be 1 or more" in capsys.readouterr().err


def test_challenge_page_renders_and_plays(rendered):
    rc = rendered
    tab(rc, "Challenge")
    click(rc, "Start a challenge")
    for n in range(1, 6):
        click(rc, f"Play round {n}")
    text = html_text(rc)
    assert "data-testid='challenge-score'" in text and "Score:" in text
