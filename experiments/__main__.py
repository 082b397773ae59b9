"""Command line: ``python -m experiments COMMAND`` (``--help`` lists the commands).

Exit codes: 0 success; 2 bad arguments or parameter values (nothing was run);
3 the batch finished but some runs failed (see OUT/failures.jsonl); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_USAGE, EXIT_FAILED_RUNS, EXIT_INTERRUPTED = 0, 2, 3, 130

EXAMPLES = """examples:
  python -m experiments run --scenario bust --seeds 0-99 --quarters 40 --out results/bust
  python -m experiments sweep --param revenue_ceiling=300:2500:9 --param herding=0:1:5 \\
      --seeds 0-19 --out results/sweep
  python -m experiments compare baseline boom bust --seeds 0-19 --out results/compare
  python -m experiments crisis-map --x revenue_ceiling=300:2500:9 --y herding=0:1:5 \\
      --seeds 0-19 --out results/map
  python -m experiments run --scenario baseline --seeds 0-999 --executor dask \\
      --scheduler tcp://10.0.0.5:8786 --out results/big
  python -m experiments calibrate
  python -m experiments bench batch
"""


# -- argument types (argparse turns ArgumentTypeError into "argument --x: message", exit 2) -
def _known_parameters() -> dict[str, Any] | None:
    try:
        from model import PARAMETER_INFO
    except Exception:
        return None
    return dict(PARAMETER_INFO)


def _check_name(name: str) -> None:
    info = _known_parameters()
    if info is not None and name not in info:
        known = ", ".join(sorted(info))
        raise argparse.ArgumentTypeError(f"unknown parameter {name!r}; known parameters: {known}")


def seeds_type(text: str) -> list[int]:
    """``0-99`` / ``0,3,5`` / ``0-9,20``."""
    from experiments.grids import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def param_type(text: str) -> tuple[str, list[Any]]:
    """``NAME=start:stop:count`` / ``NAME=a,b,c`` / ``NAME=value``."""
    from experiments.grids import parse_param

    try:
        name, values = parse_param(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    _check_name(name)
    return name, values


def set_type(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``."""
    from experiments.grids import parse_assignment

    try:
        name, value = parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    _check_name(name)
    return name, value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


