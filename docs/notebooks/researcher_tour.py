# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A researcher's tour of the AI debt bubble model
#
# From one run to "which assumptions cause a crisis, and how sure are we?":
#
# 1. one run and its quarterly frame;
# 2. a batch over seeds and scenarios (in parallel, to Parquet);
# 3. a crisis map over two parameters;
# 4. Sobol' sensitivity indices (SALib) with confidence intervals;
# 5. scenario discovery with PRIM (EMA Workbench);
# 6. the stored Parquet, loaded with pandas.
#
# Make a notebook of it with `.venv/bin/jupytext --to ipynb docs/notebooks/researcher_tour.py`
# and open that in Jupyter (`.venv/bin/pip install jupyterlab`; `.venv/bin/jupyter lab`).
# The test suite executes it with small numbers (`NOTEBOOK_QUICK=1`), so it cannot rot;
# without that variable the samples are large enough to read (a few minutes on two cores).

# %%
# %matplotlib inline
import os
from pathlib import Path

import pandas as pd

from experiments import crisis_by_run, crisis_probability, grid, run_batch
from experiments.crisis import CRISIS_DEFINITION
from model import PARAMETER_INFO, AIEconomy

QUICK = os.environ.get("NOTEBOOK_QUICK") == "1"
OUT = Path(os.environ.get("NOTEBOOK_OUT", "results/notebook"))
OUT.mkdir(parents=True, exist_ok=True)
SEEDS = range(2) if QUICK else range(20)
BATCH = {"executor": "process", "workers": 2, "progress": False}
print("quick mode" if QUICK else "full mode", "- results in", OUT)

# %% [markdown]
# ## 1. One run
#
# `AIEconomy(scenario, rng=seed, **overrides)` builds the economy as of 2025Q1 (the roster,
# opening balance sheets, the 2025 deals); `run(40)` simulates 2025Q1-2034Q4 and returns
# one row per quarter. Every parameter, with its range and unit:
# `python -m experiments params`.

# %%
m = AIEconomy("bust", rng=0)
frame = m.run(40)
frame[["quarter", "ai_revenue", "capex", "bubble_index", "ai_debt_total", "defaults",
       "cumulative_losses"]].iloc[::4]

# %%
m.event_log[:5]

# %%
m.losses_by_bearer().head(8)        # who finally bears the losses, through which channel

# %% [markdown]
# ## 2. A batch over seeds and scenarios
#
# `run_batch` runs every scenario x seed (and grid point) on a process pool (or Dask) and
# streams the results to Parquet. The same seeds are used in every scenario (common random
# numbers), so differences between scenarios are not differences of random draws.

# %%
batch = run_batch(["baseline", "bust"], SEEDS, quarters=40, out=OUT / "batch", **BATCH)
runs = crisis_by_run(batch)
print(CRISIS_DEFINITION)
crisis_probability(batch, ["scenario"], runs=runs)

# %% [markdown]
# ## 3. A crisis map
#
# Crisis probability (share of seeds in crisis) over a grid of two parameters. The main
# revenue assumption is the first revenue parameter in USD bn
# (`experiments.response.main_revenue_parameter()`); the second axis is the policy rate.

# %%
from experiments import plots
from experiments.response import default_values, main_revenue_parameter

revenue = main_revenue_parameter()
print(revenue, "-", PARAMETER_INFO[revenue].description)
levels = default_values(revenue, 3 if QUICK else 7)      # spread over its declared range
rates = [0.0, 0.06, 0.12] if QUICK else [0.0, 0.03, 0.06, 0.09, 0.12]
cmap = run_batch("baseline", SEEDS, overrides=grid({revenue: levels, "base_rate": rates}),
                 quarters=40, out=OUT / "crisis-map", **BATCH)
table = crisis_probability(cmap, [revenue, "base_rate"])
plots.crisis_heatmap(table, revenue, "base_rate", title="baseline: crisis probability",
                     note=CRISIS_DEFINITION)

# %% [markdown]
# ## 4. Sensitivity: Sobol' indices
#
# Saltelli's sampling scheme (SALib) over four parameters; every point runs with the same
# seeds and each output is averaged over them (so `crisis` becomes a probability). `ST` is
# the share of the output's variance a parameter is involved in, `S1` the share it
# explains alone, each with a bootstrap 95% interval; the `(seeds)` row is the share of one
# run's variance that no parameter explains. The command line does the same with more
# options: `python -m experiments sensitivity --help`.

# %%
from experiments.outcomes import outcomes_by_run
from experiments.sampling import make_factors
from experiments.sensitivity import analyse, bar_chart, convergence, make_design, point_matrix

factors = make_factors([revenue, "base_rate", "herding", "spv_appetite"])  # declared ranges
design = make_design("sobol", factors, 4 if QUICK else 128, seed=0)
names = [f.name for f in factors]
seeds = [0, 1]
sample = run_batch("baseline", seeds, overrides=design.points, quarters=40, validate=False,
                   out=OUT / "sobol", **BATCH)
outcomes = outcomes_by_run(sample, by=["scenario", *names, "seed"])
outcomes["first_default"] = outcomes["first_default"].fillna(40)   # none: the horizon
matrices = point_matrix(design, outcomes, ["crisis", "losses", "peak_bubble"], seeds)
indices = analyse(design, matrices, resamples=200)
indices.round(3)

# %%
print("\n".join(convergence(indices, design.n)["message"]))
bar_chart(indices, ["crisis", "losses", "peak_bubble"], "baseline: Sobol' indices")

# %% [markdown]
# ## 5. Scenario discovery: where do crises concentrate?
#
# A Latin hypercube over the same four parameters, then PRIM (EMA Workbench): the box of
# parameter ranges with the most crises (density) that still holds most of them (coverage).
# Feature scores (extra trees) rank what predicts a crisis.

# %%
from experiments.discovery import describe_box, feature_scores, find_boxes
from experiments.sampling import latin_hypercube, to_points

points, _ = to_points(factors, latin_hypercube(factors, 40 if QUICK else 600, seed=1))
lhs = run_batch("baseline", [0], overrides=points, quarters=40, validate=False,
                out=OUT / "discover", **BATCH)
lhs_runs = outcomes_by_run(lhs, by=["scenario", *names, "seed"])
x, y = lhs_runs[names], lhs_runs["crisis"].to_numpy() >= 1
print(f"{int(y.sum())} of {len(y)} runs are a crisis")
for box in find_boxes(x, y) if 0 < y.sum() < len(y) else []:
    print(describe_box(box, x))
feature_scores(x, y) if 0 < y.sum() < len(y) else "no variation to score"

# %% [markdown]
# ## 6. The stored results, with plain pandas
#
# Each batch directory holds `manifest.json` (what ran, versions, timings) and `runs/`, a
# Hive-partitioned Parquet dataset (one folder per scenario). Any Parquet reader opens it.

# %%
stored = pd.read_parquet(OUT / "batch" / "runs")
print(stored.shape, "rows x columns;", stored["scenario"].unique().tolist())
stored.groupby(["scenario", "quarter"], observed=True)["ai_debt_total"].median().unstack(0).tail()

# %%
import json

manifest = json.loads((OUT / "batch" / "manifest.json").read_text())
{k: manifest[k] for k in ("scenarios", "seeds", "quarters", "runs", "timings")}
