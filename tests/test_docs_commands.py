"""What the README, docs/ and `--help` say about `python -m experiments` is true.

Every command they show parses as written (a defect this catches: examples kept naming
`revenue_ceiling` after the parameter was replaced by `revenue_2030`, so they failed with
exit 2), and each command's stated default scenario is the one it runs.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from experiments.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIX = ".venv/bin/python -m experiments "


def documented_commands() -> list[tuple[str, str]]:
    """(file, command) for each experiments command inside a ```bash block."""
    found = []
    for path in DOCS:
        blocks = re.findall(r"```bash\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        for block in blocks:
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split(" #", 1)[0].split(" > ", 1)[0].strip()
                if line.startswith(PREFIX):
                    found.append((path.name, line[len(PREFIX):]))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_the_commands():
    files = {f for f, _ in COMMANDS}
    assert {"README.md", "experiments.md"} <= files
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize(("doc", "command"), COMMANDS, ids=[f"{f}:{c[:40]}" for f, c in COMMANDS])
def test_documented_command_parses(doc, command, capsys):
    argv = shlex.split(command)
    if argv and argv[0] == "bench":
        return  # passed through to experiments.bench, which has its own test
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: exit 0 for --help, 2 for a bad argument
        err = capsys.readouterr().err.strip().splitlines()
        assert exc.code == 0, f"{doc}: `{command}` fails: {err[-1] if err else exc.code}"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Each sub-command's parser, by name."""
    parser = build_parser()
    return next(a for a in parser._actions
                if isinstance(a, argparse._SubParsersAction)).choices


def help_examples() -> list[str]:
    """The examples `--help` shows: the top level's and each sub-command's."""
    texts = [build_parser().epilog or ""]
    texts += [f"{c.description or ''}\n{c.epilog or ''}" for c in subcommands().values()]
    found = []
    for text in texts:
        text = re.sub(r"\\\n\s*", " ", text)  # continuation lines
        found += [m.strip() for m in re.findall(r"python -m experiments (\S[^\n]*)", text)]
    return found


def test_help_examples_parse(capsys):
    examples = [e for e in help_examples() if not e.startswith(("bench", "."))]
    assert len(examples) >= 8
    for example in examples:
        try:
            build_parser().parse_args(shlex.split(example.split(" > ", 1)[0]))
        except SystemExit as exc:
            err = capsys.readouterr().err.strip().splitlines()
            assert exc.code == 0, f"--help example `{example}` fails: {err[-1] if err else ''}"


def test_every_command_states_the_scenario_it_runs_by_default():
    # a defect: holders ran the bust by default while its --help said "default baseline"
    checked = 0
    for name, command in subcommands().items():
        action = next((a for a in command._actions if a.dest == "scenario"), None)
        if action is None or not action.help or "(default" not in action.help:
            continue
        stated = re.search(r"\(default (\w+)\)", action.help).group(1)
        assert stated == action.default, (name, action.help, action.default)
        checked += 1
    assert checked >= 4
    assert subcommands()["holders"].parse_args(["--out", "x"]).scenario == "bust"



# the design notes the project started from live outside the repository: nothing in it may
# send a reader there (the 2026-12 defect: a coefficient's source read "MODEL reference form")
OUTSIDE = re.compile(r"MODEL\.md|MODEL reference|APP\.md|STYLE\.md|deal-terms\.md"
                     r"|shared/|\.\./shared|the issue notes|calibration\.md")
SOURCES = ("agents", "app.py", "core", "docs", "experiments", "model", "scripts", "ui",
           "README.md", "CITATION.cff", "pyproject.toml", "Makefile")


def test_nothing_cites_files_outside_the_repository():
    files = [p for name in SOURCES for p in ([ROOT / name] if (ROOT / name).is_file()
                                             else (ROOT / name).rglob("*"))
             if p.is_file() and p.suffix in {".py", ".md", ".toml", ".cff", ".sh", ".ipynb", ""}]
    assert len(files) > 50
    cited = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in files
             for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), 1) if OUTSIDE.search(line)]
    assert cited == []
