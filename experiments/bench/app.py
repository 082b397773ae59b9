"""App benchmark: ``python -m experiments.bench app [--steps N] [--play Q] [--url URL]``.

Measures, in the real browser (Debian's Chromium driven by Playwright):

- **step + redraw**: the time from a click on **Step** to the moment every time chart on
  screen (1440 x 900 window) holds the new quarter, the quarter card shows it and the page
  has painted it (two animation frames after the last chart got its new data): one quarter's
  model step + snapshot + render + websocket + echarts redraw of everything visible. Charts
  out of view get their update when they are scrolled into view. Budget: median <= 100 ms.
- **page load to charts**: from ``page.goto`` to the seven time charts initialised, in a fresh
  browser context (empty HTTP cache) each time; the first load after the server starts is
  reported apart. Budget: median <= 2 s.

Also reports the time Play takes for a run to quarter Q at the "fastest" speed (no pause
between quarters), i.e. quarters per second the whole page sustains, and the machine's
load average (this is a shared 2-core machine: other work there slows every figure).

Starts ``solara run app.py --production`` on a free port of 127.0.0.1 (with the offline
asset cache, telemetry off) unless ``--url`` points at a running server.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MS = 100.0
LOAD_BUDGET_S = 2.0
TIME_CHARTS = ("revenue", "bubble", "debt", "financing", "losses", "credit", "utilisation")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

# Click Step inside the page (precise t0), then wait until every time chart has received
# `expected` points in its first series and the quarter card shows the label, then two
# animation frames (echarts has redrawn and the browser has painted).
STEP_JS = """
async ([expected, label, keys]) => {
  const btn = [...document.querySelectorAll('button')]
      .find(b => b.textContent.trim().toLowerCase() === 'step');
  // the time charts on screen (charts out of view get their update when scrolled to)
  const charts = keys.map(k => document.querySelector(`[data-chart=${k}]`))
      .filter(el => el && el.getBoundingClientRect().top < window.innerHeight);
  const card = () => document.querySelector('[data-card=quarter] .card-value');
  // the option prop a chart's Vue component received (its watcher hands it to echarts'
  // setOption before the next frame); cheaper to poll than chart.getOption()
  const ready = () => charts.every(el => {
      const vm = el && el.__vue__;
      if (!vm || !vm.chart || !vm.option || !vm.option.series) return false;
      return vm.option.series[0].data.length >= expected;
  }) && card() && card().textContent.trim() === label;
  const t0 = performance.now();
  btn.click();
  await new Promise(res => { const tick = () => ready() ? res() : requestAnimationFrame(tick);
                             tick(); });
  const t1 = performance.now();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [t1 - t0, performance.now() - t0, charts.length];
}
"""


def quarter_label(t: int) -> str:
    """Label of quarter index t (0 = 2025Q1)."""
    return f"{2025 + t // 4}Q{t % 4 + 1}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start the app on a free local port; return (process, base URL) once it answers."""
    port = _free_port()
    cache = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or str(
        Path(sys.prefix, "share", "solara", "cdn"))
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
               SOLARA_ASSETS_PROXY_CACHE_DIR=cache, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "solara", "run", str(ROOT / "app.py"), "--host", "127.0.0.1",
           "--port", str(port), "--production"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"solara exited early; log: {log_path}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise RuntimeError(f"solara did not answer within 60 s; log: {log_path}")


def load_page(browser, url: str):
    """Open the app in a fresh context; return (page, seconds until the charts are ready)."""
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    t = time.perf_counter()
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60000)
    page.wait_for_function(
        "keys => keys.every(k => { const e = document.querySelector(`[data-chart=${k}]`);"
        " return e && e.__vue__ && e.__vue__.chart; })", arg=list(TIME_CHARTS),
        timeout=60000)
    return page, time.perf_counter() - t


