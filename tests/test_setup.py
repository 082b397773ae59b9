"""The set-up: Solara asset discovery, the filled cache, and a page served fully offline.

The first tests need no network and no browser: they read the installed solara and the
cache that ``scripts/setup.sh`` (run by ``make test``) filled. The last one serves a tiny
throwaway app (not the project's app.py) with echarts, a vega-lite chart and math, and
loads it in headless Chromium: every ``/_solara/cdn/`` request must be answered from the
cache, so the page gets past "Loading app" on a machine without the public CDN.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[1]


def _load_assets_module():
    spec = importlib.util.spec_from_file_location(
        "solara_assets", ROOT / "scripts" / "solara_assets.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("solara_assets", module)
    spec.loader.exec_module(module)
    return module


assets = _load_assets_module()

# Packages a Solara 1.x page with mesa's SolaraViz needs (names only: versions come from
# the installed solara).
EXPECTED = {
    "requirejs",
    "font-awesome",
    "@widgetti/vue-grid-layout",
    "vega",
    "vega-lite",
    "vega-embed",
    "echarts",
}


def test_discovery_finds_expected_packages_in_installed_solara():
    specs = assets.discover_specs(use_fallback=False)
    names = {s.name for s in specs}
    assert names >= EXPECTED, f"missing: {EXPECTED - names}"
    bundle = (
        "@widgetti/solara-vuetify3-app"
        if assets.vue3_installed()
        else "@widgetti/solara-vuetify-app"
    )
    assert bundle in names
    assert all("$" not in s.version and "{" not in s.version for s in specs), specs


def test_discovery_reads_echarts_version_from_echarts_vue():
    vue = (assets.solara_dir() / "components" / "echarts.vue").read_text()
    version = re.search(r"const version = \"([^\"]+)\"", vue).group(1)
    assert assets.Spec("echarts", version) in assets.discover_specs(use_fallback=False)
    refs = assets.discover_references(use_fallback=False)
    assert "dist/echarts.js" in refs[assets.Spec("echarts", version)]


def test_discovery_on_a_synthetic_solara_tree(tmp_path):
    (tmp_path / "server" / "templates").mkdir(parents=True)
    (tmp_path / "components").mkdir()
    (tmp_path / "website").mkdir()
    (tmp_path / "server" / "templates" / "solara.html.j2").write_text(
        '<link href="{{cdn}}/@widgetti/solara-vuetify-app@10.1.1/dist/'
        'main{{ipywidget_major_version}}.css">\n'
        '<link href="{{cdn}}/@widgetti/solara-vuetify3-app@5.2.0/dist/fonts.css">\n'
        '<script src="{{cdn}}/requirejs@2.3.6/require.js"></script>\n'
    )
    (tmp_path / "server" / "settings.py").write_text(
        'fontawesome_path: str = "/font-awesome@4.5.0/css/font-awesome.min.css"\n'
    )
    (tmp_path / "components" / "chart.vue").write_text(
        'const version = "9.9.9";\nimport(`${this.getCdn()}/echarts@${version}/dist/echarts.js`)\n'
    )
    (tmp_path / "components" / "chart_v3.vue").write_text(
        "`${this.getCdn()}/only-vue3@1.0.0/x.js`\n"
    )
    (tmp_path / "website" / "page.vue").write_text("`${this.getCdn()}/docs-only@1.0.0/x.js`\n")

    refs = assets.discover_references(tmp_path, vue3=False, use_fallback=False)
    assert [str(s) for s in refs] == [
        "@widgetti/solara-vuetify-app@10.1.1",
        "echarts@9.9.9",
        "font-awesome@4.5.0",
        "requirejs@2.3.6",
    ]
    assert refs[assets.Spec("echarts", "9.9.9")] == {"dist/echarts.js"}
    assert refs[assets.Spec("font-awesome", "4.5.0")] == {"css/font-awesome.min.css"}

    vue3 = {str(s) for s in assets.discover_specs(tmp_path, vue3=True, use_fallback=False)}
    assert "only-vue3@1.0.0" in vue3 and "@widgetti/solara-vuetify3-app@5.2.0" in vue3
    assert "@widgetti/solara-vuetify-app@10.1.1" not in vue3

    # A package the scan misses comes from the fallback list (with a warning).
    with_fallback = {s.name for s in assets.discover_specs(tmp_path, vue3=False)}
    assert {"vega", "vega-lite", "vega-embed", "@widgetti/vue-grid-layout"} <= with_fallback


def test_spec_folder_layout(tmp_path):
    assert assets.Spec.parse("vega@5").folder(tmp_path) == tmp_path / "vega@5"
    scoped = assets.Spec.parse("@widgetti/vue-grid-layout@2.3.13-alpha.2")
    assert scoped.name == "@widgetti/vue-grid-layout"
    assert scoped.folder(tmp_path) == tmp_path / "@widgetti" / "vue-grid-layout@2.3.13-alpha.2"


def test_cache_is_filled_and_marked_complete():
    cache = assets.default_cache_dir()
    refs = assets.discover_references()
    problems = []
    for spec, files in refs.items():
        folder = spec.folder(cache)
        if not assets.is_complete(cache, spec):
            problems.append(f"{spec}: no complete folder at {folder}")
        elif absent := assets.missing_files(folder, files):
            problems.append(f"{spec}: lacks {absent}")
    assert not problems, "run scripts/setup.sh (make test does):\n" + "\n".join(problems)


OFFLINE_APP = """
import altair as alt
import pandas as pd
import solara

