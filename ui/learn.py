"""Learn page: a guided tour in eight chapters that keeps the reader's place.

Each chapter has real-world claims (each with its source and date beside it, see
``ui/content.py``), a paragraph that computes what the model shows "in this run", a
question whose answer the reader can read off the live model, and **Show me**: it sets up
the Live page (scenario, start) and plays the model visibly up to the chapter's quarter,
with the chart that tells the story first and outlined. The chapter is kept in the
session, so Learn reopens where the reader left it; Live shows "Back to chapter N".
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import solara

from model import PARAMETER_INFO
from ui import charts, state
from ui import content as src
from ui import format as fmt
from ui.components import Collapsible, md_html
from ui.content import Claim
from ui.glossary import glossary_html, glossify
from ui.live import SHOW_ME_SPEED, Signals
from ui.theme import bearer_label

Reader = Callable[[state.Snapshot], str]
NOT_RUN = "Press Show me (or Step on the Live page) to run the model."


def needs_a_quarter(reader: Reader) -> Reader:
    """A reader that says how to start when the model has not run a quarter yet."""
    @functools.wraps(reader)
    def read(snap: state.Snapshot) -> str:
        return reader(snap) if len(snap.frame) else NOT_RUN
    return read


# ------------------------------------------------------------------- run read-outs
def _col(snap: state.Snapshot, col: str) -> pd.Series:
    f = snap.frame
    return f[col].astype(float) if col in f.columns else pd.Series(dtype=float)


def _at(snap: state.Snapshot, col: str, quarter: str) -> float | None:
    f = snap.frame
    rows = f[f["quarter"] == quarter] if "quarter" in f.columns else f.iloc[0:0]
    return float(rows[col].iloc[0]) if col in f.columns and len(rows) else None


def _scenario(snap: state.Snapshot) -> str:
    return f"the {html.escape(snap.scenario_label)} scenario"


@needs_a_quarter
def capex_run(snap: state.Snapshot) -> str:
    """Chapter 1: what the capex card counts, with this run's numbers."""
    cap, hyp = _col(snap, "capex"), _col(snap, "hyperscaler_capex")
    return (f"In this run ({_scenario(snap)}, {snap.quarter}) the model's AI capex is "
            f"{fmt.money(4 * cap.iloc[-1])} a year. That counts every builder in the model: "
            f"the five hyperscalers ({fmt.money(4 * hyp.iloc[-1])} a year), the neoclouds and "
            f"the SPVs that build for them, so it is wider than the hyperscalers' own capex "
            f"quoted above.")


def first_row(snap: state.Snapshot, mask: pd.Series) -> pd.Series | None:
    """The first quarter's row where ``mask`` holds (None if it never does)."""
    hit = snap.frame[mask] if len(snap.frame) else snap.frame
    return None if hit.empty else hit.iloc[0]


@needs_a_quarter
def capex_answer(snap: state.Snapshot) -> str:
    """First quarter in which capex is at least twice revenue."""
    f = snap.frame
    row = first_row(snap, f["capex"] >= 2 * f["ai_revenue"]) if len(f) else None
    if row is None:
        return f"Up to {snap.quarter or 'now'}, capex never reached twice AI revenue."
    return f"In {row['quarter']} (capex {fmt.money(4 * row['capex'])}/yr)."


@needs_a_quarter
def spv_run(snap: state.Snapshot) -> str:
    """Chapter 2: SPV debt and off-balance-sheet share in this run."""
    spv, share = _col(snap, "spv_debt"), _col(snap, "off_balance_sheet_share")
    return (f"In this run, SPVs owe {fmt.money(spv.iloc[-1])} in {snap.quarter}: "
            f"{fmt.pct(share.iloc[-1], digits=0)} of all AI debt in the model is off "
            f"balance sheet.")


@needs_a_quarter
def spv_answer(snap: state.Snapshot) -> str:
    """Off-balance-sheet share at the end of 2027."""
    v = _at(snap, "off_balance_sheet_share", "2027Q4")
    return ("The run has not reached 2027Q4 yet: press Play." if v is None
            else f"{fmt.pct(v, digits=0)} of AI debt was off balance sheet in 2027Q4.")


