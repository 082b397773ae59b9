"""Solara app of the AI debt bubble model (``make app``; binds 127.0.0.1, no telemetry).

Started by hand: ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run app.py --host
127.0.0.1`` with the offline asset cache (see docs/app.md).

Five tabs: Live (the model quarter by quarter), Challenge (the regulator's challenge),
Compare (scenarios over many seeds), Learn (a guided tour) and About (assumptions,
calibration, sources, limits). Each browser session builds its own model inside ``Page``
(``solara.use_memo``): nothing mutable lives at module level, so two tabs never share state.
The app never downloads anything at run time (``ui.offline``).
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import solara
import solara.lab
import solara.server.settings

from ui import learn
from ui.about import AboutPage
from ui.challenge_page import ChallengePage
from ui.compare import CompareJob, ComparePage
from ui.learn import LearnPage
from ui.live import LivePage, Signals
from ui.offline import forbid_cdn_fetch
from ui.state import LiveSession
from ui.style import AppStyle

# No telemetry: `make app` sets the variable before the server starts; this also covers a
# bare `solara run app.py` from the moment the app is loaded (the flag is read per event).
solara.server.settings.telemetry.mixpanel_enable = False
# The page's own title from the first byte, and no "This website runs on Solara" banner
# over the legends.
solara.server.settings.theme.title = "AI debt bubble"
solara.server.settings.theme.show_banner = False
forbid_cdn_fetch()

TABS = ("Live", "Challenge", "Compare", "Learn", "About")


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
    detail = solara.use_reactive(0)
    settings = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    tab = solara.use_reactive(0)
    signals = solara.use_memo(
        lambda: Signals(version, detail, settings, counter, playing, speed, tab), [])

    def goto(name: str) -> None:
        tab.set(TABS.index(name))

    def back_to_chapter() -> None:
        goto("Learn")

    def next_chapter() -> None:
        if session is not None:
            session.chapter = min(session.chapter + 1, len(learn.CHAPTERS) - 1)
            session.chapter_active = False
            signals.bump()
        goto("Learn")

    solara.Title("AI debt bubble")
    AppStyle()
    with solara.Column(classes=["aidb-app"], gap="2px"):
        solara.HTML(tag="header", classes=["aidb-head"], unsafe_innerHTML=(
            "<h1>The AI debt bubble</h1><span class='aidb-tagline'>an agent-based, "
            "stock-flow-consistent model · USD · one step = one quarter from 2025Q1</span>"))
        with solara.lab.Tabs(value=tab):
            for name in TABS:
                solara.lab.Tab(name)
        if build_error or session is None:
            solara.Error(build_error or "The model could not be built.")
            if TABS[tab.value] in ("Live", "Learn", "Challenge"):
                return
        name = TABS[tab.value]
        if name == "Live" and session is not None:
            LivePage(session, signals, back_to_chapter, next_chapter, len(learn.CHAPTERS))
        elif name == "Challenge":
            ChallengePage()
        elif name == "Compare":
            ComparePage(job, session)
        elif name == "Learn" and session is not None:
            LearnPage(session, signals, goto)
        elif name == "About":
            AboutPage()
