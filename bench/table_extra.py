"""The rows ``bench.table`` adds with ``--slack`` and ``--fanout``: Slack HTTP mode beside bare bolt
(``bench.slack_vs_bolt``, run as it runs on its own, its printed figures read back) and the fan-out of a morning's
briefings (``bench.fanout.run``). Each row is (measure, size, Briefbot, floor / goal, ratio), as in the table."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

Row = tuple[str, str, str, str, str]
RPS_GOAL, LATENCY_GOAL = 0.8, 1.25  # issue 22: Slack HTTP mode at least 0.8x bare bolt's requests/s
_HEADER = re.compile(r"^concurrency (\d+)\s+req/s")
_SIDE = re.compile(
    r"^(?P<name>.+?)\s+(?P<rps>[\d,]+)\s+(?P<p50>[\d.]+)\s+(?P<p99>[\d.]+)\s+(?P<cpu>[\d,]+)\s+(?P<count>\d+)\s+\{"
)


def read_slack_vs_bolt(output: str) -> dict[int, list[dict[str, float | str]]]:
    """Concurrency -> [Briefbot's side, bare bolt's side], from bench.slack_vs_bolt's printed report."""
    found: dict[int, list[dict[str, float | str]]] = {}
    current: list[dict[str, float | str]] | None = None
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header:
            current = found.setdefault(int(header.group(1)), [])
            continue
        side = _SIDE.match(line)
        if side and current is not None:
            current.append(
                {
                    "name": side["name"],
                    "rps": float(side["rps"].replace(",", "")),
                    "p50": float(side["p50"]),
                    "p99": float(side["p99"]),
                    "cpu": float(side["cpu"].replace(",", "")),  # server CPU µs per request: steadier under load
                }
            )
    return {c: sides for c, sides in found.items() if len(sides) == 2}


def slack_rows(rounds: int, seconds: float, concurrency: str) -> list[Row]:
    command = [sys.executable, "-m", "bench.slack_vs_bolt", "--rounds", str(rounds), "--seconds", str(seconds)]
    command += ["--concurrency", concurrency]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    figures = read_slack_vs_bolt(result.stdout)
    if result.returncode != 0 or not figures:
        sys.stderr.write(f"bench.slack_vs_bolt gave no figures:\n{result.stdout[-1500:]}{result.stderr[-1500:]}\n")
        return [("Slack HTTP /status vs bare bolt", "bundled", "no figures (see stderr)", "", "")]
    rows: list[Row] = []
    for level, (briefbot, bolt) in sorted(figures.items()):
        size = f"bundled, {level} in flight"
        rps, bolt_rps = float(briefbot["rps"]), float(bolt["rps"])
        rows.append(
            (
                "Slack HTTP /status (req/s)",
                size,
                f"{rps:,.0f}",
                f"{bolt_rps:,.0f} bare bolt",
                f"{rps / bolt_rps:.2f}x (goal >= {RPS_GOAL}x)",
            )
        )
        p50, bolt_p50 = float(briefbot["p50"]), float(bolt["p50"])
        rows.append(
            (
                "Slack HTTP /status p50 (ms)",
                size,
                f"{p50:.2f} (p99 {float(briefbot['p99']):.1f})",
                f"{bolt_p50:.2f} bare bolt",
                f"{p50 / bolt_p50:.2f}x (goal <= {LATENCY_GOAL}x)",
            )
        )
        cpu, bolt_cpu = float(briefbot["cpu"]), float(bolt["cpu"])
        rows.append(
            (
                "Slack HTTP /status server CPU (µs/request)",
                size,
                f"{cpu:,.0f}",
                f"{bolt_cpu:,.0f} bare bolt",
                f"{cpu / bolt_cpu:.2f}x",
            )
        )
    return rows


def fanout_rows(channels: int, postgres: bool) -> list[Row]:
    from bench.fanout import run

    (f,) = run(channels, use_postgres=postgres)
    size = f"{f.channels} channels"
    limits = f"{f.limited['channel'] + f.limited['workspace']} 429s, {f.max_in_flight} in flight"
    return [
        (
            "fan-out: due -> last post (s)",
            size,
            f"{f.end_to_end_s:.1f}",
            f"{f.floor_s:.1f} Slack's workspace tier",
            f"{f.end_to_end_s / f.floor_s:.2f}x",
        ),
        ("fan-out: wait per channel (s)", size, f"p50 {f.p50_wait_s:.1f}", f"max {f.max_wait_s:.1f}", ""),
        ("fan-out: lost / duplicated", size, f"{f.lost} / {f.duplicated}", "goal 0 / 0", ""),
        ("fan-out: Slack pushed back", size, limits, f"post_concurrency {f.concurrency}", ""),
    ]


def startup_rows(runs: int) -> list[Row]:
    """``bench.cli_startup``'s commands, whole process, beside ``python -c pass`` and the 0.4 s goal (issue 17)."""
    import os
    import statistics
    import tempfile
    from pathlib import Path

    from bench.cli_startup import TARGET_SECONDS, commands, wall_times

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as an installed Briefbot has it
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        env["BRIEFBOT_STATE_URL"] = f"sqlite+aiosqlite:///{tmp}/state.db"
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        floor = 0.0
        for label, argv in commands():
            median = statistics.median(wall_times(argv, runs, env)[0])
            if label == "python -c pass":
                floor = median
            elif label.startswith(("briefbot ask", "briefbot check")):
                rows.append(
                    (
                        f"{label} (ms)",
                        "bundled",
                        f"{median * 1000:.0f}",
                        f"goal {TARGET_SECONDS * 1000:.0f}; python -c pass {floor * 1000:.0f}",
                        f"{median / TARGET_SECONDS:.2f}x of goal",
                    )
                )
    return rows


def chaos_rows(trials: int, days: int = 5) -> list[Row]:
    """``bench.chaos``: two replicas on one SQLite post log against a platform that misbehaves at random."""
    import asyncio
    import tempfile
    from pathlib import Path

    from tests.scheduler.chaos import run_chaos

    async def all_trials(tmp: Path) -> tuple[int, int, int]:
        due = lost = duplicated = 0
        for seed in range(trials):
            report = await run_chaos(f"sqlite+aiosqlite:///{tmp / f'chaos-{seed}.db'}", seed=seed, days=days)
            due, lost, duplicated = due + report.expected, lost + report.lost, duplicated + report.duplicated
        return due, lost, duplicated

    logging.disable(logging.CRITICAL)  # the faults are on purpose: their log lines would bury the table
    try:
        with tempfile.TemporaryDirectory() as tmp:
            due, lost, duplicated = asyncio.run(all_trials(Path(tmp)))
    finally:
        logging.disable(logging.NOTSET)
    size = f"{trials} trials, {due} due"
    return [("chaos, 2 replicas: lost / duplicated", size, f"{lost} / {duplicated}", "goal 0 / 0", "")]
