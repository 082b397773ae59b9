#!/usr/bin/env python3
"""Fill Solara's front-end asset cache from the npm registry.

Solara's pages load their JavaScript and CSS through the server's ``/_solara/cdn/`` route,
which proxies a public CDN (jsdelivr) and keeps a copy in a cache folder. This machine
cannot reach that CDN, so without a filled cache the page hangs at "Loading app" (the
server log says "Could not load URL"). This script fills the cache ahead of time with the
same files, taken from the npm registry with ``npm pack``.

Where the cache lives: ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` if set, else
``<venv>/share/solara/cdn`` (``sys.prefix`` of the Python running this script), which is
where solara looks when the variable is unset. Run it with the project's venv Python, so
no environment variable is needed to run the app afterwards.

Layout (solara/server/cdn_helper.py): ``CACHE/<package>@<version as the URL spells it>/``
holding the package's files (``vega@5/build/vega.min.js``), scoped names keep their scope
folder (``CACHE/@widgetti/solara-vuetify-app@10.1.1/``). A finished folder holds a marker
file, so a re-run only checks markers (well under a second).

Which packages: read from the installed solara (and the app's own ``ui/*.vue``
templates), never from a list kept here, so a solara upgrade cannot silently break the
cache. Every ``.j2``/``.html``/``.vue``/``.py``/``.js`` file of the solara package (its own
docs website excepted) is searched for URLs built on the CDN prefix
(``{{cdn}}/NAME@VERSION/``, ``${this.getCdn()}/NAME@VERSION/``), with a ``${version}``
placeholder resolved from a ``const version = "..."`` in the same file (this is how
``components/echarts.vue`` asks for ``echarts@5.4.0``), plus the Font Awesome path in
``server/settings.py``. Files for the other Vue major version than the installed ipyvue
(``*_v3.vue``, ``solara-vuetify3-app``) are skipped. If a package of the known list below
is not found that way, its fallback spec is used, with a warning.

Usage::

    .venv/bin/python scripts/solara_assets.py           # fill the cache (no-op when full)
    .venv/bin/python scripts/solara_assets.py --list    # print the specs, no network
    .venv/bin/python scripts/solara_assets.py --check   # exit 1 unless every folder is done

Exit status is non-zero, naming the package, when one cannot be fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

PROJECT_UI = Path(__file__).resolve().parents[1] / "ui"
"""The app's own components; their Vue templates are scanned too."""

MARKER = ".solara-assets-complete"
"""File written into a package folder once it is fully unpacked."""

# What solara 1.64 with ipyvue/ipyvuetify 1.x asks for. Used only for packages that the
# scan of the installed solara does not find (a changed file layout, say), with a warning.
FALLBACK_SPECS = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
    "echarts@5.4.0",
)

_CDN_PREFIX = (
    r"(?:\{\{\s*cdn\s*\}\}"  # Jinja templates: {{cdn}}/...
    r"|\$\{\s*(?:this\.)?getCdn\(\)\s*\}"  # Vue components: ${this.getCdn()}/...
    r"|\$\{\s*(?:this\.)?cdn\s*\})"  # ${cdn}/...
)
_SPEC = r"((?:@[A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]+@(?:\$\{\s*\w+\s*\}|[A-Za-z0-9_.+-]+))"
_CDN_URL_RE = re.compile(_CDN_PREFIX + "/" + _SPEC + r"(?=[/`'\"\s]|$)")
_SETTINGS_PATH_RE = re.compile(r"""["']/""" + _SPEC + r"/")
_PLACEHOLDER_RE = re.compile(r"^(.*)\$\{\s*(\w+)\s*\}$")
_SCANNED_SUFFIXES = (".j2", ".html", ".vue", ".py", ".js")


