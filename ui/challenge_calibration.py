"""Calibrate the regulator's challenge: ``python -m ui.challenge_calibration [--draws N]``.

Plays the challenge's own draws (challenge numbers 0..N-1: the hidden revenue and the
model's seed, as ``ui.challenge`` draws them) with a few fixed strategies, from doing
nothing to acting from round 1 or only once the bust shows, and prints one markdown row per
strategy: households' losses (mean and median), the share of draws that meet the target, AI
capex against doing nothing and the mean score. The target and the hidden band in
``ui/challenge.py`` are chosen from this table (docs/app.md has the numbers): doing nothing
must miss in many draws, a thoughtful regulator must meet it in most.

Runs in a process pool (one worker per core); about a minute for 100 draws on two cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
from concurrent.futures import ProcessPoolExecutor

from ui import challenge as game
from ui import format as fmt

ROUND_3 = 2 * game.QUARTERS_PER_ROUND  # the bust shows in the third round (2029)
CRISIS_TOOLKIT = (("lolr_budget", 500.0), ("buffer_usability", 1.0),
                  ("countercyclical_buffer", 0.0))
STRATEGIES: dict[str, game.Schedule] = {
    "do nothing": (),
    "redemption gate 0 from round 1": ((0, (("redemption_gate", 0.0),)),),
    "redemption gate 2% from round 1": ((0, (("redemption_gate", 0.02),)),),
    "consolidate SPVs from round 1": ((0, (("consolidate_spvs", 1.0),)),),
    "SPV leverage limit 60% from round 1": ((0, (("spv_max_debt_share", 0.6),)),),
    "capital requirement 20% from round 1": ((0, (("bank_capital_requirement", 0.2),)),),
    "crisis toolkit from round 3 (LOLR 500B, buffers usable, CCyB 0)":
        ((ROUND_3, CRISIS_TOOLKIT),),
    "redemption gate 0 from round 3": ((ROUND_3, (("redemption_gate", 0.0),)),),
    "consolidate SPVs from round 3": ((ROUND_3, (("consolidate_spvs", 1.0),)),),
}


def outcome(task: tuple[int, str]) -> tuple[int, str, float, float]:
    """One draw under one strategy: (challenge number, strategy, households' losses, capex)."""
    seed, strategy = task
    frame = game.replay(seed, STRATEGIES[strategy], game.ROUNDS * game.QUARTERS_PER_ROUND)
    return seed, strategy, float(frame[game.LOSSES].iloc[-1]), float(frame["capex"].sum())


def table(draws: int, workers: int | None = None) -> list[str]:
    """The calibration table (markdown lines) over challenge numbers 0..draws-1."""
    tasks = [(seed, s) for s in STRATEGIES for seed in range(draws)]
    # forkserver, as the project's batches: no fork of a process that runs threads
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers or os.cpu_count() or 1, mp_context=ctx) as pool:
        results = list(pool.map(outcome, tasks, chunksize=4))
    base = {seed: capex for seed, s, _l, capex in results if s == "do nothing"}
    name, lo, hi = game.revenue_band()
    lines = [f"{draws} draws; {name} hidden in [{lo:g}, {hi:g}]; target: households' losses "
             f"<= {fmt.money(game.TARGET_BN)} over {game.ROUNDS} rounds",
             "",
             "| strategy | households' losses, mean / median | target met | AI capex vs "
             "doing nothing | mean score |",
             "|---|---|---|---|---|"]
    for strategy in STRATEGIES:
        mine = [(seed, loss, capex) for seed, s, loss, capex in results if s == strategy]
        losses = [loss for _s, loss, _c in mine]
        met = sum(loss <= game.TARGET_BN for loss in losses) / len(mine)
        capex = statistics.mean(c / base[seed] for seed, _l, c in mine) - 1
        score = statistics.mean(game.points(loss, c, base[seed]) for seed, loss, c in mine)
        lines.append(f"| {strategy} | {fmt.money(statistics.mean(losses))} / "
                     f"{fmt.money(statistics.median(losses))} | {fmt.pct(met, digits=0)} | "
                     f"{fmt.pct(capex, signed=True, digits=0)} | {score:.0f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    ap = argparse.ArgumentParser(prog="python -m ui.challenge_calibration",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=100, help="challenge numbers 0..N-1 (100)")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    ap.add_argument("--target", type=float, default=game.TARGET_BN,
                    help=f"households' losses target, USD bn ({game.TARGET_BN:g}: the game's)")
    args = ap.parse_args(argv)
    if args.draws < 1:
        ap.error(f"--draws must be 1 or more, got {args.draws}")
    if not args.target > 0:
        ap.error(f"--target must be above 0 (USD bn), got {args.target:g}")
    game.TARGET_BN = args.target  # this process only: the game itself is not changed
    print("\n".join(table(args.draws, args.workers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
