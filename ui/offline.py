"""The app never fetches from the internet at run time.

Solara serves its front-end files under ``/_solara/cdn/`` from a local cache and, on a cache
miss, downloads the file from a public CDN (``solara.server.cdn_helper.fetch_from_cdn``).
This project fills the cache ahead of time (``scripts/solara_assets.py``, run by
``scripts/setup.sh``); at run time a missing file is a set-up error, so the download is
replaced by an error that says what to run. The browser gets a 404 for that file and the
server log names the file and the fix.
"""

from __future__ import annotations

import logging

import solara.server.cdn_helper as cdn_helper

logger = logging.getLogger("aidb.offline")

SETUP_HINT = ("run `scripts/setup.sh` (or `.venv/bin/python scripts/solara_assets.py`) to fill "
              "Solara's offline asset cache")


class MissingAssetError(RuntimeError):
    """A front-end file is not in the offline asset cache (a set-up error)."""


def refuse_cdn_fetch(url: str) -> bytes:
    """Stand-in for solara's CDN download: log the set-up error and raise."""
    message = f"front-end file not in the offline asset cache: {url}; {SETUP_HINT}"
    logger.error(message)
    raise MissingAssetError(message)


def forbid_cdn_fetch() -> None:
    """Make every cache miss under ``/_solara/cdn/`` a set-up error instead of a download."""
    cdn_helper.fetch_from_cdn = refuse_cdn_fetch