@dataclasses.dataclass(frozen=True, order=True)
class Spec:
    """One npm package as the CDN URL spells it: ``name@version``."""

    name: str
    version: str

    @classmethod
    def parse(cls, text: str) -> Spec:
        """Split ``@scope/name@1.2.3`` or ``name@5`` at the last ``@``."""
        name, sep, version = text.rpartition("@")
        if not sep or not name or not version:
            raise ValueError(f"not a package spec: {text!r}")
        return cls(name, version)

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"

    def folder(self, cache_dir: Path) -> Path:
        """Folder of this package in the cache (scoped names keep their scope folder)."""
        return Path(
            cache_dir, *self.name.split("/")[:-1], f"{self.name.split('/')[-1]}@{self.version}"
        )


def log(msg: str) -> None:
    """Print a progress line to stderr."""
    print(f"solara-assets: {msg}", file=sys.stderr, flush=True)


def default_cache_dir() -> Path:
    """Solara's CDN cache: $SOLARA_ASSETS_PROXY_CACHE_DIR, else <sys.prefix>/share/solara/cdn."""
    env = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if env:
        return Path(env)
    return Path(sys.prefix, "share", "solara", "cdn")


def solara_dir() -> Path:
    """Directory of the installed solara package, found without importing it."""
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "solara-assets: ERROR: solara is not installed in this Python "
            f"({sys.executable}); run scripts/setup.sh, or run this with .venv/bin/python"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def vue3_installed() -> bool:
    """True when the installed ipyvue is 3.x (solara then uses its Vue 3 front end)."""
    try:
        return importlib.metadata.version("ipyvue").startswith("3")
    except importlib.metadata.PackageNotFoundError:
        return False


def _scanned_files(root: Path, vue3: bool):
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or path.suffix not in _SCANNED_SUFFIXES:
            continue
        if rel.parts[0] in ("website", "__pycache__") or "node_modules" in rel.parts:
            continue  # solara's own documentation site, not used by an app
        if path.suffix == ".vue":
            if path.stem.endswith("_v3") and not vue3:
                continue
            if vue3 and path.with_name(f"{path.stem}_v3.vue").exists():
                continue
        yield path


def _ipywidgets_major() -> str:
    try:
        return importlib.metadata.version("ipywidgets").split(".")[0]
    except importlib.metadata.PackageNotFoundError:
        return "8"


def _refs_in_text(text: str, settings_file: bool) -> dict[str, set[str]]:
    """Map each raw spec found in a file to the file paths requested inside its package."""
    found: dict[str, set[str]] = {}
    for m in _CDN_URL_RE.finditer(text):
        path = re.match(r"(/[^`'\"\s]*)?", text[m.end() :]).group(0)
        found.setdefault(m.group(1), set()).add(path.lstrip("/"))
    if settings_file:
        for m in _SETTINGS_PATH_RE.finditer(text):
            path = re.match(r"[^`'\"\s]*", text[m.end() :]).group(0)
            found.setdefault(m.group(1), set()).add(path)
    resolved: dict[str, set[str]] = {}
    for raw, paths in found.items():
        m = _PLACEHOLDER_RE.match(raw)
        if m:  # e.g. echarts@${version} with `const version = "5.4.0";` in the same file
            prefix, var = m.groups()
            pattern = r"\b(?:const|let|var)\s+" + re.escape(var) + r"\s*=\s*[\"']([^\"']+)[\"']"
            values = set(re.findall(pattern, text))
            if len(values) != 1:
                log(f"WARNING: cannot resolve {raw!r} (found {sorted(values)}); skipped")
                continue
            raw = prefix + values.pop()
        resolved.setdefault(raw, set()).update(paths)
    return resolved


