"""`/changes` on a long git history: a store whose topic changed in each of N commits (1,000 by default).

    python -m bench.changes_history [--commits 1000] [--runs 5]

The history is written in one ``git fast-import`` (three authors, a status and a position moving in every commit,
an event added every tenth), then ``/changes dairy`` is timed through the router: cold (a new history port: the log
is read and every revision parsed), warm (the same port, HEAD unchanged), and after one more commit (the log is read
again, the old revisions come from the blob cache). ``/status dairy date:`` is timed the same way (a whole store
built from one commit, then kept). Figures, not a test: the machine's load moves them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bot.context import Context, Ports
from bot.reply import Reply
from bot.router import Router
from bot.store import load_store
from bot.store.history import GitHistory
from handlers import ALL_COMMANDS

AUTHORS = [("Alice Martin", "alice@example.org"), ("Bob Singh", "bob@example.org"), ("Carol Roy", "carol@example.org")]
STATUSES = ["open", "in_talks", "stalled", "in_talks"]
START = dt.datetime(2023, 1, 1, 9, tzinfo=dt.UTC)


def _dump(data: dict[str, Any], body: str | None = None) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return (f"---\n{text}---\n{body}\n" if body is not None else text).encode()


def _files(n: int) -> dict[str, bytes]:
    """The store after commit ``n`` (1-based)."""
    day = (START + dt.timedelta(days=n)).date().isoformat()
    events = [
        {"id": f"round-{i}", "date": (START + dt.timedelta(days=i * 10)).date().isoformat(), "title": f"Round {i}"}
        for i in range(1, n // 10 + 1)
    ]
    return {
        "sources.yaml": _dump(
            {"sources": [{"id": "gazette", "outlet": "Gazette", "title": "Talks", "date": "2023-01-01"}]}
        ),
        "deals/cu/deal.yaml": _dump(
            {
                "title": "Canada–US trade talks",
                "parties": [{"id": "ca", "name": "Canada"}, {"id": "us", "name": "United States"}],
                "summary": "Canada and the United States negotiate dairy.",
                "tracks": [
                    {
                        "id": "access",
                        "title": "Market access",
                        "milestones": [{"id": "offer", "title": "Offer", "status": "in_progress"}],
                    }
                ],
                "updated": "2023-01-01",
            }
        ),
        "deals/cu/events.yaml": _dump({"updated": day, "events": [{**e, "source": "gazette"} for e in events]}),
        "deals/cu/topics/dairy.md": _dump(
            {
                "title": "Dairy",
                "track": "access",
                "status": STATUSES[n % len(STATUSES)],
                "summary": "Access to Canada's dairy market.",
                "positions": {"ca": f"Quota offer number {n}.", "us": f"Wants {n % 7 + 1}% more access."},
                "updated": day,
                "sources": ["gazette"],
            },
            f"Round {n}: notes.\n" * 3,
        ),
    }


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def write_history(repo: Path, commits: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = bytearray()
    previous: dict[str, bytes] = {}
    for n in range(1, commits + 1):
        name, email = AUTHORS[n % len(AUTHORS)]
        stamp = int((START + dt.timedelta(days=n)).timestamp())
        stream += b"commit refs/heads/main\nmark :%d\n" % n
        stream += f"author {name} <{email}> {stamp} +0000\ncommitter {name} <{email}> {stamp} +0000\n".encode()
        stream += _data(f"Dairy update {n}".encode())
        if n > 1:
            stream += b"from :%d\n" % (n - 1)
        files = _files(n)
        for path, content in files.items():
            if previous.get(path) != content:
                stream += f"M 100644 inline {path}\n".encode() + _data(content)
        previous = files
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=bytes(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)


def add_commit(repo: Path, n: int) -> None:
    for path, content in _files(n).items():
        (repo / path).write_bytes(content)
    env = ["-c", "user.name=Dana Lee", "-c", "user.email=dana@example.org"]
    subprocess.run(["git", "-C", str(repo), *env, "commit", "-q", "-am", f"Dairy update {n}"], check=True)


async def timed(router: Router, text: str, ctx: Context) -> tuple[float, Reply]:
    start = time.perf_counter()
    reply = await router.handle_text(text, ctx)
    return (time.perf_counter() - start) * 1000, reply


async def measure(repo: Path, commits: int, runs: int) -> None:
    router = Router(ALL_COMMANDS)
    store = load_store(repo)

    def context(history: GitHistory) -> Context:
        return Context(store=store, today=dt.date.today(), specs=router.specs, ports=Ports(history=history))

    rows: list[tuple[str, list[float]]] = []
    middle = (START + dt.timedelta(days=commits // 2)).date().isoformat()
    for text in ("/changes dairy", f"/status dairy date:{middle}"):
        cold, warm = [], []
        for _ in range(runs):
            ctx = context(GitHistory(repo))
            ms, reply = await timed(router, text, ctx)
            cold.append(ms)
            warm.append((await timed(router, text, ctx))[0])
        rows += [(f"{text}  cold", cold), (f"{text}  warm", warm)]
        print(f"{text}: {reply.title!r}, {len(reply.sections)} section(s), footer {reply.footer[-1:]}")
    history = GitHistory(repo)
    ctx = context(history)
    await router.handle_text("/changes dairy", ctx)
    after = []
    for i in range(runs):
        add_commit(repo, commits + 1 + i)
        after.append((await timed(router, "/changes dairy", ctx))[0])
    rows.append(("/changes dairy  after a new commit (blobs cached)", after))
    print(f"\n{commits} commits, {runs} runs each; milliseconds (median, min, max)")
    for label, samples in rows:
        print(f"  {label:<55} {statistics.median(samples):8.1f} {min(samples):8.1f} {max(samples):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "store"
        start = time.perf_counter()
        write_history(repo, args.commits)
        print(f"wrote {args.commits} commits in {time.perf_counter() - start:.1f} s ({repo})")
        asyncio.run(measure(repo, args.commits, args.runs))


if __name__ == "__main__":
    main()
