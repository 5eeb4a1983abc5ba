"""Chaos run: two replicas on one state database, a platform that misbehaves at random, a week of briefings.

    python -m bench.chaos --trials 40 [--days 5]

Prints, over all trials, how many briefings were due, posted exactly once, lost and duplicated, and which faults
were injected. The bounded version runs in the test suite on SQLite and PostgreSQL (tests/scheduler/test_chaos.py);
the faults and the replicas are described in tests/scheduler/chaos.py.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.scheduler.chaos import run_chaos


async def main(trials: int, days: int) -> None:
    totals: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(trials):
            db = f"sqlite+aiosqlite:///{Path(tmp) / f'chaos-{seed}.db'}"  # a fresh post log per trial
            report = await run_chaos(db, seed=seed, days=days)
            totals.update(
                expected=report.expected, posted=report.posted, lost=report.lost, duplicated=report.duplicated
            )
            faults.update(report.faults)
            if report.lost or report.duplicated:
                print(f"seed {seed}: lost {report.lost}, duplicated {report.duplicated}")
    elapsed = time.perf_counter() - started
    print(f"chaos: {trials} trials x {days} days, 2 replicas on one SQLite post log, {elapsed:.1f} s")
    print(
        f"  briefings due {totals['expected']}: posted once {totals['posted']}, lost {totals['lost']}, "
        f"duplicated {totals['duplicated']}"
    )
    print("  platform calls by fault: " + ", ".join(f"{k} {v}" for k, v in faults.most_common()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.trials, args.days))
