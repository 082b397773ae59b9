"""Regenerate the golden runs (deliberately: only when the model's results are meant to change).

    .venv/bin/python -m tests.golden.make_golden

Stores, for the three scenarios x seeds 0-2, 40 quarters each: the model frame, the agent
frame, the event log and the realised losses. ``tests/test_golden.py`` checks that the model
reproduces them exactly (a refactor must not change a single number).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from model import AIEconomy

HERE = Path(__file__).resolve().parent
SCENARIOS = ("baseline", "boom", "bust")
SEEDS = (0, 1, 2)
QUARTERS = 40


def golden_run(scenario: str, seed: int) -> dict:
    """The outputs a golden file keeps, from one fresh run."""
    m = AIEconomy(scenario, rng=seed)
    m.run(QUARTERS)
    agents = m.datacollector.get_agent_vars_dataframe().reset_index()
    events = [[e.quarter, e.t, e.kind, e.text, list(e.agents)] for e in m.events]
    losses = m.losses_by_bearer()
    return {"frame": m.results(), "agents": agents, "events": events, "losses": losses}


def path(scenario: str, seed: int, what: str) -> Path:
    """Where one part of a golden run is stored."""
    suffix = "json" if what == "events" else "parquet"
    return HERE / f"{scenario}-{seed}-{what}.{suffix}"


def main() -> None:
    """Write every golden file."""
    for scenario in SCENARIOS:
        for seed in SEEDS:
            run = golden_run(scenario, seed)
            for what, value in run.items():
                target = path(scenario, seed, what)
                if what == "events":
                    target.write_text(json.dumps(value, indent=0), encoding="utf-8")
                else:
                    pd.DataFrame(value).to_parquet(target, index=False)
            print(f"{scenario} seed {seed}: {len(run['events'])} events")


if __name__ == "__main__":
    main()
