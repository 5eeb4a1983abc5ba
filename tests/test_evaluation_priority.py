"""Evaluation threads give way to the main loop for the CPU (issue 22): a fuzzy scan at 100,000 documents lets go of
the GIL, so two or three at once took both cores of a small machine while the loop with every ack and answer to
send waited for one. On Linux each evaluation thread runs at a lower priority (a higher nice value) than the
thread that started it; elsewhere nothing changes."""

from __future__ import annotations

import os
import sys

import pytest

from bot.evaluation import NICE, Evaluator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
async def test_an_evaluation_runs_at_a_lower_priority_than_the_main_loop() -> None:
    evaluator = Evaluator(threads=2, per_thread=1)

    async def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, 0)  # 0: the calling thread, on Linux

    try:
        seen = {await evaluator.run(niceness) for _ in range(4)}
    finally:
        await evaluator.close()
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert seen == {min(mine + NICE, 19)}
