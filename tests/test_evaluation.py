"""Read-only commands are evaluated off the main event loop (issue 22): while they hold their thread, /healthz
and other work on the main loop still answer, and they still read the state database."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.commands import Command, CommandSpec
from bot.config import HttpConfig, Settings
from bot.context import Context
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.state import reviews
from bot.store import search as search_module
from bot.store.search import SEARCH_THREADS, _searcher
from handlers import CORE_COMMANDS
from tests.conftest import SECOND_STORE, text_of


def busy_command(entered: threading.Event, release: threading.Event) -> CommandDef:
    """A read-only command whose evaluation holds its thread (as a slow lookup over a huge store does)."""

    async def busy(command: Command, ctx: Context) -> Reply:
        entered.set()
        release.wait(timeout=30)
        return Reply(title="Busy done", sections=(Section(text="Done."),))

    return CommandDef(CommandSpec("busy", "Holds its thread.", off_loop=True), busy)


def settings(tmp_path: Path) -> Settings:
    return Settings(
        as_of=dt.date(2025, 5, 2),
        store=SECOND_STORE,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        http=HttpConfig(host="127.0.0.1", port=0),
        git_history=False,
    )


async def test_health_answers_while_a_command_holds_its_evaluation(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    app = App(settings(tmp_path), commands=[*CORE_COMMANDS, busy_command(entered, release)])
    await app.open_state()
    app.start_evaluator()
    runner = await app.start_http()
    assert runner is not None
    try:
        command = asyncio.create_task(app.ask("/busy"))
        assert await asyncio.to_thread(entered.wait, 30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}") as client:
            health = await client.get("/healthz", timeout=30)
        assert health.status_code == 200
        assert not command.done()  # answered while the command was still being evaluated
        release.set()
        assert (await command).title == "Busy done"
    finally:
        release.set()
        await runner.cleanup()
        assert app.evaluator is not None
        await app.evaluator.close()
        assert app.state is not None
        await app.state.close()


async def test_a_command_evaluated_off_the_loop_reads_the_state_database(tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(SECOND_STORE, store)
    topic = store / "deals" / "northwind-fisheries" / "topics" / "cod-quota.md"
    topic.write_text(topic.read_text().replace("---\n", "---\nreview_every: 30d\n", 1))
    app = App(settings(tmp_path).model_copy(update={"store": store}))
    state = await app.open_state()
    app.start_evaluator()
    now = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
    await reviews.record(state, "deals/northwind-fisheries/topics/cod-quota.md", on=now.date(), by="U0REVIEW", now=now)
    try:
        reply = await app.ask("/status cod")
        assert app.evaluator is not None
        assert any(t.name == "evaluation" for t in threading.enumerate())  # it ran there
    finally:
        if app.evaluator is not None:
            await app.evaluator.close()
        await state.close()
    assert "by U0REVIEW" in text_of(reply)


async def test_a_slow_search_does_not_hold_up_a_lookup_behind_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "INLINE_WORK", 0)  # the store counts as large: searched in a search thread
    # one evaluation slot; the search waits for a search thread (long searches over a huge store hold them all)
    app = App(settings(tmp_path).model_copy(update={"max_concurrent_commands": 1}))
    state = await app.open_state()
    app.start_evaluator()
    release = threading.Event()
    held = [_searcher().submit(release.wait, 30) for _ in range(SEARCH_THREADS)]
    try:
        search = asyncio.create_task(app.ask("/search cod"))
        await asyncio.sleep(0.05)
        status = await asyncio.wait_for(app.ask("/status cod"), timeout=30)
        assert "two seasons" in text_of(status)
        assert not search.done()
    finally:
        release.set()
        for holding in held:
            holding.result()
    try:
        assert "Cod quota" in text_of(await search)
    finally:
        if app.evaluator is not None:
            await app.evaluator.close()
        await state.close()


async def test_closing_while_a_command_waits_stops_its_thread_and_tells_the_caller() -> None:
    """A stop (shutdown, or the end of a test) during an evaluation must not leave its thread running forever."""
    from bot.evaluation import Evaluator

    evaluator = Evaluator(threads=1, per_thread=1)
    started = threading.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(3600)  # waiting on I/O (a search queued at the index)
        return "never"

    caller = asyncio.ensure_future(evaluator.run(slow))
    await asyncio.to_thread(started.wait, 10)
    await asyncio.wait_for(evaluator.close(), timeout=30)  # before: the worker swallowed the cancel; join hung
    done, _ = await asyncio.wait({caller}, timeout=10)
    assert caller in done and caller.cancelled()


async def test_every_command_queued_in_a_burst_is_run_once() -> None:
    """Workers are woken one at a time (a command wakes one waiting worker, not all): no command may be left
    waiting in the queue, or run twice, whatever the interleaving of arrivals and finishing workers."""
    from bot.evaluation import Evaluator

    evaluator = Evaluator(threads=2, per_thread=2)
    runs: list[int] = []

    def work(n: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            runs.append(n)
            for _ in range(n % 3):  # some wait a turn or two, so workers finish while others arrive
                await asyncio.sleep(0)
            return n

        return run

    try:
        for _ in range(3):  # bursts with quiet between them: waiting workers must be woken again
            runs.clear()
            answers = await asyncio.wait_for(asyncio.gather(*(evaluator.run(work(n)) for n in range(400))), 60)
            assert answers == list(range(400))
            assert sorted(runs) == list(range(400))
            await asyncio.sleep(0.05)
    finally:
        await evaluator.close()


async def test_brief_is_composed_off_the_loop_but_its_reissue_stays_on_it(tmp_path: Path) -> None:
    """/brief reads only the store and the state database, so a burst's briefings are composed on the evaluation
    thread; /brief reissue edits a posted message through the platform's client, which lives on the main loop."""
    from handlers import brief

    threads: list[str] = []

    async def recorded(command: Command, ctx: Context) -> Reply:
        threads.append(threading.current_thread().name)
        return await brief.handle(command, ctx)

    commands = [c for c in CORE_COMMANDS if c.spec.name != "brief"]
    app = App(settings(tmp_path), commands=[*commands, CommandDef(brief.SPEC, recorded)])
    await app.open_state()
    app.start_evaluator()
    try:
        assert "Northwind" in text_of(await app.ask("/brief northwind-fisheries"))
        await app.ask("/brief reissue")  # refused (no admin, console), but where it runs is what counts
        assert threads == ["evaluation", threading.current_thread().name]
    finally:
        assert app.evaluator is not None
        await app.evaluator.close()
        assert app.state is not None
        await app.state.close()