DATA = pd.DataFrame({"quarter": [0, 1, 2, 3], "debt": [1.0, 1.5, 2.5, 2.0]})


@solara.component
def Page():
    clicks = solara.use_reactive(0)
    solara.Markdown("Offline check: $d = 1 + x^2$")
    solara.Button("Step", on_click=lambda: clicks.set(clicks.value + 1))
    solara.Text(f"clicks: {clicks.value}")
    solara.FigureEcharts(
        option={
            "animation": False,
            "xAxis": {"type": "category", "data": ["a", "b", "c"]},
            "yAxis": {"type": "value"},
            "series": [{"type": "line", "data": [1, 3, 2 + clicks.value]}],
        }
    )
    solara.FigureAltair(alt.Chart(DATA).mark_line().encode(x="quarter", y="debt"))
"""


def test_page_loads_offline_in_chromium(solara_server, page, tmp_path):
    app = tmp_path / "offline_app.py"
    app.write_text(textwrap.dedent(OFFLINE_APP))
    bad = []
    page.on(
        "response",
        lambda r: (
            bad.append(f"{r.status} {r.url}")
            if "/_solara/cdn/" in r.url and r.status >= 400
            else None
        ),
    )
    page.on("requestfailed", lambda r: bad.append(f"failed {r.url}"))
    with solara_server(app) as url:
        page.goto(url + "/")
        try:
            page.get_by_text("clicks: 0").wait_for(timeout=30_000)
        except PlaywrightTimeoutError:
            pytest.fail(
                "page stuck (at 'Loading app'?): is the Solara asset cache filled? "
                f"failed asset requests: {bad}\nserver log:\n{url.log_text()[-3000:]}"
            )
        assert page.get_by_text("Loading app").count() == 0
        page.get_by_role("button", name="Step").click()
        page.get_by_text("clicks: 1").wait_for(timeout=10_000)
        page.locator(".solara-echarts canvas").first.wait_for(timeout=15_000)  # echarts@5.4.0
        page.locator(".vega-embed").first.wait_for(timeout=15_000)  # vega, vega-lite, vega-embed
        page.locator(".katex").first.wait_for(timeout=15_000)  # katex (math in Markdown)
        log = url.log_text()
    assert not bad, bad
    assert "Could not load URL" not in log, log[-3000:]


@pytest.mark.parametrize("flag", ["--list", "--check"])
def test_solara_assets_cli_runs_offline(flag, capsys):
    assert assets.main([flag]) == 0
