"""Solara app of the AI debt bubble model (``make app``; binds 127.0.0.1, no telemetry).

Started by hand: ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run app.py --host
127.0.0.1`` with the offline asset cache (see docs/app.md).

Four tabs: Live (the model quarter by quarter), Compare (scenarios over many seeds),
Learn (a guided tour) and About (assumptions, equations, calibration, limits). Each
browser session builds its own model inside ``Page`` (``solara.use_memo``): nothing
mutable lives at module level, so two tabs never share state.
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import solara
import solara.lab
import solara.server.settings

from ui.about import AboutPage
from ui.compare import CompareJob, ComparePage
from ui.learn import LearnPage
from ui.live import LivePage, Signals
from ui.state import LiveSession

# No telemetry: `make app` sets the variable before the server starts; this also covers a
# bare `solara run app.py` from the moment the app is loaded (the flag is read per event).
solara.server.settings.telemetry.mixpanel_enable = False

TABS = ("Live", "Compare", "Learn", "About")


def _new_session() -> tuple[LiveSession | None, str | None]:
    try:
        return LiveSession(), None
    except Exception as exc:  # the page must still open and say what is wrong
        return None, f"The model could not be built: {exc}"


@solara.component
def Page():  # noqa: N802
    """Root component: one model, one Compare job and one tab choice per browser session."""
    session, build_error = solara.use_memo(_new_session, [])
    job = solara.use_memo(CompareJob, [])
    counter = solara.use_memo(lambda: itertools.count(1), [])
    version = solara.use_reactive(0)
    settings = solara.use_reactive(0)
    signals = solara.use_memo(lambda: Signals(version, settings, counter), [])
    tab = solara.use_reactive(0)

    def goto(name: str) -> None:
        tab.set(TABS.index(name))

    solara.Title("AI debt bubble")
    with solara.Column(style="padding:0 12px", gap="4px"):
        with solara.Row(style="align-items:center"):
            solara.HTML(tag="div", unsafe_innerHTML=(
                "<span style='font-size:20px;font-weight:600'>The AI debt bubble</span> "
                "<span style='color:#666'>— an agent-based, stock-flow-consistent model "
                "(USD, one step = one quarter from 2025Q1)</span>"))
        with solara.lab.Tabs(value=tab):
            for name in TABS:
                solara.lab.Tab(name)
        if build_error or session is None:
            solara.Error(build_error or "The model could not be built.")
            if TABS[tab.value] in ("Live", "Learn"):
                return
        name = TABS[tab.value]
        if name == "Live":
            LivePage(session, signals)
        elif name == "Compare":
            ComparePage(job, session)
        elif name == "Learn":
            LearnPage(session, signals.bump, goto)
        else:
            AboutPage()