@needs_a_quarter
def circular_run(snap: state.Snapshot) -> str:
    """Chapter 3: the circular share of chip sales and the model's circular core."""
    c = _col(snap, "circular_revenue_share")
    core = snap.core
    loop = (f" The model finds a loop of {len(core.firms)} firms whose money comes back to "
            f"them (the circular core, orange in the network): "
            f"{fmt.pct(core.revenue_share, digits=0)} of their revenue is paid by other firms "
            f"of the loop, and it needs {fmt.money(core.outside_money)} a quarter from outside "
            f"it to keep going." if core.firms else
            " In this quarter the model finds no loop of firms whose money comes back to them.")
    return (f"In this run, {fmt.pct(c.iloc[-1], digits=0)} of the chipmakers' sales over the "
            f"last four quarters were paid with money the chipmakers themselves had put into "
            f"their customers ({snap.quarter}).{loop}")


@needs_a_quarter
def circular_answer(snap: state.Snapshot) -> str:
    """The latest circular revenue share."""
    c = _col(snap, "circular_revenue_share")
    return f"{fmt.pct(c.iloc[-1], digits=1)} in {snap.quarter}."


@needs_a_quarter
def revenue_run(snap: state.Snapshot) -> str:
    """Chapter 4: this run's revenue and the assumption behind it."""
    info = state.main_revenue_parameter()
    rev = _col(snap, "ai_revenue")
    now = fmt.money(4 * rev.iloc[-1]) if not rev.empty else "–"
    return (f"The model does not forecast revenue: it is an **assumption** you set. "
            f"{_scenario(snap).capitalize()} uses *{html.escape(info.label)}* = "
            f"{fmt.money(float(snap_value(snap, info.name)))} a year; in this run AI revenue "
            f"is {now} a year in {snap.quarter or 'the first quarter'}. This is a model input, "
            f"not Bain's estimate.")


def snap_value(snap: state.Snapshot, name: str) -> float:
    """The value of a parameter in the model the snapshot comes from."""
    return float(snap.params.get(name, PARAMETER_INFO[name].default))


@needs_a_quarter
def revenue_answer(snap: state.Snapshot) -> str:
    """First quarter in which revenue catches up with capex."""
    f = snap.frame
    row = first_row(snap, f["ai_revenue"] >= f["capex"]) if len(f) else None
    if row is None:
        return f"Up to {snap.quarter or 'now'}, revenue has not caught up with capex."
    return f"In {row['quarter']}."


@needs_a_quarter
def bust_run(snap: state.Snapshot) -> str:
    """Chapter 5: utilisation, GPU prices and the first default in this run."""
    util, gpu = _col(snap, "compute_utilisation"), _col(snap, "gpu_price_index")
    return (f"In this run ({_scenario(snap)}), utilisation is {fmt.pct(util.iloc[-1], digits=0)}"
            f" and a used GPU fetches {fmt.number(gpu.iloc[-1])} times its 2025Q1 price in "
            f"{snap.quarter}. {first_default(snap)}")


@needs_a_quarter
def first_default(snap: state.Snapshot) -> str:
    """Who defaulted first, and when (from the event log)."""
    ev = next((e for e in snap.events if e.kind == "default"), None)
    if ev is None:
        return f"No agent has defaulted up to {snap.quarter or 'now'}."
    return f"First default: {ev.quarter}: {fmt.tidy_text(ev.text)}"


def _bearer(col: str) -> str:
    return bearer_label(col.removeprefix("losses_"))


@needs_a_quarter
def losses_run(snap: state.Snapshot) -> str:
    """Chapter 6: the three largest loss bearers and the savers' share in this run."""
    parts = charts.loss_parts(snap.frame)
    if not len(parts.columns):
        return NOT_RUN
    last = parts.iloc[-1].sort_values(ascending=False)
    top = ", ".join(f"{_bearer(c)} {fmt.money(v)}" for c, v in last.head(3).items())
    sectors = charts.holder_sectors(snap.frame)
    names = ", ".join(charts.lower_label(_bearer(c)) for c in sectors)
    behind = (f" The investors behind private credit ({names}) have lost "
              f"{fmt.money(float(last[sectors].sum()))}; households in all "
              f"(pension funds, insurers and retail investors with bank depositors) "
              f"{fmt.money(float(snap.frame[charts.HOUSEHOLDS].iloc[-1]))}."
              if sectors and charts.HOUSEHOLDS in snap.frame.columns else "")
    return (f"In this run, losses so far total {fmt.money(float(last.sum()))} by "
            f"{snap.quarter}; the largest bearers: {top}.{behind}")


