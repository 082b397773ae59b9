"""Fast tests of the app without a browser: formatting, chart builders, session state and
the pages rendered with ``solara.render`` (buttons clicked on the widgets)."""

from __future__ import annotations

import io
import json
import math
import re
import time

import ipyvuetify as v
import pandas as pd
import pytest
import solara
import solara.widgets

import app
from model import PARAMETER_INFO, AIEconomy
from ui import about, charts, compare, learn, live, state, theme
from ui import format as fmt


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
    m = re.search(rf"data-card='{key}'.*?class='card-value'[^>]*>([^<]*)<", html_text(rc), re.S)
    assert m, f"no card {key}"
    return m.group(1)


def chart_options(rc) -> dict[str, dict]:
    from solara.components.echarts import EchartsWidget

    return {w.attributes["data-chart"]: w.option for w in rc.find(EchartsWidget).widgets}


@pytest.fixture
def rendered():
    _box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()


# ------------------------------------------------------------------------------ format
def test_format_numbers_for_people():
    assert fmt.money(1520) == "1.52T"
    assert fmt.money(124) == "124B"
    assert fmt.money(12.5) == "12.5B"
    assert fmt.money(0.4) == "400M"
    assert fmt.money(-56, signed=True) == "-56B"
    assert fmt.money(3, signed=True) == "+3B"
    assert fmt.money(float("nan")) == fmt.DASH
    assert fmt.bp(-0.0056) == "-56 bp"
    assert fmt.pct(0.125) == "12.5%"
    assert fmt.pp(-0.012) == "-1.2 pp"
    assert fmt.quarter(10) == "2027Q3"
    assert fmt.quarter(0) == "2025Q1"
    assert fmt.spread_to_fraction(75.0) == pytest.approx(0.0075)
    assert fmt.spread_to_fraction(0.0075) == pytest.approx(0.0075)
    assert fmt.count(15_200_000) == "15.2M"


def test_one_colour_per_role_and_scenario():
    assert len(set(theme.ROLE_COLORS.values())) == len(theme.ROLE_COLORS)
    assert len(set(theme.SCENARIO_COLORS.values())) == len(theme.SCENARIO_COLORS)
    assert theme.bearer_color("bank") == theme.ROLE_COLORS["bank"]


# ------------------------------------------------------------------------------ charts
@pytest.fixture(scope="module")
def bust_run():
    m = AIEconomy("bust", rng=1)
    m.run(24)
    return m


def _agents(m):
    return [{"name": a.name, "role": a.role, "status": a.status, "total_assets": a.total_assets}
            for a in m.finance_agents]


def test_chart_builders_are_json_and_follow_the_frame(bust_run):
    m = bust_run
    df = m.results()
    builders = [charts.revenue_capex, charts.bubble, charts.debt_stack, charts.utilisation,
                charts.losses]
    for build in builders:
        opt = build(df, m.events, 40)
        json.dumps(opt, allow_nan=False)
        assert opt["animation"] is False
        assert len(opt["xAxis"]["data"]) == 40
        assert len(opt["series"][0]["data"]) == len(df)
        short = build(df.iloc[:10], m.events, 40)
        assert len(short["series"][0]["data"]) == 10
    credit = charts.credit(df, 0.1, m.events)
    json.dumps(credit, allow_nan=False)
    assert credit["series"][1]["markLine"]["data"][0]["yAxis"] == 10.0
    # spreads arrive in bp and are drawn in bp
    assert credit["series"][0]["data"][-1] == pytest.approx(df["credit_spread_ig"].iloc[-1], 0.01)
    rev = charts.revenue_capex(df)
    assert rev["series"][1]["data"][-1] == pytest.approx(4 * df["ai_revenue"].iloc[-1], abs=0.1)


