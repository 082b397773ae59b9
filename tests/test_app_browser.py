"""The app in a real browser (Debian's Chromium + Playwright), served by ``app_server``.

Each test opens the page, drives it like a person (buttons, sliders, tabs) and checks that
chart *content* changed, reading the data echarts holds in the page. Screenshots of every
page go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TIME_CHARTS = ("revenue", "bubble", "debt", "utilisation", "losses", "credit")

SERIES_JS = """([key, i]) => {
  const el = document.querySelector(`[data-chart=${key}]`);
  const c = el && el.__vue__ && el.__vue__.chart;
  if (!c) return null;
  const s = c.getOption().series[i];
  return s ? s.data : null;
}"""
READY_JS = """keys => keys.every(k => { const e = document.querySelector(`[data-chart=${k}]`);
  return e && e.__vue__ && e.__vue__.chart; })"""


def shot(page, name: str) -> None:
    """Screenshot of the whole page (the app scrolls inside its layout: use a tall window)."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('body, body *')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 40)})
    page.wait_for_timeout(300)  # charts resize
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def open_app(page, url: str) -> None:
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    page.wait_for_function(READY_JS, arg=list(TIME_CHARTS), timeout=60_000)


def series(page, key: str, i: int = 0):
    return page.evaluate(SERIES_JS, [key, i])


def card(page, key: str) -> str:
    return page.locator(f"[data-card={key}] .card-value").inner_text().strip()


def wait_card(page, key: str, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "([k, t]) => { const e = document.querySelector(`[data-card=${k}] .card-value`);"
        " return e && e.textContent.trim() === t; }", arg=[key, text], timeout=timeout)


def wait_quarter_at_least(page, label: str, timeout: float = 30_000) -> None:
    """Wait until the quarter card shows ``label`` or later (Play may skip a frame)."""
    page.wait_for_function(
        "l => { const e = document.querySelector('[data-card=quarter] .card-value');"
        " const t = e && e.textContent.trim(); return !!t && /^\\d{4}Q\\d$/.test(t) && t >= l; }",
        arg=label, timeout=timeout)


def wait_points(page, key: str, n: int, i: int = 0) -> None:
    page.wait_for_function(
        "([k, i, n]) => { const e = document.querySelector(`[data-chart=${k}]`);"
        " const c = e && e.__vue__ && e.__vue__.chart; if (!c) return false;"
        " const s = c.getOption().series[i]; return s && s.data.length === n; }",
        arg=[key, i, n])


def step(page, times: int = 1) -> None:
    for _ in range(times):
        before = card(page, "quarter")
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            "b => document.querySelector('[data-card=quarter] .card-value')"
            ".textContent.trim() !== b", arg=before)


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def slider_for(page, param: str):
    """The slider under the label that carries ``data-param=param``."""
    return page.locator(f"div:has(> div > b[data-param='{param}'])").get_by_role("slider")


# ---------------------------------------------------------------------------------- Live
def test_live_step_and_play_update_charts(page, app_server):
    open_app(page, app_server)
    assert "start" in card(page, "quarter")
    assert series(page, "revenue") == []
    shot(page, "live-start")
    step(page)
    wait_points(page, "revenue", 1)
    assert card(page, "quarter") == "2025Q1"
    for key in TIME_CHARTS:
        wait_points(page, key, 1)  # each chart's update arrives in its own message
    nodes = series(page, "network")
    assert len(nodes) > 10 and {"Nvidia", "OpenAI", "Meta"} <= {n["name"] for n in nodes}
    # Play at the fastest speed, then pause
    page.get_by_role("button", name="fastest").click()
    page.get_by_role("button", name="Play").click()
    wait_quarter_at_least(page, "2026Q4")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    page.wait_for_timeout(300)  # the last quarter's chart messages
    n = len(series(page, "revenue"))
    assert n >= 8
    page.wait_for_timeout(600)
    assert len(series(page, "revenue")) == n  # paused: no more quarters
    assert series(page, "debt")[-1] > 0
    shot(page, "live")


def test_play_runs_forty_quarters(page, app_server):
    open_app(page, app_server)
    page.get_by_role("button", name="fastest").click()
    page.get_by_role("button", name="Play").click()
    wait_card(page, "quarter", "2034Q4", timeout=120_000)
    page.get_by_role("button", name="Play").wait_for()  # stopped by itself at the horizon
    wait_points(page, "revenue", 40)
    assert card(page, "quarter") == "2034Q4"
    log = page.locator("[data-testid=event-log]").inner_text()
    assert "2034" in log or "203" in log
    shot(page, "live-40-quarters")


def test_scenario_and_slider_change_chart_content(page, app_server):
    open_app(page, app_server)
    step(page, 4)
    wait_points(page, "revenue", 4, 1)
    baseline = series(page, "revenue", 1)  # AI revenue per year
    assert len(baseline) == 4
    page.get_by_role("button", name="bust", exact=True).click()
    wait_card(page, "quarter", "start (2025Q1)")
    assert "300B" in page.locator("body").inner_text()  # the bust scenario's description
    # a slider change is pending until Reset
    s = slider_for(page, "revenue_ceiling")
    s.focus()
    s.press("End")
    page.get_by_text("Applies on Reset").wait_for()
    assert page.locator("b[data-param='revenue_ceiling']").inner_text() == "5000"
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Applies on Reset").wait_for(state="detached")
    step(page, 4)
    wait_points(page, "revenue", 4, 1)
    changed = series(page, "revenue", 1)
    assert len(changed) == 4 and changed != baseline
    shot(page, "live-bust-ceiling-5000")


