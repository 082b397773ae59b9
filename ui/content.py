"""Factual claims as data: every real-world statement in Learn and About carries its source.

A :class:`Claim` is one statement in the project's own words with the public source it
rests on (publisher, title, date, and the source's stance where it has one). Pages render
the source and date beside the claim; a test fails on any claim without them. Model
outputs are never claims: they are computed from the run and labelled "in this run".
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A public source: who published it, what, when, and its stance if it has one."""

    publisher: str
    title: str
    date: str
    url: str = ""
    stance: str = ""

    def __post_init__(self) -> None:
        if not self.publisher.strip() or not self.date.strip():
            raise ValueError(f"a source needs a publisher and a date: {self!r}")

    def short(self) -> str:
        """``Financial Times, Dec 2025``."""
        return f"{self.publisher}, {self.date}"


@dataclass(frozen=True)
class Claim:
    """One factual statement (markdown, our words) and the source it rests on."""

    text: str
    source: Source

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a claim needs a text")
        if not isinstance(self.source, Source):
            raise TypeError(f"claim without a source: {self.text[:60]!r}")


# ------------------------------------------------------------------------------ sources
WSWS = Source("World Socialist Web Site (N. Beams)",
              "AI debt grows and financial risks increase", "29 Dec 2025",
              "https://www.wsws.org/", "socialist website")
FT_SPV = Source("Financial Times", "Reporting on data-centre SPV financing", "Dec 2025",
                "https://www.ft.com/")
FT_IG = Source("Financial Times", "Reporting on 2025 US investment-grade bond sales",
               "Dec 2025", "https://www.ft.com/")
FILINGS_CAPEX = Source("Company filings (Alphabet, Amazon, Meta, Microsoft, Oracle 10-K/10-Q)",
                       "Capital expenditure, fiscal 2025", "2025-26", "https://www.sec.gov/")
BOFA_BONDS = Source("BofA Global Research (as reported)", "Hyperscaler bond issuance",
                    "Nov 2025")
JPM = Source("J.P. Morgan research", "Financing the AI data-centre build-out", "Nov 2025",
             stance="investment bank research")
MS = Source("Morgan Stanley research", "Data-centre financing gap", "2025",
            stance="investment bank research")
META_HYPERION = Source("Meta Platforms", "Joint venture with Blue Owl Capital funds "
                       "(Hyperion data centre), press release and bond offering", "Oct 2025",
                       "https://investor.atmeta.com/")
NVIDIA_OPENAI = Source("Nvidia and OpenAI", "Letter of intent for 10 GW of Nvidia systems",
                       "Sep 2025", "https://nvidianews.nvidia.com/")
AMD_8K = Source("AMD", "Form 8-K on the OpenAI agreement and warrant", "Oct 2025",
                "https://www.sec.gov/")
COREWEAVE = Source("CoreWeave", "10-K and 10-Q filings", "2025", "https://www.sec.gov/")
STORM = Source("S. Storm, Institute for New Economic Thinking",
               "Blog post on circular AI financing", "2025",
               "https://www.ineteconomics.org/", "heterodox economist")
BAIN = Source("Bain & Company", "Technology Report 2025", "Sep 2025",
              "https://www.bain.com/", "management consultancy")
ALTMAN = Source("Sam Altman (OpenAI chief executive)", "Public statement on OpenAI's revenue "
                "and compute commitments", "Nov 2025")
ANTHROPIC = Source("Anthropic", "Series F funding announcement", "Sep 2025",
                   "https://www.anthropic.com/news")
SEQUOIA = Source("Sequoia Capital (D. Cahn)", "AI's $600B question", "Jun 2024",
                 "https://www.sequoiacap.com/", "venture capital investor")
SEMIANALYSIS = Source("SemiAnalysis GPU rental price data (as reported)",
                      "H100 rental prices", "2023-2026")
SERVER_LIVES = Source("Company 10-K filings (Microsoft, Alphabet, Amazon, Meta)",
                      "Useful lives of servers and network equipment", "2022-2025",
                      "https://www.sec.gov/")
NVIDIA_ROADMAP = Source("Nvidia", "GTC keynote roadmap (Blackwell, Rubin, Feynman)",
                        "Mar 2025", "https://www.nvidia.com/gtc/")
FED_PC = Source("Federal Reserve (FEDS Notes)", "Bank lending to private credit: size, "
                "characteristics, and financial stability implications", "May 2025",
                "https://www.federalreserve.gov/econres/notes/feds-notes/",
                "central bank research")
FED_PC_RISKS = Source("Federal Reserve (FEDS Notes)", "Private credit: characteristics and "
                      "risks", "Feb 2024",
                      "https://www.federalreserve.gov/econres/notes/feds-notes/",
                      "central bank research")
MOODYS = Source("Moody's", "US banks' exposure to private credit", "Oct 2025",
                stance="credit rating agency")
BCRED = Source("Blackstone Private Credit Fund", "Offering terms (repurchase limits)", "2025",
               "https://www.bcred.com/")
HLEND = Source("Bloomberg", "BlackRock's HPS Corporate Lending Fund limits withdrawals",
               "Mar 2026")
FRED_OAS = Source("ICE BofA US Corporate Index option-adjusted spread (FRED series "
                  "BAMLC0A0CM)", "Investment-grade credit spread", "2025",
                  "https://fred.stlouisfed.org/series/BAMLC0A0CM")
GOLDMAN = Source("Goldman Sachs Research", "The potentially large effects of artificial "
                 "intelligence on economic growth", "Mar 2023", stance="investment bank research")
BLS = Source("US Bureau of Labor Statistics", "Occupational Employment and Wage Statistics",
             "May 2024", "https://www.bls.gov/oes/")
EN = Source("L. Eisenberg and T. Noe", "Systemic risk in financial systems, Management "
            "Science 47(2)", "2001")
OKABE_ITO = Source("M. Okabe and K. Ito", "Color universal design", "2008")


def claim_html(c: Claim) -> str:
    """A claim as HTML with its source and date beside it."""
    from ui.components import md_html

    body = md_html(c.text).strip()
    if body.startswith("<p>") and body.endswith("</p>"):
        body = body[3:-4]
    src = html.escape(c.source.short())
    if c.source.stance:
        src += f"; {html.escape(c.source.stance)}"
    return (f"<span class='aidb-claim'>{body} <span class='aidb-src'>({src})</span></span>")


def sources_html(claims: tuple[Claim, ...]) -> str:
    """The full references of a list of claims (unique, in order of first use)."""
    seen: list[Source] = []
    for c in claims:
        if c.source not in seen:
            seen.append(c.source)
    items = []
    for s in seen:
        title = html.escape(s.title)
        if s.url:
            title = f"<a href='{html.escape(s.url)}' target='_blank' rel='noopener'>{title}</a>"
        stance = f" — {html.escape(s.stance)}" if s.stance else ""
        items.append(f"<li>{html.escape(s.publisher)}: {title}, {html.escape(s.date)}"
                     f"{stance}</li>")
    return "<ul class='aidb-src'>" + "".join(items) + "</ul>"
