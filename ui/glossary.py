"""Glossary: plain-language definitions of the jargon, shown on hover or keyboard focus.

Wherever a term appears in the app's texts it gets a tooltip; the Learn page lists them all.
"""

from __future__ import annotations

import html
import re

# term -> definition; the first spelling is the one listed, aliases map to it below.
TERMS: dict[str, str] = {
    "ABS": "Asset-backed security: a bond paid from a pool of loans or leases. The pool is "
           "cut into tranches that take losses in order.",
    "basis point": "One hundredth of a percentage point: 100 bp = 1%.",
    "bubble index": "The model's bubble measure: the market value of AI firms' equity divided "
                    "by the value their expected revenue justifies (its discounted "
                    "earnings). 1 means no bubble; 2 means prices are twice what revenue "
                    "supports.",
    "capex": "Capital expenditure: money spent on long-lived assets such as data centres, "
             "power and GPUs.",
    "capital ratio": "A bank's equity as a share of its risk-weighted assets: the cushion "
                     "that absorbs losses before depositors and other creditors are hit.",
    "circular core": "The largest group of firms in which money paid by any one of them "
                     "comes back to it round a loop (shares, loans, compute, chips, rent). "
                     "The model measures it every quarter, with the share of their revenue "
                     "that is the loop's own money and the money it needs from outside.",
    "circular deal": "Vendor financing: a supplier invests in or lends to its own customer, "
                     "who then buys the supplier's products with that money.",
    "countercyclical buffer": "Extra bank capital built up in good times that the regulator "
                              "can release in a downturn so banks keep lending.",
    "default": "Failing to pay interest or principal when due; the creditors then recover "
               "what the borrower's assets are worth.",
    "gate": "A redemption gate: a fund pays out only a set share of its value each quarter "
            "(often 5%); the rest of the requests wait in a queue.",
    "hyperscaler": "One of the largest cloud companies (Microsoft, Alphabet, Amazon, Meta, "
                   "Oracle) building data centres at scale.",
    "investment grade": "A credit rating of BBB-/Baa3 or better: borrowers judged safe enough "
                        "for pension funds and insurers to buy their bonds.",
    "lender of last resort": "A public facility (usually the central bank) that lends to "
                             "solvent banks and funds that cannot sell assets fast enough.",
    "LP": "Limited partner: an investor in a private fund (pension funds, insurers, wealthy "
          "savers); LPs can ask to redeem, subject to gates.",
    "NAV": "Net asset value: what a fund's holdings are worth minus its debts; redemptions "
           "are paid at NAV.",
    "neocloud": "A newer company that rents out GPU computing (e.g. CoreWeave), usually "
                "financed with loans secured on the chips and on customer contracts.",
    "off balance sheet": "Debt held by a separate vehicle (an SPV), so it does not appear "
                         "among the sponsor's own liabilities.",
    "private credit": "Loans made by investment funds rather than banks, usually to "
                      "companies and projects, held to maturity and not traded.",
    "residual value guarantee": "A promise by the tenant of a data centre to make up the "
                                "shortfall if the building is worth less than agreed when "
                                "the lease ends.",
    "RWA": "Risk-weighted assets: a bank's assets weighted by how risky they are; capital "
           "rules are stated as a share of RWA.",
    "spread": "The extra yield a borrower pays above the risk-free rate, in basis points.",
    "SPV": "Special purpose vehicle: a separate company set up to own one project (a data "
           "centre, a stock of GPUs) and borrow against it.",
    "stranded asset": "An asset that loses its value before the end of its planned life, "
                      "e.g. GPUs made obsolete by cheaper or more efficient ones.",
    "take-or-pay": "A contract in which the buyer pays for an agreed amount of computing "
                   "whether or not it uses it.",
    "tranche": "A slice of a securitisation; junior tranches take losses first, senior "
               "ones last.",
    "utilisation": "The share of the computing capacity already built that customers use "
                   "and pay for.",
}
ALIASES: dict[str, str] = {
    "bp": "basis point", "basis points": "basis point", "IG": "investment grade",
    "investment-grade": "investment grade", "capital expenditure": "capex",
    "gates": "gate", "gated": "gate", "gating": "gate", "SPVs": "SPV",
    "special purpose vehicles": "SPV", "tranches": "tranche", "neoclouds": "neocloud",
    "hyperscalers": "hyperscaler", "risk-weighted assets": "RWA", "LPs": "LP",
    "residual value guarantees": "residual value guarantee", "circular deals": "circular deal",
    "vendor financing": "circular deal", "defaults": "default", "stranded assets":
    "stranded asset", "lender-of-last-resort": "lender of last resort",
}
_CASE_SENSITIVE = {"ABS", "LP", "LPs", "NAV", "RWA", "SPV", "SPVs", "IG", "bp"}


def _pattern() -> re.Pattern[str]:
    words = sorted([*TERMS, *ALIASES], key=len, reverse=True)
    parts = []
    for w in words:
        body = re.escape(w)
        parts.append(body if w in _CASE_SENSITIVE else f"(?i:{body})")
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])")


_TERM_RE = _pattern()
_TAG_RE = re.compile(r"(<[^>]+>)")


def lookup(word: str) -> str | None:
    """The glossary entry a word (or alias) refers to, None if it is not a term."""
    for candidate in (word, word.lower()):
        if candidate in TERMS:
            return candidate
        if candidate in ALIASES:
            return ALIASES[candidate]
    for term in TERMS:
        if term.lower() == word.lower() and term not in _CASE_SENSITIVE:
            return term
    return None


def tip(word: str, term: str) -> str:
    """HTML of one term with its hover/focus definition."""
    return (f"<span class='gloss' tabindex='0' data-term='{html.escape(term)}'>"
            f"{html.escape(word)}<span class='gloss-tip' role='tooltip'>"
            f"{html.escape(TERMS[term])}</span></span>")


def glossify(text_html: str, seen: set[str] | None = None) -> str:
    """Mark the first appearance of each glossary term in HTML text (tags left alone)."""
    seen = set() if seen is None else seen
    out = []
    skip = 0  # inside <a>, headings or code: no tooltips there (apply once per text)
    for part in _TAG_RE.split(text_html):
        if part.startswith("<"):
            tag = part[1:].split()[0].rstrip(">").lower() if len(part) > 2 else ""
            if tag in ("a", "h1", "h2", "h3", "code"):
                skip += 1
            elif tag in ("/a", "/h1", "/h2", "/h3", "/code") and skip:
                skip -= 1
            out.append(part)
            continue
        if skip:
            out.append(part)
            continue

        def mark(m: re.Match[str]) -> str:
            term = lookup(m.group(1))
            if term is None or term in seen:
                return m.group(1)
            seen.add(term)
            return tip(m.group(1), term)

        out.append(_TERM_RE.sub(mark, part))
    return "".join(out)


def glossary_html() -> str:
    """The whole glossary as a definition list."""
    items = "".join(f"<dt><b>{html.escape(t)}</b></dt><dd style='margin:0 0 6px 16px'>"
                    f"{html.escape(d)}</dd>" for t, d in sorted(TERMS.items(),
                                                                key=lambda kv: kv[0].lower()))
    return f"<dl data-testid='glossary'>{items}</dl>"
