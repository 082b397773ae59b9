"""Solara user interface of the AI debt bubble model (pages, charts, per-session state)."""
