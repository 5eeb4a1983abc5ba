"""Whole-process wall time of one-shot `briefbot` commands on the bundled store, next to `python -c pass`.

    python -m bench.cli_startup [--runs 10] [--as-is] [--source]

Each command runs once to warm the caches, then ``--runs`` times; the median is printed with the fastest and
slowest, and the median CPU time (user + system) of the process, which a busy machine moves less than wall
time. Bytecode is cached in a private temporary folder, as an installed Briefbot would have it, even where
``PYTHONDONTWRITEBYTECODE`` is set; ``--as-is`` keeps the environment unchanged instead (every run then compiles
the project's modules from source). ``ask`` answers from the compiled store it keeps (bot.store.cache), in a private
folder here, written by the warm-up; the last row turns that off, as after an edit of the store. ``--source`` runs
the console script's entry point named in ./pyproject.toml with this interpreter, so the code on ``PYTHONPATH``
(a worktree, say) is measured rather than the installed copy. Figures, not a test: the machine's load moves them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.4  # issue 17: `briefbot ask` and `briefbot check`, whole process


def briefbot(source: bool = False) -> list[str]:
    if source:  # the entry point as pyproject.toml names it, e.g. bot.cli_entry:main
        import tomllib

        entry = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["briefbot"]
        module, function = entry.split(":")
        return [sys.executable, "-c", f"import sys; from {module} import {function}; sys.exit({function}())"]
    script = Path(sys.executable).with_name("briefbot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]


def commands(source: bool = False) -> list[tuple[str, list[str]]]:
    bb = briefbot(source)
    return [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("briefbot --version", [*bb, "--version"]),
        ("briefbot check", [*bb, "check"]),
        ('briefbot ask "/status tariffs"', [*bb, "ask", "/status tariffs"]),
        ('briefbot ask "/deal"', [*bb, "ask", "/deal"]),
        ('briefbot ask "/deal", no store cache', [*bb, "ask", "/deal"]),
    ]


def _once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), argv)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def wall_times(argv: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    _once(argv, env)  # warm up
    samples = [_once(argv, env) for _ in range(runs)]
    return [wall for wall, _ in samples], [cpu for _, cpu in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--as-is", action="store_true", help="do not cache bytecode in a private folder")
    parser.add_argument("--source", action="store_true", help="run the entry point in ./pyproject.toml from source")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_"))}
    with tempfile.TemporaryDirectory() as tmp:
        env["BRIEFBOT_STATE_URL"] = f"sqlite+aiosqlite:///{tmp}/state.db"
        if not args.as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cache = "as the environment has it" if args.as_is else "cached (private folder)"
        print(f"{args.runs} runs each, after one warm-up; bytecode {cache}; load average {os.getloadavg()[0]:.2f}")
        print(f"{'command':38} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}")
        env["BRIEFBOT_CACHE_DIR"] = str(Path(tmp) / "cache")
        for label, argv in commands(args.source):
            off = {"BRIEFBOT_CACHE_DIR": "off"} if label.endswith("no store cache") else {}
            samples, cpu = wall_times(argv, args.runs, {**env, **off})
            median = statistics.median(samples)
            mark = ""
            if label.startswith(("briefbot ask", "briefbot check")):
                mark = "  ok" if median <= TARGET_SECONDS else f"  over the {TARGET_SECONDS * 1000:.0f} ms target"
            shown = " ".join(f"{value * 1000:6.0f}ms" for value in (median, min(samples), max(samples)))
            print(f"{label:38} {shown} {statistics.median(cpu) * 1000:6.0f}ms{mark}")


if __name__ == "__main__":
    main()
