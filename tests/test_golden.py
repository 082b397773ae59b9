"""Golden runs: the model reproduces stored results exactly (refactors change no number).

Regenerate only when results are meant to change: ``python -m tests.golden.make_golden``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tests.golden.make_golden import SCENARIOS, SEEDS, golden_run, path


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("seed", SEEDS)
def test_golden_run_is_reproduced_exactly(scenario, seed):
    run = golden_run(scenario, seed)
    stored_events = json.loads(path(scenario, seed, "events").read_text(encoding="utf-8"))
    assert run["events"] == stored_events
    for what in ("frame", "agents", "losses"):
        stored = pd.read_parquet(path(scenario, seed, what))
        got = pd.DataFrame(run[what]).reset_index(drop=True)
        assert_frame_equal(got, stored, check_exact=True, check_dtype=False)