@needs_a_quarter
def losses_answer(snap: state.Snapshot) -> str:
    """The largest bearer now."""
    parts = charts.loss_parts(snap.frame)
    if not len(parts) or not len(parts.columns) or float(parts.iloc[-1].sum()) <= 0:
        return "No losses yet in this run."
    return f"{_bearer(str(parts.iloc[-1].idxmax()))}, in {snap.quarter}."


@needs_a_quarter
def bubble_run(snap: state.Snapshot) -> str:
    """Chapter 7: peak and current bubble index in this run."""
    b = _col(snap, "bubble_index")
    peak_q = snap.frame["quarter"].iloc[int(b.to_numpy().argmax())]
    fall = 1 - b.iloc[-1] / b.max() if b.max() > 0 else 0.0
    return (f"In this run the bubble index peaked at {fmt.number(b.max())} in {peak_q}; "
            f"in {snap.quarter} it is {fmt.number(b.iloc[-1])}, "
            f"{fmt.pct(fall, digits=0)} below its peak.")


@needs_a_quarter
def bubble_answer(snap: state.Snapshot) -> str:
    """Peak bubble index and when."""
    b = _col(snap, "bubble_index")
    return f"{fmt.number(b.max())}, in {snap.frame['quarter'].iloc[int(b.to_numpy().argmax())]}."


@needs_a_quarter
def jobs_run(snap: state.Snapshot) -> str:
    """Chapter 8: the jobs arithmetic with this run's numbers (an assumption)."""
    share = PARAMETER_INFO["substitution_share"]
    wage = PARAMETER_INFO["average_wage"]
    rev = _col(snap, "ai_revenue")
    jobs = _col(snap, "jobs_displaced")
    return (f"The model's jobs count is an assumption, not a labour-market model: "
            f"jobs displaced = AI revenue per year × *{share.label}* "
            f"({snap_value(snap, share.name):g}) ÷ *{wage.label}* "
            f"({snap_value(snap, wage.name):g} thousand USD a year). In this run, in "
            f"{snap.quarter}: {fmt.money(4 * rev.iloc[-1])} × "
            f"{snap_value(snap, share.name):g} ÷ ${snap_value(snap, wage.name):g}k ≈ "
            f"{fmt.number(jobs.iloc[-1], 1)} million jobs.")


@needs_a_quarter
def jobs_answer(snap: state.Snapshot) -> str:
    """Jobs displaced in 2030Q4."""
    v = _at(snap, "jobs_displaced", "2030Q4")
    r = _at(snap, "ai_revenue", "2030Q4")
    if v is None or r is None:
        return "The run has not reached 2030Q4 yet: press Play."
    return f"{fmt.number(v, 1)} million, assuming AI revenue of {fmt.money(4 * r)} a year."


