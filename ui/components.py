"""Small shared Solara components: chart cards, HTML tables, markdown."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import cast

import ipyvuetify
import solara
import traitlets

from ui import theme


class ChartWidget(ipyvuetify.VuetifyTemplate):
    """A chart card (``ui/echarts.vue``): heading, echarts chart, legend and caption.

    One widget per card keeps a step's render small. The browser reports whether the chart
    is on screen (``visible``: None until it has looked, then set by the browser only); a
    new option is sent only to a visible chart, and a chart that comes into view gets the
    latest one (``latest``) at once. Until the browser has looked, ``below_fold`` decides.
    """

    template_file = (__file__, "echarts.vue")
    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    option = traitlets.Dict().tag(sync=True)
    height = traitlets.Int(280).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    head = traitlets.Unicode("").tag(sync=True)
    under = traitlets.Unicode("").tag(sync=True)
    # never an element argument: a re-render would set it back over the browser's report
    visible = traitlets.Bool(None, allow_none=True).tag(sync=True)
    below_fold = traitlets.Bool(False)  # server side only: the guess before the browser's
    latest: dict | None = None

    @property
    def on_screen(self) -> bool:
        """Whether the chart is in view: the browser's report, else the page's guess."""
        return (not self.below_fold) if self.visible is None else bool(self.visible)

    @traitlets.observe("visible")
    def _came_into_view(self, change: dict) -> None:
        if change["new"] and self.latest is not None and self.option != self.latest:
            self.option = self.latest


class NativeSelect(ipyvuetify.VuetifyTemplate):
    """A plain ``<select>`` with a visible label: light, keyboard friendly, no nested roles."""

    template = traitlets.Unicode("""<template>
  <label style="font-size:13px">{{ label }}
    <select v-model="value" style="border:1px solid #777;border-radius:4px;padding:2px 6px;
      margin-left:4px;max-width:240px">
      <option v-for="o in options" :key="o" :value="o">{{ o }}</option>
    </select>
  </label>
</template>""").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    value = traitlets.Unicode("").tag(sync=True)
    options = traitlets.List(traitlets.Unicode()).tag(sync=True)


class CheckboxGroup(ipyvuetify.VuetifyTemplate):
    """Native checkboxes over a list of options; changes only when the user clicks one."""

    template = traitlets.Unicode("""<template>
  <div role="group" :aria-label="label" style="display:flex;flex-wrap:wrap;gap:2px 10px;
    font-size:13px">
    <label v-for="o in options" :key="o" style="white-space:nowrap">
      <input type="checkbox" :value="o" v-model="value"> {{ labels[o] || o }}
    </label>
  </div>
</template>""").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    value = traitlets.List(traitlets.Unicode()).tag(sync=True)
    options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)


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
          title: str = "", legend: str = "", caption: str = "", look_here: str | None = None,
          below_fold: bool = False):
    """An echarts figure in a card; ``data-chart=key`` for tests and the bench.

    Args:
        key: identifier of the chart (``data-chart`` attribute).
        option: the echarts option.
        height: height in pixels.
        highlight: outline the card (Learn's Show me points at it).
        title: the chart's title (plain text).
        legend: the legend (trusted HTML, under the chart).
        caption: one line under the legend saying what the chart shows (trusted HTML).
        look_here: a note above the chart while it is highlighted (trusted HTML).
        below_fold: the chart starts out of view: send its option only once the browser
            reports it on screen (a lighter first page).
    """
    return ChartCard(key, Opaque(option), height, highlight, title, legend, caption, look_here,
                     below_fold)


@solara.component
def ChartCard(key: str, option: Opaque, height: int = 280, highlight: bool = False,  # noqa: N802
              title: str = "", legend: str = "", caption: str = "",
              look_here: str | None = None, below_fold: bool = False):
    """The card behind :func:`Chart` (``option`` wrapped in :class:`Opaque`).

    The element carries only small values; the option is pushed to the widget in an effect:
    passed as an argument, the renderer would walk and compare every nested value.
    """
    head = f"<div class='aidb-ctitle'>{html.escape(title)}</div>" if title else ""
    if highlight and look_here:
        head = f"<div class='aidb-look'><b>&#9654; Look here:</b> {look_here}</div>" + head
    under = legend + (f"<div class='aidb-caption'>{caption}</div>" if caption else "")
    classes = "aidb-card aidb-highlight" if highlight else "aidb-card"
    el = ChartWidget.element(attributes={"data-chart": key, "class": classes,
                                         "style": "padding:4px"},
                             height=height, title=title or key, head=head, under=under,
                             below_fold=below_fold)

    def push() -> None:
        widget = cast(ChartWidget, solara.get_widget(el))
        widget.latest = option.value
        if widget.on_screen and widget.option != option.value:
            widget.option = option.value

    solara.use_effect(push)


@solara.component
def Collapsible(title: str, children: list | None = None, expand: bool = False):  # noqa: N802
    """A section that opens on click; closed, its content is not rendered at all."""
    open_, set_open = solara.use_state(expand)
    solara.Button(("▾ " if open_ else "▸ ") + title, text=True,
                  on_click=lambda: set_open(not open_),
                  style="justify-content:flex-start;text-transform:none;font-weight:600",
                  attributes={"aria-expanded": "true" if open_ else "false"})
    if open_:
        solara.Column(children=children or [], gap="0px", style="padding-left:6px")


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]],
               align_right_from: int = 1, test_id: str = "", caption: str = "") -> str:
    """A small escaped HTML table (cheaper to update than a DataFrame widget)."""
    head = "".join(
        f"<th scope='col' style='text-align:{'right' if i >= align_right_from else 'left'}'>"
        f"{html.escape(str(h))}</th>" for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = "".join(
            f"<td style='text-align:{'right' if i >= align_right_from else 'left'}'>"
            f"{html.escape(str(c))}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    tid = f" data-testid='{html.escape(test_id)}'" if test_id else ""
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<div class='aidb-table-wrap'><table class='aidb-table'{tid}>{cap}<thead><tr>"
            f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def role_chip(role: str) -> str:
    """A coloured dot and the role's label (HTML)."""
    color = theme.role_color(role)
    label = theme.ROLE_LABELS.get(role, role)
    return (f"<span style='display:inline-block;width:9px;height:9px;border-radius:50%;"
            f"background:{color};border:1px solid #333;margin-right:4px'></span>"
            f"{html.escape(label)}")


def md_html(text: str) -> str:
    """Markdown to HTML without solara.Markdown (which fetches mermaid from a CDN)."""
    import markdown  # a dependency of solara

    return markdown.markdown(text, extensions=["tables"])


@solara.component
def Md(text: str, classes: list[str] | None = None):  # noqa: N802
    """Render trusted, project-written markdown as HTML."""
    solara.HTML(tag="div", unsafe_innerHTML=md_html(text), classes=classes or ["aidb-prose"])