# -- parser ----------------------------------------------------------------------------------
def _batch_options(default_seeds: str) -> argparse.ArgumentParser:
    from experiments.executors import EXECUTORS

    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("batch options")
    g.add_argument("--seeds", type=seeds_type, default=default_seeds, metavar="SEEDS",
                   help=f"seeds: '0-99', '0,3,5' or '0-9,20' (default {default_seeds})")
    g.add_argument("--quarters", type=positive_int, default=40,
                   help="quarters per run (default 40 = 2025Q1-2034Q4)")
    g.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="output directory (Parquet blocks, manifest.json, CSV, PNG)")
    g.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="where runs execute (default process; dask if --scheduler is given)")
    g.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: CPUs available)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(implies --executor dask; workers need this project installed)")
    g.add_argument("--set", dest="fixed", type=set_type, action="append", default=[],
                   metavar="NAME=VALUE", help="fixed parameter override (repeatable)")
    g.add_argument("--resume", action="store_true",
                   help="complete an interrupted batch in --out, skipping finished runs")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--chunk-size", type=positive_int, default=None,
                   help="runs per task (default: ~1 s of work, >= 4 tasks per worker)")
    g.add_argument("--block-runs", type=positive_int, default=256,
                   help="runs per Parquet file (default 256)")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m experiments`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments",
        description="Headless batches of the AI debt bubble model: many seeds, scenarios "
                    "and parameter grids, in parallel, to Parquet.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("run", parents=[_batch_options("0-19")], formatter_class=fmt,
                       help="run scenario(s) over many seeds",
                       description="Run one or more scenarios over many seeds; writes "
                                   "Parquet results, manifest.json and summary.csv.",
                       epilog="example: python -m experiments run --scenario bust "
                              "--seeds 0-99 --quarters 40 --out results/bust")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario name or TOML path (repeatable; default baseline)")

    p = sub.add_parser("sweep", parents=[_batch_options("0-19")], formatter_class=fmt,
                       help="grid over parameters (cartesian product of --param)",
                       description="Run the cartesian product of parameter values x seeds; "
                                   "writes Parquet results, manifest.json and summary.csv "
                                   "(one row per grid point).",
                       epilog="example: python -m experiments sweep --param "
                              "revenue_ceiling=300:2500:9 --param herding=0:1:5 "
                              "--seeds 0-19 --out results/sweep")
    p.add_argument("--param", action="append", type=param_type, required=True,
                   metavar="NAME=VALUES",
                   help="a grid axis: NAME=start:stop:count (both ends included), "
                        "NAME=a,b,c or NAME=value (repeatable)")
    p.add_argument("--scenario", action="append", default=None, metavar="NAME",
                   help="scenario(s) to sweep (repeatable; default baseline)")

    p = sub.add_parser("compare", parents=[_batch_options("0-19")], formatter_class=fmt,
                       help="fan charts and summary of several scenarios",
                       description="Run scenarios over the same seeds and draw fan charts "
                                   "(median and 10-90%% band over seeds) of revenue vs capex, "
                                   "bubble_index, ai_debt_total and defaults; writes PNG, "
                                   "summary.csv and quantiles.csv.",
                       epilog="example: python -m experiments compare baseline boom bust "
                              "--seeds 0-19 --out results/compare")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or paths")

    p = sub.add_parser("crisis-map", parents=[_batch_options("0-19")], formatter_class=fmt,
                       help="heatmap of crisis probability over two parameters",
                       description="Crisis probability (share of seeds in crisis, see "
                                   "experiments/crisis.py) over a grid of two parameters; "
                                   "writes crisis_map.png, crisis_map.csv, crisis_runs.csv.",
                       epilog="example: python -m experiments crisis-map --x "
                              "revenue_ceiling=300:2500:9 --y herding=0:1:5 --seeds 0-19 "
                              "--out results/map")
    p.add_argument("--x", type=param_type, required=True, metavar="NAME=VALUES",
                   help="horizontal axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--y", type=param_type, required=True, metavar="NAME=VALUES",
                   help="vertical axis: NAME=start:stop:count or NAME=a,b,c")
    p.add_argument("--scenario", default="baseline", metavar="NAME",
                   help="scenario the grid modifies (default baseline)")

    p = sub.add_parser("calibrate", help="run the model's calibration report",
                       description="Runs model.calibration.main (target vs model table); "
                                   "arguments after 'calibrate' are passed to it.")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for model.calibration")

    p = sub.add_parser("bench", help="benchmarks (python -m experiments.bench)",
                       description="Delegates to python -m experiments.bench; e.g. "
                                   "'python -m experiments bench batch'.")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for experiments.bench")
    for module in _analysis_modules().values():   # each registers its own sub-command
        module.add_parser(sub)
    return parser


def _analysis_modules() -> dict[str, Any]:
    """Commands that live in their own module (``add_parser(subparsers)``, ``run(args)``)."""
    from experiments import discovery, params, response, sensitivity

    return {"sensitivity": sensitivity, "discover": discovery, "response": response,
            "params": params}


# -- commands --------------------------------------------------------------------------------
SUMMARY_COLUMNS = ("defaults", "bank_capital_ratio", "bank_capital_ratio_min", "gated_funds",
                   "bubble_index", "ai_revenue", "capex",
                   "ai_debt_total", "cumulative_capex")


def _run(args, parser, scenarios: list[str], overrides, command: str):
    from experiments.runner import run_batch

    executor = args.executor or ("dask" if args.scheduler else "process")
    if args.scheduler and executor != "dask":
        parser.error(f"--scheduler needs --executor dask (got --executor {executor})")
    meta = {"command": command, "argv": getattr(args, "argv", None)}
    return run_batch(
        scenarios, args.seeds, overrides=overrides, quarters=args.quarters, executor=executor,
        workers=args.workers, out=args.out, progress=not args.no_progress, resume=args.resume,
        scheduler=args.scheduler, chunk_size=args.chunk_size, block_runs=args.block_runs,
        collect=False, meta=meta)


def _fixed(args, parser, exclude: set[str] = frozenset()) -> dict[str, Any]:
    fixed = dict(args.fixed)
    clash = sorted(set(fixed) & exclude)
    if clash:
        parser.error(f"argument --set: {', '.join(clash)} is also a grid axis; set it in one place")
    return fixed


def _summary(df, by: list[str]):
    """Per-group summary: crisis probability and quantiles of per-run outcomes."""
    import pandas as pd

    from experiments.crisis import crisis_by_run, crisis_probability

    runs = crisis_by_run(df)
    ends = df.groupby(list(runs.columns[: runs.columns.get_loc("crisis")]), sort=False,
                      dropna=False)
    per_run = runs.set_index(list(runs.columns[: runs.columns.get_loc("crisis")]))
    for col in ("ai_debt_total", "ai_revenue", "capex", "cumulative_capex"):
        if col in df:
            per_run[f"final_{col}"] = ends[col].last()
    per_run = per_run.reset_index()
    table = crisis_probability(df, by, runs=runs)
    stats = ["peak_bubble_index", "max_drawdown", "cumulative_defaults",
             "min_bank_capital_ratio", *[c for c in per_run if c.startswith("final_")]]
    g = per_run.groupby(by, sort=True, dropna=False)
    parts = [table.set_index(by)]
    for stat in stats:
        q = g[stat].quantile([0.1, 0.5, 0.9]).unstack()
        q.columns = [f"{stat}_p{round(x * 100)}" for x in q.columns]
        parts.append(q)
    out = pd.concat(parts, axis=1).reset_index()
    return out, runs


def _read(out: Path, extra: list[str] | None = None):
    from experiments.storage import load_results

    return load_results(out, columns=["seed", *(extra or []), "quarter", *SUMMARY_COLUMNS])


def _report(df_attrs: dict, out: Path, files: list[str], t0: float) -> int:
    failed = len(df_attrs.get("failures", []))
    print(f"{df_attrs.get('runs_executed', 0)} runs executed "
          f"({df_attrs.get('runs_skipped', 0)} already done, {failed} failed) "
          f"in {time.perf_counter() - t0:.1f} s -> {out}")
    for f in files:
        print(f"  {out / f}")
    if failed:
        print(f"{failed} runs failed: errors and parameters in {out / 'failures.jsonl'}",
              file=sys.stderr)
        return EXIT_FAILED_RUNS
    return EXIT_OK


def cmd_run(args, parser) -> int:
    """``run``: scenarios x seeds."""
    t0 = time.perf_counter()
    scenarios = _scenarios(args.scenario)
    fixed = _fixed(args, parser)
    res = _run(args, parser, scenarios, fixed or None, "run")
    df = _read(args.out, list(fixed))
    files = ["manifest.json", "runs/"]
    if not df.empty:
        summary, runs = _summary(df, ["scenario"])
        summary.to_csv(args.out / "summary.csv", index=False)
        runs.to_csv(args.out / "crisis_runs.csv", index=False)
        files += ["summary.csv", "crisis_runs.csv"]
    return _report(res.attrs, args.out, files, t0)


def _scenarios(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ["baseline"]:
        out.extend(s.strip() for s in v.split(",") if s.strip())
    return out


def cmd_sweep(args, parser) -> int:
    """``sweep``: cartesian grid of --param axes x seeds."""
    from experiments.grids import grid

    t0 = time.perf_counter()
    axes: dict[str, list] = {}
    for name, values in args.param:
        if name in axes:
            parser.error(f"argument --param: {name} given twice")
        axes[name] = values
    fixed = _fixed(args, parser, set(axes))
    points = [{**fixed, **p} for p in grid(axes)]
    scenarios = _scenarios(args.scenario)
    res = _run(args, parser, scenarios, points, "sweep")
    df = _read(args.out, [*fixed, *axes])
    files = ["manifest.json", "runs/"]
    if not df.empty:
        summary, runs = _summary(df, ["scenario", *axes])
        summary.to_csv(args.out / "summary.csv", index=False)
        runs.to_csv(args.out / "crisis_runs.csv", index=False)
        files += ["summary.csv", "crisis_runs.csv"]
    return _report(res.attrs, args.out, files, t0)


def cmd_compare(args, parser) -> int:
    """``compare``: scenarios side by side, fan charts + summary."""
    from experiments import plots

    t0 = time.perf_counter()
    fixed = _fixed(args, parser)
    scenarios = list(dict.fromkeys(args.scenarios))
    res = _run(args, parser, scenarios, fixed or None, "compare")
    df = _read(args.out, list(fixed))
    files = ["manifest.json", "runs/"]
    if not df.empty:
        summary, runs = _summary(df, ["scenario"])
        summary.to_csv(args.out / "summary.csv", index=False)
        runs.to_csv(args.out / "crisis_runs.csv", index=False)
        df = plots.with_cumulative_defaults(df)
        cols = ["ai_revenue", "capex", "bubble_index", "ai_debt_total", "defaults",
                "cumulative_defaults"]
        plots.fan_quantiles(df, cols).to_csv(args.out / "quantiles.csv", index=False)
        figures = {
            "compare.png": plots.compare_figure(df),
            "fan_revenue_capex.png": plots.revenue_capex_chart(df),
            "fan_bubble_index.png": plots.fan_chart(df, "bubble_index"),
            "fan_ai_debt_total.png": plots.fan_chart(df, "ai_debt_total"),
            "fan_defaults.png": plots.fan_chart(df, "cumulative_defaults"),
        }
        for name, fig in figures.items():
            fig.savefig(args.out / name, dpi=110)
        files += ["summary.csv", "crisis_runs.csv", "quantiles.csv", *figures]
    return _report(res.attrs, args.out, files, t0)


def cmd_crisis_map(args, parser) -> int:
    """``crisis-map``: crisis probability over two parameters."""
    from experiments import plots
    from experiments.crisis import CRISIS_DEFINITION
    from experiments.grids import grid

    t0 = time.perf_counter()
    (xname, xs), (yname, ys) = args.x, args.y
    if xname == yname:
        parser.error(f"arguments --x/--y: both are {xname}; give two different parameters")
    fixed = _fixed(args, parser, {xname, yname})
    points = [{**fixed, **p} for p in grid({xname: xs, yname: ys})]
    res = _run(args, parser, [args.scenario], points, "crisis-map")
    df = _read(args.out, [*fixed, xname, yname])
    files = ["manifest.json", "runs/"]
    if not df.empty:
        summary, runs = _summary(df, [xname, yname])
        summary.insert(0, "scenario", args.scenario)
        summary.to_csv(args.out / "crisis_map.csv", index=False)
        runs.to_csv(args.out / "crisis_runs.csv", index=False)
        fig = plots.crisis_heatmap(
            summary, xname, yname,
            title=f"{args.scenario}: crisis probability over {len(args.seeds)} seeds",
            note=CRISIS_DEFINITION)
        fig.savefig(args.out / "crisis_map.png", dpi=110)
        files += ["crisis_map.csv", "crisis_map.png", "crisis_runs.csv"]
    return _report(res.attrs, args.out, files, t0)


def cmd_calibrate(args, parser) -> int:
    """``calibrate``: model.calibration.main(args)."""
    try:
        from model.calibration import main as calibration_main
    except ImportError as exc:
        print(f"calibrate: model.calibration is not available ({exc})", file=sys.stderr)
        return 1
    rest = [a for a in args.args if a != "--"] if args.args[:1] == ["--"] else args.args
    return int(calibration_main(rest) or 0)


def cmd_bench(args, parser) -> int:
    """``bench``: experiments.bench.main(args)."""
    from experiments.bench.__main__ import main as bench_main

    return int(bench_main(args.args) or 0)


COMMANDS = {"run": cmd_run, "sweep": cmd_sweep, "compare": cmd_compare,
            "crisis-map": cmd_crisis_map, "calibrate": cmd_calibrate, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the command, return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    sub = parser._subparsers._group_actions[0].choices[args.command]
    try:
        if args.command not in COMMANDS:
            return int(_analysis_modules()[args.command].run(args) or 0)
        return COMMANDS[args.command](args, sub)
    except KeyboardInterrupt:
        print("interrupted: finished runs are stored; complete with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _config_errors() as exc:
        # ParameterError and BatchError are raised before any run starts
        name = type(exc).__name__
        print(f"python -m experiments {args.command}: error: {name}: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _config_errors() -> tuple[type[BaseException], ...]:
    from experiments.runner import BatchError

    errors: tuple[type[BaseException], ...] = (BatchError,)
    try:
        from model import ParameterError

        errors += (ParameterError,)
    except ImportError:
        pass
    return errors


if __name__ == "__main__":
    sys.exit(main())