# ------------------------------------------------------------------------ chapters
@dataclass(frozen=True)
class Chapter:
    """One stop of the tour."""

    title: str
    intro: str  # our framing, no factual claims (markdown)
    claims: tuple[Claim, ...]
    counterpoints: tuple[Claim, ...]
    in_this_run: Reader
    question: str
    answer: Reader
    scenario: str
    quarter: int
    chart: str
    look_here: str

    @property
    def all_claims(self) -> tuple[Claim, ...]:
        """Claims and counterpoints together (for the sources list and the tests)."""
        return self.claims + self.counterpoints


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "1. The build-out and record borrowing",
        "Building data centres for AI costs money now; the revenue that should pay for them "
        "comes later. The gap is being bridged partly with debt.",
        (Claim("US companies sold about **$1.7 trillion** of investment-grade bonds in 2025, "
               "close to the 2020 record of $1.8 trillion; AI-related borrowers accounted for "
               "roughly **30% of net** investment-grade issuance.", src.FT_IG),
         Claim("Alphabet, Amazon, Meta, Microsoft and Oracle together spent on the order of "
               "**$400-450 billion** on capital expenditure in their 2025 fiscal years, and "
               "guided higher for 2026.", src.FILINGS_CAPEX),
         Claim("Their US bond sales rose from about $28 billion a year in 2020-24 to about "
               "$121 billion in 2025.", src.BOFA_BONDS),
         Claim("J.P. Morgan puts AI data-centre spending at **$5-7 trillion** over five years "
               "and expects about **$1.5 trillion** of it to be raised through "
               "investment-grade bond issuance over that period; the rest from cash flow, "
               "leveraged finance, securitisation, private credit and governments.",
               src.JPM)),
        (Claim("A mainstream counterpoint: Morgan Stanley expects about **$1.4 trillion** of "
               "roughly $2.9 trillion of data-centre spending through 2028 to come from the "
               "hyperscalers' own cash flow, not from borrowing.", src.MS),),
        capex_run,
        "In this run, in which quarter does annual AI capex first reach twice annual AI "
        "revenue?",
        capex_answer, "baseline", 8, "revenue",
        "capex runs ahead of AI revenue; the shaded band is the gap.",
    ),
    Chapter(
        "2. Off the balance sheet",
        "A company can build without putting the debt on its own books: a separate vehicle "
        "(an SPV) owns the building and borrows, and the company rents it.",
        (Claim("By late 2025 at least **$120 billion** of data-centre debt sat in SPVs "
               "linked to Oracle, Meta, xAI and CoreWeave, lent by firms such as Pimco, "
               "BlackRock, Apollo, Blue Owl and banks including JPMorgan.", src.FT_SPV),
         Claim("Meta's Hyperion campus is owned by a joint venture (80% Blue Owl funds, 20% "
               "Meta) that issued **$27.3 billion** of bonds due 2049. Meta rents it on a "
               "four-year lease with renewal options and gives a capped residual value "
               "guarantee for the first 16 years.", src.META_HYPERION)),
        (Claim("A counterpoint: the lease and the guarantee were disclosed when the deal was "
               "announced, so investors can see the obligation even though the bonds are not "
               "Meta's debt.", src.META_HYPERION),),
        spv_run,
        "In this run, what share of AI debt is off balance sheet at the end of 2027?",
        spv_answer, "baseline", 12, "debt",
        "the SPV debt layer and the dashed off-balance-sheet share.",
    ),
    Chapter(
        "3. Round and round",
        "Suppliers of chips sometimes finance their own customers, who then spend the money "
        "on the suppliers' chips. Critics call these deals circular.",
        (Claim("Nvidia signed a letter of intent to invest up to **$100 billion** in OpenAI "
               "as OpenAI deploys 10 GW of Nvidia systems.", src.NVIDIA_OPENAI),
         Claim("AMD granted OpenAI warrants for up to 160 million AMD shares (about 10% of the "
               "company) at one cent each, vesting as OpenAI deploys up to 6 GW of AMD chips.",
               src.AMD_8K),
         Claim("Nvidia owns a stake in CoreWeave, sells it GPUs and agreed to buy up to "
               "$6.3 billion of its unsold capacity.", src.COREWEAVE),
         Claim("The economist Servaas Storm called the mega-deals remarkably circular and "
               "compared them with the vendor financing of the late-1990s dotcom boom.",
               src.STORM)),
        (Claim("A counterpoint: most of the build-out is paid by profitable firms; Morgan "
               "Stanley expects about $1.4 trillion through 2028 from hyperscalers' cash flow.",
               src.MS),),
        circular_run,
        "In this run, what share of the chipmakers' sales over the last four quarters did "
        "they finance themselves?",
        circular_answer, "baseline", 6, "network",
        "the orange firms are the circular core and the orange links their deals: follow one "
        "loop from a chipmaker and back.",
    ),
    Chapter(
        "4. Revenue is the question",
        "Whether the debt is a problem depends on one thing above all: how much customers "
        "will pay for AI in the years ahead.",
        (Claim("Bain estimates that AI companies need about **$2 trillion** of annual revenue "
               "by 2030 to fund the computing they plan, and may fall about $800 billion "
               "short.", src.BAIN),
         Claim("OpenAI's chief executive said it expected to end 2025 above $20 billion of "
               "annualised revenue, against about **$1.4 trillion** of computing commitments "
               "over eight years.", src.ALTMAN),
         Claim("Sequoia's David Cahn asked in 2024 where $600 billion of annual revenue would "
               "come from to justify the spending.", src.SEQUOIA)),
        (Claim("A counterpoint: revenue is growing fast; Anthropic reported its annualised "
               "revenue rising from about $1 billion at the start of 2025 to over $5 billion "
               "by August.", src.ANTHROPIC),),
        revenue_run,
        "In this run, in which quarter (if any) does annual AI revenue catch up with annual "
        "capex? Move the revenue slider on the Live page, press Reset and Play to see it "
        "change.",
        revenue_answer, "baseline", 16, "revenue",
        "move the revenue assumption on the left, press Reset, then Play.",
    ),
    Chapter(
        "5. When revenue disappoints",
        "If revenue levels off, computing already built sits idle, rents fall and GPUs lose "
        "value faster than the accounts assume: they become stranded assets.",
        (Claim("Rental prices for an Nvidia H100 fell from about $8 an hour in 2023 to about "
               "$1.70 in October 2025 before recovering to about $2.35 in March 2026.",
               src.SEMIANALYSIS),
         Claim("The big cloud firms depreciate servers over five to six years (Amazon cut "
               "some from six to five in 2025).", src.SERVER_LIVES),
         Claim("Nvidia plans a new GPU generation roughly every year (Blackwell Ultra in "
               "2025, Rubin in 2026, Rubin Ultra in 2027, Feynman in 2028).",
               src.NVIDIA_ROADMAP)),
        (),
        bust_run,
        "In this run, who defaults first, and in which quarter? Read it off the event log.",
        first_default, "bust", 20, "utilisation",
        "watch utilisation and the used-GPU price as the bust unfolds.",
    ),
    Chapter(
        "6. Who is left holding the losses",
        "A default travels: to the funds that lent, to their investors who try to redeem, to "
        "banks that lent to the funds, and back to sponsors through guarantees. The model "
        "settles defaults across the whole network at once, so a second-round default "
        "happens in the same quarter.",
        (Claim("US private credit is about **$1.3 trillion**.", src.FED_PC),
         Claim("US banks' loans to non-bank financial firms reached about $1.2 trillion by "
               "mid-2025, some $300 billion of it to private-credit lenders.", src.MOODYS),
         Claim("Semi-liquid private-credit funds cap redemptions, typically at **5%** of "
               "shares per quarter.", src.BCRED),
         Claim("In early 2026 one large fund received redemption requests of 9.3% of its "
               "value and paid 5%.", src.HLEND)),
        (Claim("A counterpoint: Federal Reserve economists found private-credit funds use "
               "little leverage and lock up investors' money for years, which limits run "
               "risk.", src.FED_PC_RISKS),),
        losses_run,
        "In this run, which kind of holder bears the largest losses so far?",
        losses_answer, "bust", 32, "losses",
        "losses stacked by who bears them; bars are defaults.",
    ),
    Chapter(
        "7. Measuring the bubble",
        "A bubble is a gap between what assets are priced at and what their income can "
        "justify. The model's **bubble index** divides the market value of AI firms' equity "
        "by the value their expected revenue would support (its discounted earnings): one means "
        "no bubble. "
        "It rises when sentiment and expected growth run ahead of revenue and falls when "
        "they meet reality. Watch it on the bubble chart and the header card.",
        (),
        (Claim("A counterpoint to reading the index as a crash signal: investment-grade "
               "credit spreads were near their tightest since 1998 in 2025, under one "
               "percentage point: bond investors were not pricing much risk.", src.FRED_OAS),),
        bubble_run,
        "In this run, what was the highest bubble index, and in which quarter?",
        bubble_answer, "bust", 24, "bubble",
        "the bubble index rises while expectations run ahead of revenue, then falls.",
    ),
    Chapter(
        "8. The other ending",
        "What if the revenue does arrive? The boom scenario assumes revenue close to what the "
        "capex needs. The article this project started from argues that profits on that "
        "scale can only come from replacing workers on a massive scale.",
        (Claim("The article argues that AI profits large enough to justify the investment "
               "could only come from eliminating many white-collar jobs.", src.WSWS),
         Claim("For scale: the mean annual wage across all US occupations was $67,920.",
               src.BLS)),
        (Claim("A mainstream counterpoint: Goldman Sachs economists estimated generative AI "
               "could raise global GDP by 7% over a decade, while exposing the equivalent "
               "of 300 million full-time jobs to automation; much of the gain comes from "
               "workers doing more, not from layoffs alone.", src.GOLDMAN),),
        jobs_run,
        "In this run, how many jobs does the model count as displaced in 2030, and what "
        "revenue does that assume?",
        jobs_answer, "boom", 24, "revenue",
        "in the boom revenue catches up with capex; the Jobs card counts the assumption.",
    ),
)