def test_losses_chart_stacks_by_bearer():
    df = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "defaults": [0, 1],
                       "losses_bank": [0.0, 2.0], "losses_fund": [0.0, 5.0]})
    opt = charts.losses(df)
    names = [s["name"] for s in opt["series"]]
    assert names == ["Banks", "Private-credit funds", "Defaults this quarter"]
    assert opt["series"][0]["stack"] == opt["series"][1]["stack"]


def test_event_markers_on_time_axis():
    class E:
        def __init__(self, q, kind):
            self.quarter, self.kind, self.text = q, kind, ""

    marks = charts.event_marks([E("2027Q3", "default"), E("2027Q3", "default"),
                                E("2028Q1", "gate"), E("2028Q1", "deal")])
    assert [d["xAxis"] for d in marks["data"]] == ["2027Q3", "2028Q1"]
    assert marks["data"][0]["name"] == "default x2"


def test_network_nodes_links_status_and_vendor_loops():
    agents = [
        {"name": "Nvidia", "role": "chipmaker", "status": "active", "total_assets": 200},
        {"name": "OpenAI", "role": "lab", "status": "distressed", "total_assets": 50},
        {"name": "Oracle", "role": "hyperscaler", "status": "active", "total_assets": 150},
        {"name": "SPV", "role": "spv", "status": "defaulted", "total_assets": 30},
        {"name": "Blue Owl", "role": "fund", "status": "active", "total_assets": 100},
    ]
    ex = pd.DataFrame([("OpenAI", "Nvidia", "equity", 70.0), ("OpenAI", "Oracle", "compute", 300.0),
                       ("SPV", "Blue Owl", "loan", 27.0), ("Oracle", "SPV", "lease", 38.0),
                       ("Oracle", "Bond investors", "bond", 90.0)],
                      columns=["debtor", "creditor", "kind", "amount"])
    opt = charts.network(ex, agents, highlight_cycles=True)
    json.dumps(opt, allow_nan=False)
    s = opt["series"][0]
    assert s["layout"] == "none"
    names = [n["name"] for n in s["data"]]
    assert "Bond investors" not in names  # outside sector hidden by default
    node = {n["name"]: n for n in s["data"]}
    assert node["OpenAI"]["itemStyle"]["borderColor"] == theme.DISTRESS
    assert node["SPV"]["label"]["formatter"].startswith("✖")
    assert node["Nvidia"]["itemStyle"]["color"] == theme.ROLE_COLORS["chipmaker"]
    links = {(names[lk["source"]], names[lk["target"]]): lk for lk in s["links"]}
    assert links[("OpenAI", "Oracle")]["lineStyle"]["width"] > links[("SPV", "Blue Owl")][
        "lineStyle"]["width"]
    circular = {k for k, lk in links.items() if lk["lineStyle"]["color"] == theme.ORANGE}
    assert circular == {("OpenAI", "Nvidia"), ("OpenAI", "Oracle")}
    with_outside = charts.network(ex, agents, show_outside=True)
    assert "Bond investors" in [n["name"] for n in with_outside["series"][0]["data"]]


def test_balance_sheet_chart_assets_up_liabilities_down():
    hist = [("start", {"assets": {"cash": 10.0}, "liabilities": {"loan": 4.0, "equity": 6.0}}),
            ("2025Q1", {"assets": {"cash": 12.0}, "liabilities": {"loan": 5.0, "equity": 7.0}})]
    opt = charts.balance_sheet(hist, "X")
    by = {s["name"]: s["data"] for s in opt["series"]}
    assert by["cash"] == [10.0, 12.0]
    assert by["loan (liability)"] == [-4.0, -5.0]
    assert by["equity"] == [-6.0, -7.0]


def test_fan_chart_band():
    bands = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "p10": [1.0, 2.0],
                          "p50": [2.0, 3.0], "p90": [4.0, 6.0]})
    opt = charts.fan(bands, "bust", "bubble_index", "Bubble index", "#000")
    assert opt["series"][1]["data"] == [3.0, 4.0]  # band height = p90 - p10
    assert opt["series"][2]["data"] == [2.0, 3.0]


