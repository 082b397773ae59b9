"""Shared pytest fixtures: the real browser (Debian's Chromium) and a running Solara server.

Nothing here runs unless a test asks for it: the fixtures are lazy (no autouse), so tests
that don't take ``page``/``browser``/``app_server``/``solara_server`` start no browser and
no server. Tests that do are marked ``browser`` automatically: ``pytest -m "not browser"``
skips them.

- ``browser_type_launch_args`` (overrides pytest-playwright's): launches
  ``$CHROMIUM_PATH`` or ``/usr/bin/chromium`` (``make test`` installs it) with the flags
  this closed network needs. Never ``playwright install``.
- ``app_server``: ``solara run app.py --production`` on a free port of 127.0.0.1 for the
  whole session; yields the base URL (``http://127.0.0.1:PORT``) once the page answers 200.
- ``solara_server``: a factory for the same with another app file (a context manager).

The server gets ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False`` and
``SOLARA_ASSETS_PROXY_CACHE_DIR`` = the asset cache that ``scripts/setup.sh`` filled
(``<venv>/share/solara/cdn`` unless the variable is already set). Its log is written to
a temporary file; ``server.log_path`` / the error message on start-up failure name it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_PATH = ROOT / "app.py"
SERVER_START_TIMEOUT = 60.0
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # without these, chromium floods the closed
    "--disable-component-update",  # network with refused connections
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BROWSER_FIXTURES = {"page", "context", "browser", "app_server", "solara_server"}


def chromium_path() -> str:
    """Chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium not found at {path}: run `make test` (installs Debian's chromium when "
            "root) or `sudo apt-get install -y chromium`; never `playwright install`.",
            pytrace=False,
        )
    return path


def solara_cache_dir() -> Path:
    """The Solara asset cache that scripts/setup.sh fills for this venv."""
    env = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    return Path(env) if env else Path(sys.prefix, "share", "solara", "cdn")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: uses a real browser or a Solara server (deselect: -m 'not browser')"
    )
    # pytest 9 + pytest-playwright 0.10: "Session-scoped fixtures defined as instance
    # methods are deprecated" from pytest-playwright's own base_url fixture.
    config.addinivalue_line("filterwarnings", "ignore::pytest.PytestRemovedIn10Warning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium headless with the flags this machine needs."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": browser_type_launch_args.get("headless", True),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SolaraServer(str):
    """The base URL (a str), with the server's process and log file attached."""

    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def run_solara(app: Path, log_dir: Path, timeout: float = SERVER_START_TIMEOUT):
    """Start `solara run APP --production` on a free port; yield a SolaraServer (its URL)."""
    app = Path(app)
    if not app.is_file():
        pytest.fail(f"no Solara app at {app}", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
        SOLARA_ASSETS_PROXY_CACHE_DIR=str(solara_cache_dir()),
        PYTHONUNBUFFERED="1",
    )
    log_path = log_dir / f"solara-{app.stem}-{port}.log"
    cmd = [
        sys.executable, "-m", "solara", "run", str(app),
        "--host", "127.0.0.1", "--port", str(port), "--production",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = SolaraServer(url)
    server.process, server.log_path = proc, log_path
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"solara exited with {proc.returncode} before serving {app.name}; "
                    f"log {log_path}:\n{server.log_text()[-3000:]}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"solara did not answer 200 on {url} within {timeout:.0f} s; "
                    f"log {log_path}:\n{server.log_text()[-3000:]}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def solara_server(tmp_path_factory: pytest.TempPathFactory):
    """Factory: ``with solara_server(path_to_app) as url: ...`` (stopped on exit)."""
    log_dir = tmp_path_factory.mktemp("solara-logs")

    def start(app: Path, timeout: float = SERVER_START_TIMEOUT):
        return run_solara(Path(app), log_dir, timeout)

    return start


@pytest.fixture(scope="session")
def app_server(solara_server) -> Iterator[SolaraServer]:
    """The project's app.py served for the whole session; yields its base URL."""
    with solara_server(APP_PATH) as url:
        yield url
