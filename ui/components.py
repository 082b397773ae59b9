"""Small shared Solara components: chart cards, HTML tables, messages."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import solara
from solara.components.echarts import EchartsWidget

from ui import theme

CARD_STYLE = ("border:1px solid #ddd;border-radius:6px;padding:4px;background:#fff;"
              "margin-bottom:8px;")
HIGHLIGHT_STYLE = ("border:3px solid #E69F00;border-radius:6px;padding:4px;background:#fffaf0;"
                   "margin-bottom:8px;")


class Opaque:
    """Wraps a chart option so the renderer does not walk it looking for child elements.

    Equal when the wrapped values are equal (a fast C-level dict comparison).
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (other.value is self.value
                                              or other.value == self.value)

    __hash__ = None  # type: ignore[assignment]


def Chart(key: str, option: dict, height: int = 280, highlight: bool = False,  # noqa: N802
          note: str | None = None, on_click: Callable | None = None):
    """An echarts figure in a card; ``data-chart=key`` lets tests and the bench find it."""
    return ChartCard(key, Opaque(option), height, highlight, note, on_click)


@solara.component
def ChartCard(key: str, option: Opaque, height: int = 280, highlight: bool = False,  # noqa: N802
              note: str | None = None, on_click: Callable | None = None):
    """The card behind :func:`Chart` (``option`` wrapped in :class:`Opaque`)."""
    with solara.Column(style=HIGHLIGHT_STYLE if highlight else CARD_STYLE, gap="0px"):
        if highlight and note:
            solara.HTML(tag="div",
                        unsafe_innerHTML=f"<b>&#9654; Look here:</b> {html.escape(note)}",
                        style="font-size:13px;padding:2px 6px;color:#7a4d00")
        FastEcharts(option, {"style": f"height:{height}px;width:100%;", "data-chart": key},
                    on_click)


@solara.component
def FastEcharts(option: Opaque, attributes: dict, on_click: Callable | None = None):  # noqa: N802
    """``solara.FigureEcharts`` with the option pushed to the widget after render.

    Passing a large option dict as an element argument makes the renderer walk and compare
    every nested value on each render (~40% of a step's server time with eight charts); here
    the element only carries the attributes and the option is assigned to the widget in an
    effect (the widget's trait skips the sync when the option did not change).
    """
    # responsive: follow the card's width (columns change on Compare, windows resize)
    el = EchartsWidget.element(attributes=attributes, on_click=on_click, responsive=True)

    def push() -> None:
        widget = solara.get_widget(el)
        if widget.option != option.value:
            widget.option = option.value

    solara.use_effect(push)


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]],
               align_right_from: int = 1, test_id: str = "") -> str:
    """A small escaped HTML table (cheaper to update than a DataFrame widget)."""
    head = "".join(
        f"<th style='text-align:{'right' if i >= align_right_from else 'left'};padding:2px 8px;"
        f"border-bottom:1px solid #ccc'>{html.escape(str(h))}</th>"
        for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = "".join(
            f"<td style='text-align:{'right' if i >= align_right_from else 'left'};"
            f"padding:2px 8px'>{html.escape(str(c))}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    tid = f" data-testid='{html.escape(test_id)}'" if test_id else ""
    return (f"<table{tid} style='border-collapse:collapse;font-size:13px'><thead><tr>{head}"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def role_chip(role: str) -> str:
    """A coloured dot and the role's label (HTML)."""
    color = theme.role_color(role)
    label = theme.ROLE_LABELS.get(role, role)
    return (f"<span style='display:inline-block;width:9px;height:9px;border-radius:50%;"
            f"background:{color};margin-right:4px'></span>{html.escape(label)}")


def md_html(text: str) -> str:
    """Markdown to HTML without solara.Markdown (which fetches mermaid from a CDN)."""
    import markdown  # a dependency of solara

    return markdown.markdown(text, extensions=["tables"])


@solara.component
def Md(text: str, style: str = ""):  # noqa: N802
    """Render trusted, project-written markdown as HTML."""
    solara.HTML(tag="div", unsafe_innerHTML=md_html(text), style=style or "font-size:15px")