# ------------------------------------------------------------------------------- state
def test_sidebar_has_the_levers_the_issue_asks_for():
    groups = state.editable_parameters()
    names = {i.name for items in groups.values() for i in items}
    for lever in ("revenue_ceiling", "revenue_growth", "compute_price_decline", "herding",
                  "gpu_economic_life", "spv_appetite", "lp_redemption_sensitivity",
                  "bank_capital_requirement", "base_rate"):
        assert lever in names
    assert all(state.is_switch(i) or i.group == "shocks" for i in groups["shocks"])
    assert any(state.is_switch(i) for i in groups["shocks"])


def test_session_step_reset_and_pending():
    s = state.LiveSession()
    assert s.snapshot.t == 0 and s.snapshot.quarter == ""
    s.step()
    s.step()
    assert s.snapshot.t == 2 and s.snapshot.quarter == "2025Q2"
    assert len(s.snapshot.frame) == 2
    s.set_value("herding", 0.9)
    assert s.pending() == [PARAMETER_INFO["herding"].label]
    assert s.model.params.herding != 0.9  # applies on Reset only
    assert s.reset()
    assert s.model.params.herding == 0.9 and s.snapshot.t == 0 and not s.pending()


def test_bad_value_shows_parameter_error_and_keeps_model():
    s = state.LiveSession()
    s.step()
    # economic life above book life is rejected by the model's validation
    s.set_value("gpu_economic_life", int(PARAMETER_INFO["gpu_economic_life"].max))
    assert not s.reset()
    assert "gpu_economic_life" in s.error
    assert s.snapshot.t == 1  # the old model keeps running
    s.step()
    assert s.snapshot.t == 2
    s.set_seed("abc")
    assert "whole number" in s.error


def test_upload_good_and_bad_scenarios(tmp_path):
    s = state.LiveSession()
    assert not s.load_upload("notes.txt", b"hello")
    assert ".toml" in s.error
    assert not s.load_upload("bad.toml", b"[parameters\nrevenue_ceiling = ")
    assert "bad.toml" in s.error and "TOML" in s.error
    assert not s.load_upload("range.toml", b"[parameters]\nrevenue_ceiling = -5\n")
    assert "revenue_ceiling" in s.error
    assert not s.load_upload("unknown.toml", b"[parameters]\nno_such_thing = 1\n")
    assert "no_such_thing" in s.error
    assert not s.load_upload("huge.toml", b"#" * 200_000)
    assert "limit" in s.error
    ok = b'[scenario]\nname = "mine"\n[parameters]\nrevenue_ceiling = 1234.0\n'
    assert s.load_upload("mine.toml", ok)
    assert s.error is None and s.model.params.revenue_ceiling == 1234.0
    assert "uploaded" in s.scenario_label
    s.set_value("herding", 0.1)
    assert s.reset() and s.model.params.revenue_ceiling == 1234.0


def test_show_me_sets_up_scenario_quarter_and_chart():
    s = state.LiveSession()
    assert s.show_me("bust", 12, "utilisation")
    assert s.snapshot.t == 12 and s.scenario == "bust" and s.highlight == "utilisation"


# ------------------------------------------------------------------------------- pages
def test_live_page_step_updates_cards_and_charts(rendered):
    rc = rendered
    assert "start" in card(rc, "quarter")
    before = chart_options(rc)
    assert {"revenue", "bubble", "debt", "utilisation", "losses", "credit", "network",
            "balance_sheet"} <= set(before)
    click(rc, "Step")
    click(rc, "Step")
    assert card(rc, "quarter") == "2025Q2"
    after = chart_options(rc)
    assert len(after["revenue"]["series"][0]["data"]) == 2
    assert after["revenue"] != before["revenue"]
    assert card(rc, "revenue").endswith("B")


