"""Two replicas against a platform that drops connections, commits late, rate-limits beyond the lease, answers
5xx, and replicas that die mid-post: every briefing due is posted exactly once, never twice, never lost.
On real SQLite and real PostgreSQL; the longer run is ``python -m bench.chaos --trials N``."""

from __future__ import annotations

import pytest

from tests.scheduler.chaos import run_chaos

SEEDS = (1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
async def test_two_replicas_under_random_faults_post_each_briefing_exactly_once(db_url: str, seed: int) -> None:
    report = await run_chaos(db_url, seed=seed, days=5)

    assert report.expected == 15  # 3 targets x 5 weekdays, each with a row in the post log
    assert report.duplicated == 0
    assert report.lost == 0
    assert report.posted == report.expected
    assert sum(n for fault, n in report.faults.items() if fault != "ok") > 0  # faults were actually injected
