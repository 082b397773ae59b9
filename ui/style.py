"""The app's stylesheet: layout that stacks below 900 px, visible focus, glossary tooltips.

One place for CSS so the pages only name classes. The breakpoint is the width below which
the sidebar moves above the main area and charts go one per row.
"""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets

from ui import theme

NARROW_PX = 900

CSS = f"""
.aidb-app {{ padding: 0 10px; max-width: 1800px; margin: 0 auto; }}
.aidb-head {{ display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px;
  padding: 6px 0 0 0; }}
.aidb-head h1 {{ font-size: 20px; font-weight: 600; margin: 0; }}
.aidb-tagline {{ color: #555; font-size: 14px; }}
.aidb-live {{ display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 10px;
  align-items: start; }}
.aidb-side {{ min-width: 0; }}
.aidb-main {{ min-width: 0; }}
.aidb-charts {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }}
.aidb-network-row {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  gap: 8px; margin-top: 8px; }}
.aidb-learn {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 3fr);
  gap: 10px; }}
.aidb-two {{ display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; }}
.aidb-cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(135px, 1fr));
  gap: 6px; margin-bottom: 8px; }}
.aidb-cardbox {{ border: 1px solid #ccc; border-radius: 6px; padding: 5px 9px;
  background: #fafafa; min-width: 0; }}
.aidb-cardbox .t {{ font-size: 12px; color: #444; }}
.aidb-cardbox .card-value {{ font-size: 20px; font-weight: 600; color: #222;
  overflow-wrap: anywhere; }}
.aidb-cardbox .card-value.alarm {{ color: {theme.DISTRESS}; }}
.aidb-cardbox .s {{ font-size: 12px; color: #444; }}
.aidb-card {{ border: 1px solid #ddd; border-radius: 6px; background: #fff; min-width: 0; }}
.aidb-highlight {{ border: 3px solid {theme.BLUE}; background: #f3f8fc; }}
.aidb-ctitle {{ font-size: 14px; font-weight: 600; padding: 2px 6px; }}
.aidb-under {{ padding: 0 6px 2px 6px; }}
.aidb-look {{ font-size: 13px; padding: 2px 6px; color: #003f63; }}
.aidb-caption {{ font-size: 12.5px; color: #333; padding: 0 6px 2px 6px; line-height: 1.35; }}
.aidb-panel {{ border: 1px solid #ddd; border-radius: 6px; padding: 6px; min-width: 0; }}
.aidb-runbar {{ display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }}
.aidb-prose {{ font-size: 15px; line-height: 1.5; max-width: 760px; }}
.aidb-prose h2 {{ font-size: 20px; margin: 4px 0 8px 0; }}
.aidb-src {{ font-size: 12px; color: #444; white-space: normal; }}
.aidb-model {{ background: #eef6ee; border-left: 4px solid {theme.GREEN}; padding: 4px 8px;
  margin: 6px 0; font-size: 14.5px; }}
.aidb-model .tag {{ font-size: 11px; font-weight: 600; color: #0b5d45; text-transform: uppercase;
  letter-spacing: .04em; }}
.aidb-tour {{ background: #f3f8fc; border: 1px solid {theme.BLUE}; border-radius: 6px;
  padding: 4px 8px; margin-bottom: 6px; display: flex; flex-wrap: wrap; gap: 6px;
  align-items: center; }}
.aidb-table-wrap {{ overflow-x: auto; max-width: 100%; }}
.aidb-table {{ border-collapse: collapse; font-size: 13px; }}
.aidb-table th, .aidb-table td {{ padding: 2px 8px; }}
.aidb-table th {{ border-bottom: 1px solid #999; }}
.aidb-table caption {{ text-align: left; font-weight: 600; padding: 2px 8px; }}
.aidb-exposures {{ display: none; }}
.aidb-keyline {{ font-size: 12.5px; color: #333; margin: 2px 0 6px 0; }}
.aidb-keyline .mk {{ display: inline-block; width: 18px; height: 0; vertical-align: middle;
  margin: 0 3px 0 8px; border-top-width: 2px; }}
.aidb-upload {{ border: 1px dashed #777; border-radius: 6px; padding: 6px; font-size: 13px; }}
.aidb-upload label.aidb-browse {{ display: inline-block; border: 1px solid {theme.BLUE};
  color: {theme.BLUE}; border-radius: 4px; padding: 2px 8px; cursor: pointer;
  margin-top: 4px; }}
.aidb-upload input[type=file] {{ position: absolute; width: 1px; height: 1px; opacity: 0; }}
.aidb-upload input[type=file]:focus-visible + label.aidb-browse {{
  outline: 3px solid {theme.BLUE}; outline-offset: 2px; }}
.aidb-src a, .aidb-prose a, .aidb-claim a {{ text-decoration: underline; }}
.gloss {{ border-bottom: 1px dotted #333; cursor: help; position: relative; }}
.gloss .gloss-tip {{ display: none; position: absolute; left: 0; top: 1.5em; z-index: 30;
  width: max-content; max-width: min(300px, 80vw); background: #1f1f1f; color: #fff;
  padding: 6px 8px; border-radius: 4px; font-size: 13px; font-weight: 400;
  line-height: 1.35; text-transform: none; letter-spacing: 0; }}
.gloss:hover .gloss-tip, .gloss:focus .gloss-tip, .gloss:focus-within .gloss-tip {{
  display: block; }}
:focus-visible {{ outline: 3px solid {theme.BLUE} !important; outline-offset: 2px; }}
.v-btn:focus-visible, .v-tab:focus-visible {{ outline: 3px solid {theme.BLUE} !important; }}
@media (max-width: {NARROW_PX}px) {{
  .aidb-live, .aidb-charts, .aidb-network-row, .aidb-two, .aidb-learn {{ grid-template-columns:
    minmax(0, 1fr); }}
  .aidb-tagline {{ display: none; }}
  .aidb-runbar {{ position: sticky; top: 0; z-index: 5; background: #fff; padding: 4px 0; }}
  .aidb-network {{ display: none; }}
  .v-tab {{ min-width: 0 !important; padding: 0 7px !important; font-size: 12.5px !important;
    letter-spacing: 0 !important; }}
  .v-slide-group__prev, .v-slide-group__next {{ display: none !important; }}
  .v-slide-group__content {{ flex-wrap: wrap; }}
  .aidb-exposures {{ display: block; }}
}}
"""


class PageFixes(ipyvuetify.VuetifyTemplate):
    """Fixes to solara's page shell: a language, and zoom allowed (accessibility)."""

    template = traitlets.Unicode("""<template><span style="display:none"></span></template>
<script>
module.exports = {
  mounted() {
    document.documentElement.lang = "en";
    const meta = document.querySelector("meta[name=viewport]");
    if (meta) meta.setAttribute("content", "width=device-width, initial-scale=1");
  },
};
</script>""").tag(sync=True)


@solara.component
def AppStyle():  # noqa: N802
    """Insert the stylesheet and the page-shell fixes (once per page)."""
    solara.Style(CSS)
    PageFixes.element()