def word_count(text: str) -> int:
    """Words of a text (markdown emphasis ignored)."""
    return len(text.replace("*", "").split())


def chapter_html(ch: Chapter) -> str:
    """The chapter's framing and claims (each with source and date), glossary-marked."""
    claims = " ".join(src.claim_html(c) for c in ch.claims)
    counter = " ".join(src.claim_html(c) for c in ch.counterpoints)
    body = md_html(ch.intro) + (f"<p>{claims}</p>" if claims else "") + (
        f"<p><i>Other views.</i> {counter}</p>" if counter else "")
    return glossify(body)


def run_html(ch: Chapter, snap: state.Snapshot | None) -> str:
    """The model-output paragraph, labelled as such."""
    text = ch.in_this_run(snap) if snap is not None else NOT_RUN
    return ("<div class='aidb-model' data-testid='in-this-run'><span class='tag'>Model "
            f"output · in this run</span><div>{md_html(text)}</div></div>")


@solara.component
def LearnPage(session: state.LiveSession, signals: Signals,  # noqa: N802
              goto: Callable[[str], None]):
    """The tour: chapter list, text, sources, model output, a question and Show me."""
    _ = signals.version.value  # the "in this run" paragraph follows the Live model
    revealed = solara.use_reactive(False)
    index = session.chapter
    ch = CHAPTERS[index]

    def choose(i: int) -> None:
        session.chapter = i
        session.chapter_active = False
        revealed.set(False)
        signals.bump()

    def show_me() -> None:
        signals.playing.set(False)
        if session.show_me(ch.scenario, ch.quarter, ch.chart):
            session.highlight_note = ch.look_here
            session.chapter_active = True
            session.notice = (f"{ch.title}: the {ch.scenario} scenario plays from 2025Q1 to "
                              f"{fmt.quarter(ch.quarter - 1)}. Press Play to go on.")
            # slow enough to watch it happen, fast enough for the long chapters
            signals.speed.set(SHOW_ME_SPEED if ch.quarter > 12 else "normal")
            signals.bump()
            goto("Live")
            signals.playing.set(True)
        else:
            signals.bump()

    with solara.Div(classes=["aidb-learn"]):
        with solara.Column(gap="2px"):
            for i, c in enumerate(CHAPTERS):
                solara.Button(c.title, text=True, on_click=lambda i=i: choose(i),
                              color="primary" if i == index else None,
                              style="justify-content:flex-start;text-transform:none;"
                                    "white-space:normal;height:auto;min-height:32px;"
                                    "text-align:left")
            with Collapsible("Glossary"):
                solara.HTML(tag="div", unsafe_innerHTML=glossary_html(),
                            style="font-size:13px")
        with solara.Column(gap="8px", classes=["aidb-prose"]):
            solara.HTML(tag="div", unsafe_innerHTML=f"<h2>{html.escape(ch.title)}</h2>"
                        + chapter_html(ch), attributes={"data-testid": "chapter"})
            solara.HTML(tag="div", unsafe_innerHTML=run_html(ch, session.snapshot))
            solara.HTML(tag="div", unsafe_innerHTML=glossify(
                f"<p><b>Question.</b> {html.escape(ch.question)}</p>"))
            with solara.Row(style="flex-wrap:wrap"):
                solara.Button("Show me", on_click=show_me, color="primary",
                              icon_name="mdi-eye")
                solara.Button("Answer from the live model", on_click=lambda: revealed.set(True),
                              outlined=True)
                solara.Button("Previous", disabled=index == 0,
                              on_click=lambda: choose(index - 1))
                solara.Button("Next", disabled=index == len(CHAPTERS) - 1,
                              on_click=lambda: choose(index + 1))
            if revealed.value and session.snapshot is not None:
                solara.HTML(tag="div", unsafe_innerHTML=(
                    "<div class='aidb-model' data-testid='answer'><span class='tag'>Answer · "
                    f"in this run</span><div>{html.escape(ch.answer(session.snapshot))}"
                    "</div></div>"))
            solara.HTML(tag="div", unsafe_innerHTML="<b style='font-size:13px'>Sources</b>"
                        + src.sources_html(ch.all_claims))