def test_live_page_slider_change_is_pending_until_reset(rendered):
    rc = rendered
    sliders = rc.find(v.Slider).widgets
    assert sliders
    click(rc, "Step")
    info = PARAMETER_INFO["revenue_ceiling"]
    target = next(w for w in sliders if w.min == info.min and w.max == info.max)
    target.v_model = 2000.0
    assert "Applies on Reset" in " ".join(
        str(c) for w in rc.find(v.Alert).widgets for c in w.children)
    assert card(rc, "quarter") == "2025Q1"
    click(rc, "Reset")
    assert "start" in card(rc, "quarter")
    assert not [w for w in rc.find(v.Alert).widgets if "Applies on Reset" in str(w.children)]


def test_scenario_switch_restarts(rendered):
    rc = rendered
    click(rc, "Step")
    toggle(rc, "bust")
    assert "start" in card(rc, "quarter")
    assert "300B" in html_text(rc)  # the bust scenario's own description


def test_two_sessions_do_not_share_state():
    _box1, rc1 = solara.render(app.Page(), handle_error=False)
    _box2, rc2 = solara.render(app.Page(), handle_error=False)
    for _ in range(3):
        click(rc1, "Step")
    assert card(rc1, "quarter") == "2025Q3"
    assert "start" in card(rc2, "quarter")
    rc1.close()
    rc2.close()


def _tab(rc, name: str) -> None:
    rc.find(v.Tabs).widget.v_model = app.TABS.index(name)


def test_compare_page_runs_in_background_and_tabulates(rendered):
    rc = rendered
    _tab(rc, "Compare")
    for w in rc.find(v.Slider).widgets:
        if str(w.label).startswith("Seeds per scenario"):
            w.v_model = 5
    for w in rc.find(v.Slider).widgets:
        if str(w.label).startswith("Quarters"):
            w.v_model = 12
    click(rc, "Run")
    deadline = time.monotonic() + 60
    while "compare-table" not in html_text(rc) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # the background thread may still be rendering the last widgets
    text = html_text(rc)
    assert "15 runs in" in text
    assert "compare-table" in text and "boom" in text and "bust" in text
    assert {"fan-boom", "fan-baseline", "fan-bust"} <= set(chart_options(rc))
    fan = chart_options(rc)["fan-bust"]
    assert len(fan["series"][2]["data"]) == 12


def test_compare_job_csv():
    job = compare.CompareJob(scenarios=["bust", "boom"], seeds=3, quarters=6)
    assert job.start(background=False)
    assert job.csv().startswith(b"scenario,seed,quarter,t,")
    summary = pd.read_csv(io.BytesIO(job.summary_csv()))
    assert len(summary) == 6 and "crisis" in summary.columns
    back = pd.read_parquet(io.BytesIO(job.parquet()))
    assert len(back) == 6 * 6 and list(back.columns[:4]) == ["scenario", "seed", "quarter", "t"]
    rows = compare.summary(job.results, job.ran_scenarios)
    assert [r[0] for r in rows] == ["bust", "boom"]


def test_compare_cancel_keeps_partial_results():
    job = compare.CompareJob(scenarios=["baseline"], seeds=50, quarters=8)
    calls = []

    def slow(scenario, seed, quarters):
        calls.append(seed)
        if seed == 2:
            job.cancel()
        return AIEconomy(scenario, rng=seed).run(quarters)

    job.start(run_fn=slow, background=False)
    assert job.done == 3 and "Cancelled" in job.message
    assert set(job.results["seed"]) == {0, 1, 2}


def test_learn_chapters_short_sourced_and_show_me(rendered):
    assert 6 <= len(learn.CHAPTERS) <= 8
    for ch in learn.CHAPTERS:
        assert learn.word_count(ch.text) <= 120, ch.title
        assert ch.sources and ch.question.endswith("?")
        assert ch.chart in {"revenue", "bubble", "debt", "utilisation", "losses", "credit",
                            "network"}
    rc = rendered
    _tab(rc, "Learn")
    click(rc, learn.CHAPTERS[4].title)
    click(rc, "Show me")
    assert rc.find(v.Tabs).widget.v_model == 0
    ch = learn.CHAPTERS[4]
    assert card(rc, "quarter") == fmt.quarter(ch.quarter - 1)
    assert "Look here" in html_text(rc)