def discover_references(
    root: Path | None = None, vue3: bool | None = None, use_fallback: bool = True
) -> dict[Spec, set[str]]:
    """Packages the installed solara loads from its CDN, each with the files it asks for.

    Args:
        root: the solara package directory (default: the installed one).
        vue3: whether ipyvue 3 is installed (default: ask the installed ipyvue).
        use_fallback: add FALLBACK_SPECS entries whose package name was not found.

    Returns:
        Spec -> set of file paths inside the package (``dist/echarts.js``); paths that
        depend on run-time values other than the ipywidgets major version are left out.
    """
    # with the installed solara, the app's own Vue templates (ui/*.vue) count too: they
    # load files through the same route
    own = sorted(PROJECT_UI.glob("*.vue")) if root is None and PROJECT_UI.is_dir() else []
    root = solara_dir() if root is None else Path(root)
    vue3 = vue3_installed() if vue3 is None else vue3
    major = _ipywidgets_major()
    refs: dict[Spec, set[str]] = {}
    for path in [*_scanned_files(root, vue3), *own]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        is_settings = path.name == "settings.py" and path.parent.name == "server"
        for raw, paths in _refs_in_text(text, is_settings).items():
            files = refs.setdefault(Spec.parse(raw), set())
            for p in paths:
                p = re.sub(r"\{\{\s*ipywidget_major_version\s*\}\}", major, p)
                if p and "{" not in p and not p.endswith("/"):
                    files.add(p)
    # The page template picks one of two front-end bundles by ipyvue's major version.
    unwanted = "@widgetti/solara-vuetify-app" if vue3 else "@widgetti/solara-vuetify3-app"
    refs = {s: f for s, f in refs.items() if s.name != unwanted}
    if use_fallback:
        names = {s.name for s in refs}
        for text in FALLBACK_SPECS:
            fb = Spec.parse(text)
            if fb.name not in names and not (vue3 and fb.name == "@widgetti/solara-vuetify-app"):
                log(f"WARNING: {fb.name} not found in {root}; using fallback spec {fb}")
                refs[fb] = set()
    return dict(sorted(refs.items()))


def discover_specs(
    root: Path | None = None, vue3: bool | None = None, use_fallback: bool = True
) -> list[Spec]:
    """Package specs the installed solara loads from its CDN, sorted (see discover_references)."""
    return list(discover_references(root, vue3, use_fallback))


def missing_files(folder: Path, files: set[str]) -> list[str]:
    """Referenced files absent from an unpacked package folder."""
    return sorted(f for f in files if not (folder / f).is_file())


def _add_minified_copies(folder: Path, files: set[str]) -> list[str]:
    """Add the ``.min`` files that jsdelivr minifies on the fly (``require.min.js``).

    npm packages may lack such files: copy the unminified file under the minified name
    (same behaviour, larger file).
    Returns the referenced files still missing afterwards.
    """
    still = []
    for f in missing_files(folder, files):
        m = re.match(r"(.*)\.min\.(js|css)$", f)
        src = folder / f"{m.group(1)}.{m.group(2)}" if m else None
        if src is not None and src.is_file():
            shutil.copyfile(src, folder / f)
        else:
            still.append(f)
    return still


def is_complete(cache_dir: Path, spec: Spec) -> bool:
    """True when the spec's folder exists and carries the completion marker."""
    return (spec.folder(cache_dir) / MARKER).is_file()


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "solara-assets: ERROR: npm is needed to fill the Solara asset cache but is not on "
            "PATH. Install Node.js and npm (Debian: apt-get install -y npm), then re-run."
        )
    return npm