DROP_JS = """([content, name]) => {
  // What the drop handler of solara's FileDrop does once the browser has read the dropped
  // entries (synthetic drag events carry no file-system entries, so start from there).
  const vm = document.querySelector('.solara-file-drop').__vue__;
  const file = new File([content], name);
  vm.native_file_info = [file];
  vm.file_info = [{name, isFile: true, size: file.size}];
}"""


def test_bad_upload_shows_message_and_page_keeps_working(page, app_server):
    open_app(page, app_server)
    step(page)
    page.evaluate(DROP_JS, ["[parameters]\nrevenue_ceiling = -5\n", "bad.toml"])
    page.get_by_text("Could not use bad.toml").first.wait_for()
    assert "revenue_ceiling" in page.locator("body").inner_text()
    step(page)  # still works
    assert card(page, "quarter") == "2025Q2"
    page.evaluate(DROP_JS, ["[parameters\nrevenue_ceiling = ", "broken.toml"])
    page.get_by_text("Could not use broken.toml").first.wait_for()
    good = '[scenario]\nname = "mine"\n[parameters]\nrevenue_ceiling = 1500.0\n'
    page.evaluate(DROP_JS, [good, "mine.toml"])
    page.get_by_text("Using mine.toml (uploaded)").wait_for()
    page.wait_for_timeout(800)  # the front end must not switch to a packaged scenario
    assert page.get_by_text("Using mine.toml (uploaded)").is_visible()
    assert "start" in card(page, "quarter")
    assert page.locator("b[data-param='revenue_ceiling']").inner_text() == "1500"
    shot(page, "live-uploaded")


def test_two_browser_sessions_are_isolated(browser, app_server):
    a = browser.new_context()
    b = browser.new_context()
    try:
        pa, pb = a.new_page(), b.new_page()
        open_app(pa, app_server)
        open_app(pb, app_server)
        step(pa, 3)
        assert card(pa, "quarter") == "2025Q3"
        assert "start" in card(pb, "quarter")
        assert series(pb, "revenue") == []
        wait_points(pa, "revenue", 3)
        step(pb)
        assert card(pb, "quarter") == "2025Q1"
        assert card(pa, "quarter") == "2025Q3"
        assert len(series(pa, "revenue")) == 3
    finally:
        a.close()
        b.close()


# ------------------------------------------------------------------------------- Compare
def test_compare_runs_in_background_cancel_and_download(page, app_server, tmp_path):
    open_app(page, app_server)
    tab(page, "Compare")
    seeds = page.locator("div:has(> label:text-matches('Seeds per scenario'))").get_by_role(
        "slider")
    quarters = page.locator("div:has(> label:text-matches('^Quarters'))").get_by_role("slider")
    # a long batch: the page keeps answering, and Cancel stops it
    seeds.focus()
    seeds.press("End")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Running:").wait_for()
    tab(page, "Live")
    step(page)  # the Live page works while the batch runs
    tab(page, "Compare")
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Cancelled after").wait_for(timeout=60_000)
    # a small batch to the end
    seeds.focus()
    seeds.press("Home")
    quarters.focus()
    quarters.press("Home")
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator("[data-testid=compare-table]").wait_for(timeout=120_000)
    page.get_by_text("15 runs in").wait_for(timeout=120_000)
    page.wait_for_function(READY_JS, arg=["fan-boom", "fan-baseline", "fan-bust"])
    wait_points(page, "fan-bust", 8, 2)  # median over 8 quarters
    table = page.locator("[data-testid=compare-table]").inner_text()
    assert "boom" in table and "bust" in table and "%" in table
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download all runs (CSV)").click()
    path = tmp_path / "runs.csv"
    dl.value.save_as(path)
    assert path.read_text().startswith("scenario,seed,quarter,t,")
    shot(page, "compare")


# --------------------------------------------------------------------------- Learn/About
def test_learn_show_me_sets_up_the_live_page(page, app_server):
    open_app(page, app_server)
    tab(page, "Learn")
    page.get_by_role("button", name="3. Round and round").click()
    page.get_by_text("Question to think about").wait_for()
    shot(page, "learn")
    page.get_by_role("button", name="Show me").click()
    page.get_by_text("Look here").wait_for()
    wait_card(page, "quarter", "2026Q2")  # played to quarter 6
    assert page.get_by_role("tab", name="Live").get_attribute("aria-selected") == "true"
    links = page.evaluate("""() => { const e = document.querySelector('[data-chart=network]');
        return e.__vue__.chart.getOption().series[0].links; }""")
    assert any(lk["lineStyle"]["color"] == "#E69F00" for lk in links)  # circular deals
    shot(page, "learn-show-me")


def test_about_page(page, app_server):
    open_app(page, app_server)
    tab(page, "About")
    page.get_by_text("One quarter, in order").wait_for()
    body = page.locator("body").inner_text()
    assert "Eisenberg" in body and "Limits" in body
    page.locator("[data-testid=calibration-targets]").wait_for()
    shot(page, "about")


@pytest.fixture(autouse=True)
def _no_console_errors(page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield
    assert not errors, errors
