"""Benchmark reporting: every target met or MISSED with a plain-words reason; crashes are one
line and do not stop the other benchmarks. (No timing is asserted here.)"""

from __future__ import annotations

import sys
import types

from experiments.bench import __main__ as bench
from experiments.bench import targets


def test_judge_explains_a_miss(capsys, monkeypatch):
    monkeypatch.setattr(targets, "_VERDICTS", [])
    monkeypatch.setattr(targets.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    ok = targets.judge("core", "ratio", 0.8, 1.0, "x", meaning="m", causes="c")
    miss = targets.judge("batch", "rate", 12.0, 20.0, " runs/s", higher_is_better=True,
                         meaning="a batch ran 12 runs per second", causes="a slow model")
    out = capsys.readouterr().out.splitlines()
    assert ok.met and not miss.met
    assert out[0].endswith("met") and "MISSED" in out[1]
    assert "What it means: a batch ran 12 runs per second" in out[2]
    assert "Likely cause: a slow model" in out[3]
    assert "machine was busy" in out[4] and "load average 9.0" in out[4]
    assert [v.name for v in targets.verdicts()] == ["ratio", "rate"]


def test_a_crashing_benchmark_is_one_line_and_the_others_run(capsys, monkeypatch):
    def crash(argv):
        raise RuntimeError("scheduler unreachable\nlong traceback text")

    def fine(argv):
        targets.judge("fine", "speed", 1.0, 2.0, " ms")
        return 0

    monkeypatch.setitem(sys.modules, "fake_crash", types.SimpleNamespace(main=crash))
    monkeypatch.setitem(sys.modules, "fake_fine", types.SimpleNamespace(main=fine))
    monkeypatch.setattr(bench, "BENCHES", {"crash": "fake_crash", "fine": "fake_fine"})
    monkeypatch.setattr(bench, "SHORT", {"crash": [], "fine": []})
    monkeypatch.setattr(targets, "_VERDICTS", [])
    code = bench.main([])
    out = capsys.readouterr().out
    assert code == 1                                   # a crash is an error ...
    assert "FAILED: RuntimeError: scheduler unreachable (at" in out
    assert "long traceback text" not in out
    assert "met     fine      speed" in out           # ... the other benchmark still ran
    assert "ERROR   crash" in out


def test_missed_target_exits_0_unless_strict(capsys, monkeypatch):
    def slow(argv):
        targets.judge("slow", "speed", 3.0, 2.0, " ms", meaning="too slow")
        return 0

    monkeypatch.setitem(sys.modules, "fake_slow", types.SimpleNamespace(main=slow))
    monkeypatch.setattr(bench, "BENCHES", {"slow": "fake_slow"})
    monkeypatch.setattr(bench, "SHORT", {"slow": []})
    monkeypatch.setattr(targets, "_VERDICTS", [])
    assert bench.main([]) == 0
    monkeypatch.setattr(targets, "_VERDICTS", [])
    assert bench.main(["--strict"]) == 1
    assert "1 target(s) missed" in capsys.readouterr().out