def measure(url: str, steps: int, play_to: int, chromium: str, loads: int = 3) -> dict:
    """Drive the page: page loads, `steps` timed Steps, then Play to `play_to` (fastest)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        first_page, first_load_s = load_page(browser, url)
        first_page.context.close()
        load_times = []
        for _ in range(loads):
            page, seconds = load_page(browser, url)
            load_times.append(seconds)
            page.context.close()
        page, _ = load_page(browser, url)
        load_s = statistics.median(load_times)
        data, painted, visible = [], [], 0
        for i in range(1, steps + 1):
            got, paint, visible = page.evaluate(STEP_JS, [i, quarter_label(i - 1),
                                                          list(TIME_CHARTS)])
            data.append(got)
            painted.append(paint)
        # Play at the fastest speed to `play_to` quarters
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function(
            "() => document.querySelector('[data-card=quarter] .card-value')"
            ".textContent.includes('start')", timeout=30000)
        slider_text = f"Play until quarter {play_to}"
        play_s = None
        if page.get_by_text(slider_text).count() or play_to == 40:
            page.get_by_role("button", name="fastest").click()
            t = time.perf_counter()
            page.get_by_role("button", name="Play").click()
            page.wait_for_function(
                "label => document.querySelector('[data-card=quarter] .card-value')"
                ".textContent.trim() === label", arg=quarter_label(play_to - 1),
                timeout=120000, polling="raf")
            play_s = time.perf_counter() - t
        browser.close()
    return {"load_s": load_s, "first_load_s": first_load_s, "load_times": load_times,
            "visible_charts": visible,
            "data_ms": data, "painted_ms": painted, "play_s": play_s, "play_to": play_to}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a summary; exit code 1 if over budget."""
    ap = argparse.ArgumentParser(prog="python -m experiments.bench app", description=__doc__)
    ap.add_argument("--steps", type=int, default=30, help="timed Step clicks (default 30)")
    ap.add_argument("--play", type=int, default=40, help="Play to this quarter (40)")
    ap.add_argument("--url", help="use a running app instead of starting one")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    args, _ = ap.parse_known_args(argv)
    if not os.access(args.chromium, os.X_OK):
        print(f"SKIP: no Chromium at {args.chromium} (apt-get install chromium)")
        return 0
    proc = None
    log = Path(tempfile.gettempdir()) / f"bench-app-{os.getpid()}.log"
    try:
        if args.url:
            url = args.url
        else:
            proc, url = start_server(log)
        r = measure(url, args.steps, args.play, args.chromium)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    painted = sorted(r["painted_ms"])
    med = statistics.median(painted)
    p90 = painted[min(len(painted) - 1, int(0.9 * len(painted)))]
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"page load to charts ready: median {r['load_s']:.2f} s over "
          f"{len(r['load_times'])} fresh contexts (first load after server start "
          f"{r['first_load_s']:.2f} s)")
    print(f"step + redraw of what is on screen ({r['visible_charts']} of {len(TIME_CHARTS)} "
          f"time charts, cards) "
          f"({len(painted)} steps): median {med:.0f} ms, p90 {p90:.0f} ms, "
          f"max {max(painted):.0f} ms (data in charts: median "
          f"{statistics.median(r['data_ms']):.0f} ms)")
    if r["play_s"] is not None:
        print(f"Play to quarter {r['play_to']} at 'fastest': {r['play_s']:.1f} s "
              f"({r['play_to'] / r['play_s']:.1f} quarters/s)")
    ok_step = med <= BUDGET_MS
    ok_load = r["load_s"] <= LOAD_BUDGET_S
    print(f"budget step + redraw {BUDGET_MS:.0f} ms median: {'PASS' if ok_step else 'FAIL'}; "
          f"page load {LOAD_BUDGET_S:.0f} s median: {'PASS' if ok_load else 'FAIL'}")
    return 0 if ok_step and ok_load else 1


if __name__ == "__main__":
    sys.exit(main())
