"""Learn page: a guided tour in seven chapters, each with a "Show me" button.

"Show me" sets up this session's Live model (scenario, quarter) and opens the Live tab with
the chart that tells the story moved to the top and outlined. Facts are dated and sourced;
the text is our own summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import solara

from ui import state
from ui.components import Md


@dataclass(frozen=True)
class Chapter:
    """One stop of the tour."""

    title: str
    text: str  # markdown, at most 120 words
    sources: tuple[str, ...]
    question: str
    scenario: str
    quarter: int
    chart: str
    note: str


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "1. The build-out and record borrowing",
        "In 2025 US companies sold about **$1.7 trillion** of investment-grade bonds, close to "
        "the 2020 record of $1.8 trillion, and AI-related borrowers such as Meta, Alphabet, "
        "Amazon and Oracle were roughly **30%** of it. The five big cloud firms spent about "
        "**$450 billion** on capex in 2025 and guided higher for 2026, while their bond sales "
        "jumped from about $28 billion a year to about $121 billion. JPMorgan expects AI-related "
        "debt near **$1.5 trillion by 2028**. The model starts here: capex follows announced "
        "guidance for 2025-26, then the firms decide for themselves.",
        ("Financial Times, reported by WSWS (N. Beams), 29 Dec 2025",
         "Company filings and guidance, 2025", "JPMorgan research, Nov 2025"),
        "Capex is paid now; revenue has to arrive later. How long can borrowing bridge the gap?",
        "baseline", 8, "revenue",
        "capex (blue) runs far ahead of AI revenue (green); the red band is the gap.",
    ),
    Chapter(
        "2. Off the balance sheet",
        "Meta, xAI, Oracle and CoreWeave moved data centres and GPUs into **special purpose "
        "vehicles** (SPVs) funded by Pimco, BlackRock, Apollo, Blue Owl and banks such as "
        "JPMorgan: at least **$120 billion** of debt by late 2025. Meta's Hyperion campus, for "
        "example, sits in an SPV that issued $27.3 billion of bonds; Meta leases it on a "
        "renewable four-year lease and guarantees its residual value. The debt does not show "
        "on the sponsor's balance sheet, which keeps its bond ratings intact, but who carries "
        "the loss if revenue falls short is far from clear.",
        ("Financial Times tally, Dec 2025 (via WSWS, 29 Dec 2025)",
         "Hyperion bond offering documents, Oct 2025"),
        "If the sponsor can walk away after four years, who really owns the risk?",
        "baseline", 10, "debt",
        "purple areas are SPV debt; the dashed line is the share of AI debt off balance sheet.",
    ),
    Chapter(
        "3. Round and round",
        "Many of the deals are **circular** (Servaas Storm, INET, 2025): Nvidia invests in "
        "OpenAI, OpenAI buys computing from Oracle, Oracle buys Nvidia GPUs. Nvidia owns about "
        "5-7% of CoreWeave and sells it chips; OpenAI is a CoreWeave customer and shareholder; "
        "AMD gave OpenAI warrants for up to 10% of AMD at a penny a share. Part of a "
        "chipmaker's revenue is then paid with its own money. Critics compare it to the "
        "**vendor financing** of the late-1990s dotcom boom. In the network, orange links lie "
        "on a loop of money.",
        ("S. Storm, Institute for New Economic Thinking, 2025 (quoted by WSWS, 29 Dec 2025)",
         "Company announcements, Sep-Oct 2025"),
        "When money goes round in a circle, what is the revenue that finally pays for it?",
        "baseline", 6, "network",
        "orange links are circular deals: follow one loop with your eye.",
    ),
    Chapter(
        "4. Revenue is the question",
        "Bain estimates the industry needs about **$2 trillion a year** of AI revenue by 2030 "
        "to pay for the build-out, and will be about $800 billion short. OpenAI earned roughly "
        "$13 billion in 2025 while committing to about $1.4 trillion of compute over eight "
        "years. In the model, one number decides most of the story: the **revenue ceiling**. "
        "Try it: on the Live page move *Revenue ceiling* up or down, press **Reset**, then "
        "**Play**, and watch the red gap open or close.",
        ("Bain & Company, Technology Report, Sep 2025", "OpenAI figures reported in 2025"),
        "Which revenue ceiling makes the gap close before 2030? Is that plausible?",
        "baseline", 16, "revenue",
        "move Revenue ceiling on the left, press Reset, then Play.",
    ),
    Chapter(
        "5. When revenue disappoints",
        "In the **bust** scenario AI revenue levels off near $300 billion a year and, in "
        "2027Q3, a cheaper model cuts the computing each revenue dollar needs by 35%. Data "
        "centres that are already built sit idle: utilisation falls, spot GPU rent falls "
        "(H100 rent already fell from about $8 an hour in 2023 to about $1.70 in October "
        "2025), and used GPUs lose value faster than the books assume: the **stranded "
        "asset** risk. Labs with take-or-pay contracts still owe the money. Read the event "
        "log to follow the cascade quarter by quarter.",
        ("GPU rental price trackers, 2023-2025", "Scenario design of this model (bust.toml)"),
        "Who notices first that the capacity is not needed: the lab, the landlord, or the lender?",
        "bust", 20, "utilisation",
        "utilisation and the used-GPU price fall after the 2027Q3 efficiency shock.",
    ),
    Chapter(
        "6. Who is left holding the losses",
        "When an SPV or a neocloud cannot pay, the loss travels: to the **private-credit "
        "funds** that bought its debt (US private credit is about $1.3 trillion), to their "
        "investors who try to redeem and meet **gates**, to **banks** that lent to those funds "
        "(about $300 billion of bank loans to private-credit providers), to ABS tranches, and "
        "back to sponsors through residual value **guarantees**. The model settles defaults "
        "with a clearing algorithm, so second-round defaults happen in the same quarter. "
        "Bank capital falling toward its requirement means less credit for everyone.",
        ("Federal Reserve note, 2025", "Moody's, 2025", "FT, Dec 2025 (via WSWS)"),
        "Should a bank's exposure to private-credit funds count as exposure to AI?",
        "bust", 32, "losses",
        "cumulative losses stacked by who bears them; red bars are defaults.",
    ),
    Chapter(
        "7. The other ending",
        "What if the revenue does arrive? In the **boom** scenario AI revenue reaches about "
        "$2 trillion a year by 2030, close to what the capex needs. The article this tour "
        "draws on argues that profits on that scale can only come from replacing labour on a "
        "massive scale. The model counts it: jobs displaced = annual AI revenue x a "
        "substitution share (0.5) / an average wage ($80k), so $2.5 trillion a year is roughly "
        "**15 million jobs**. See the *Jobs displaced* card at the top of the Live page.",
        ("WSWS (N. Beams), 29 Dec 2025", "Model assumption (MODEL.md section 9)"),
        "Is a boom that displaces millions of jobs a soft landing?",
        "boom", 24, "revenue",
        "in the boom revenue catches up with capex; the Jobs displaced card counts the cost.",
    ),
)


def word_count(text: str) -> int:
    """Words of a chapter text (markdown emphasis ignored)."""
    return len(text.replace("*", "").split())


@solara.component
def LearnPage(session: state.LiveSession, bump: Callable[[], None],  # noqa: N802
              goto: Callable[[str], None]):
    """The tour: chapter list, text, sources, a question and a Show me button."""
    index = solara.use_reactive(0)
    ch = CHAPTERS[index.value]

    def show_me() -> None:
        ok = session.show_me(ch.scenario, ch.quarter, ch.chart)
        if ok:
            session.highlight_note = ch.note
            session.notice = f"{ch.title} — {ch.scenario} scenario, played to quarter {ch.quarter}."
        bump()
        goto("Live")

    with solara.Columns([1, 3]):
        with solara.Column(gap="2px"):
            for i, c in enumerate(CHAPTERS):
                solara.Button(c.title, text=True, on_click=lambda i=i: index.set(i),
                              color="primary" if i == index.value else None,
                              style="justify-content:flex-start;text-transform:none")
        with solara.Column(gap="8px", style="max-width:760px"):
            Md(f"## {ch.title}\n\n{ch.text}")
            Md("*Question to think about:* " + ch.question)
            with solara.Row():
                solara.Button("Show me", on_click=show_me, color="primary",
                              icon_name="mdi-eye")
                solara.Button("Previous", disabled=index.value == 0,
                              on_click=lambda: index.set(index.value - 1))
                solara.Button("Next", disabled=index.value == len(CHAPTERS) - 1,
                              on_click=lambda: index.set(index.value + 1))
            Md("<small>Sources: " + "; ".join(ch.sources) + ".</small>")