def test_about_page_renders_assumptions_and_parameters(rendered):
    rc = rendered
    _tab(rc, "About")
    text = html_text(rc)
    assert "Eisenberg" in text and "Limits" in text
    assert "revenue_ceiling" in text


def test_header_cards_html_formats():
    s = state.LiveSession()
    s.step()
    s.step()
    h = live.header_cards_html(s.snapshot)
    for key in ("quarter", "revenue", "capex", "debt", "bubble", "defaults", "jobs", "capital"):
        assert f"data-card='{key}'" in h
    assert not re.search(r"\bnan\b", h)


def test_event_log_newest_first_and_filter():
    class E:
        def __init__(self, q, kind, text):
            self.quarter, self.kind, self.text = q, kind, text

    evs = [E("2025Q1", "deal", "first"), E("2025Q2", "default", "second <b>")]
    h = live.event_log_html(evs, ["deal", "default"])
    assert h.index("second") < h.index("first")
    assert "&lt;b&gt;" in h  # escaped
    assert "first" not in live.event_log_html(evs, ["default"])


def test_calibration_lookup_does_not_crash():
    fn = about.find_calibration()
    assert fn is None or callable(fn)
    assert math.isfinite(len(about.parameter_rows()))


def test_model_error_becomes_a_message_not_a_traceback(monkeypatch):
    s = state.LiveSession()
    s.step()

    def boom():
        raise RuntimeError("ledger out of balance")

    monkeypatch.setattr(s.model, "step", boom)
    assert s.step() is False
    assert "ledger out of balance" in s.error and "Reset" in s.error
    assert s.done and s.snapshot.t == 1
    assert s.step() is False  # stays stopped until Reset
    assert s.reset() and not s.failed and s.error is None


def test_compare_my_live_settings(rendered):
    rc = rendered
    for w in rc.find(v.Slider).widgets:
        info = PARAMETER_INFO["revenue_ceiling"]
        if w.min == info.min and w.max == info.max:
            w.v_model = 2500.0
    click(rc, "Reset")
    _tab(rc, "Compare")
    group = next(g for g in rc.find(v.BtnToggle).widgets
                 if any(compare.LIVE_SETTINGS in b.children for b in g.children))
    labels = [next(c for c in b.children if isinstance(c, str)) for b in group.children]
    group.v_model = [labels.index("bust"), labels.index(compare.LIVE_SETTINGS)]
    for w in rc.find(v.Slider).widgets:
        if str(w.label).startswith("Seeds per scenario"):
            w.v_model = 5
        if str(w.label).startswith("Quarters"):
            w.v_model = 8
    click(rc, "Run")
    deadline = time.monotonic() + 60
    while "compare-table" not in html_text(rc) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    text = html_text(rc)
    assert compare.LIVE_SETTINGS in text and "bust" in text
    assert "fan-my-Live-settings" in chart_options(rc)


def test_compare_custom_settings_are_used():
    job = compare.CompareJob(scenarios=["mine", "baseline"], seeds=2, quarters=12)
    job.custom = {"mine": ("baseline", {"revenue_ceiling": 3000.0})}
    assert job.start(background=False)
    last = job.results.groupby("scenario")["ai_revenue"].last()
    assert last["mine"] > 2 * last["baseline"]


def test_a_step_redraws_the_main_area_not_the_sidebar(rendered):
    rc = rendered
    click(rc, "Step")
    sidebar, main = live.Controls.render_count, live.MainArea.render_count
    for _ in range(3):
        click(rc, "Step")
    assert live.MainArea.render_count - main == 3
    assert live.Controls.render_count == sidebar  # the speed budget depends on it
    toggle(rc, "boom")  # a setting: the sidebar redraws with the boom values
    assert live.Controls.render_count > sidebar
    assert "2500" in html_text(rc)