def _fetch(spec: Spec, files: set[str], cache_dir: Path, npm: str) -> str:
    """Download one package with npm pack and unpack it into its cache folder."""
    dest = spec.folder(cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
        npm_config_loglevel="error",
    )
    with tempfile.TemporaryDirectory(prefix=".tmp-", dir=cache_dir) as tmp:
        tmp = Path(tmp)
        packdir = tmp / "pack"
        packdir.mkdir()
        proc = subprocess.run(
            [npm, "pack", "--ignore-scripts", "--pack-destination", str(packdir), str(spec)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        tarballs = list(packdir.glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
            raise RuntimeError(
                f"npm could not fetch package {spec} (exit {proc.returncode}):\n    "
                + "\n    ".join(detail or ["no tarball produced"])
            )
        unpacked = tmp / "unpacked"
        unpacked.mkdir()
        proc = subprocess.run(
            [
                "tar",
                "-xzf",
                str(tarballs[0]),
                "-C",
                str(unpacked),
                "--strip-components=1",
                "--no-same-owner",
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"could not unpack {tarballs[0].name} for {spec}: {proc.stderr.strip()}"
            )
        if not any(unpacked.iterdir()):
            raise RuntimeError(f"package {spec} unpacked to nothing")
        tarball = tarballs[0].name
        absent = _add_minified_copies(unpacked, files)
        if absent:
            log(f"WARNING: {spec} ({tarball}) lacks file(s) solara asks for: {', '.join(absent)}")
        (unpacked / MARKER).write_text(f"{spec}\n{tarball}\n", encoding="utf-8")
        if dest.exists():  # an unfinished folder from an interrupted run
            shutil.rmtree(dest)
        os.rename(unpacked, dest)
    return tarball


@contextlib.contextmanager
def _locked(cache_dir: Path):
    """Serialise concurrent fills of one cache (two `make` runs at once)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def fill(cache_dir: Path, refs: dict[Spec, set[str]], jobs: int = 4) -> list[Spec]:
    """Fetch every spec whose folder is not complete; return the ones fetched."""
    specs = list(refs)
    for s in specs:  # a solara upgrade may ask for a new file of a package already cached
        if is_complete(cache_dir, s) and missing_files(s.folder(cache_dir), refs[s]):
            with _locked(cache_dir):
                absent = _add_minified_copies(s.folder(cache_dir), refs[s])
            if absent:
                log(f"WARNING: {s} lacks file(s) solara asks for: {', '.join(absent)}")
    missing = [s for s in specs if not is_complete(cache_dir, s)]
    if not missing:
        return []
    npm = _npm()
    with _locked(cache_dir):
        missing = [s for s in specs if not is_complete(cache_dir, s)]  # another run may have won
        if not missing:
            return []
        log(f"fetching {len(missing)} package(s) into {cache_dir}: {', '.join(map(str, missing))}")
        errors = []
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(_fetch, s, refs[s], cache_dir, npm): s for s in missing}
            for fut in as_completed(futures):
                spec = futures[fut]
                try:
                    tarball = fut.result()
                    log(f"  {spec}  <- {tarball}")
                except Exception as exc:
                    errors.append(f"{spec}: {exc}")
        if errors:
            raise SystemExit(
                "solara-assets: ERROR: could not fill the Solara asset cache; "
                "missing package(s):\n  " + "\n  ".join(errors)
            )
    return missing


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"cache folder (default: $SOLARA_ASSETS_PROXY_CACHE_DIR or {default_cache_dir()})",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the specs found and exit (no network)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 unless every package folder is complete"
    )
    parser.add_argument("--jobs", type=int, default=4, help="parallel npm downloads (default 4)")
    args = parser.parse_args(argv)

    cache_dir = args.cache_dir or default_cache_dir()
    refs = discover_references()
    specs = list(refs)
    if args.list:
        for s, files in refs.items():
            state = "complete" if is_complete(cache_dir, s) else "missing"
            print(f"{s}\t{state}\t{s.folder(cache_dir)}\t{' '.join(sorted(files))}")
        return 0
    if args.check:
        bad = 0
        for s, files in refs.items():
            if not is_complete(cache_dir, s):
                log(f"missing: {s} ({s.folder(cache_dir)})")
                bad += 1
            elif absent := missing_files(s.folder(cache_dir), files):
                log(f"incomplete: {s} lacks {', '.join(absent)}")
                bad += 1
        return 1 if bad else 0
    t0 = time.monotonic()
    fetched = fill(cache_dir, refs, jobs=args.jobs)
    if fetched:
        log(f"cache ready: {len(specs)} packages in {cache_dir} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
