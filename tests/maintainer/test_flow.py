"""A maintainer's day, end to end on a copy of the bundled store: scaffold a topic, edit it, check it, preview
tomorrow's briefing for a subscribed channel, record a review with /verify, see it in /status, and get exactly one
direct message when the topic falls due for review."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import App
from bot.cli import cli
from bot.clock import Clock
from bot.config import BUNDLED_STORE, HttpConfig, Settings, SubscriptionConfig
from bot.render_text import render_text
from bot.scheduler import SchedulerOptions
from bot.targets import Target
from tests.scheduler.helpers import ControlledClock, RecordingDelivery, apscheduler_clock

UTC = dt.UTC
HERE = Target.parse("slack:T1:C1")
OWNER = "UOWNER"
LUMBER = "deals/canada-us/topics/softwood-lumber.md"
MONDAY_0755 = dt.datetime(2025, 5, 5, 11, 55, tzinfo=UTC)  # 07:55 in Toronto
runner = CliRunner()

NEW_TOPIC = [
    "new", "topic",
    "--deal", "canada-us",
    "--title", "Softwood lumber",
    "--track", "policy",
    "--summary", "U.S. duties on Canadian softwood lumber.",
    "--source", "cbc-three-steps",
    "--owner", f"slack:T1:@{OWNER}",
    "--review-every", "30d",
]  # fmt: skip


@pytest.fixture
def clock() -> Iterator[ControlledClock]:
    clock = ControlledClock(MONDAY_0755)
    with apscheduler_clock(clock):
        yield clock


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFBOT_STATE_URL", f"sqlite+aiosqlite:///{tmp_path}/state.db")
    target = tmp_path / "briefings"
    shutil.copytree(BUNDLED_STORE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture
async def app(tmp_path: Path, store_dir: Path, clock: ControlledClock) -> AsyncIterator[App]:
    settings = Settings(
        store=store_dir,
        state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db",
        admins=["UADMIN"],
        subscriptions=[SubscriptionConfig(target=str(HERE), deal="canada-us", timezone="America/Toronto")],
        timezone="America/Toronto",
        http=HttpConfig(enabled=False),
    )
    made = App(settings, clock=Clock(timezone=settings.timezone, now=clock.now))
    made.deliveries["slack"] = RecordingDelivery(clock)
    yield made
    if made.state is not None:
        await made.state.close()


async def ask(app: App, text: str, user: str = OWNER) -> str:
    return render_text(await app.ask(text, HERE, user=user))


def cli_run(store_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, [*args, "--store", str(store_dir)])
    return result.exit_code, result.output


def test_scaffold_writes_a_file_that_passes_check_and_refuses_clashes(store_dir: Path) -> None:
    code, out = cli_run(store_dir, *NEW_TOPIC)
    assert (code, out) == (0, f"wrote {LUMBER}\n")
    text = (store_dir / LUMBER).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Softwood lumber\ntrack: policy\nstatus: open\n")
    assert "owner: slack:T1:@UOWNER\nreview_every: 30d\n" in text
    assert runner.invoke(cli, ["check", str(store_dir)]).exit_code == 0

    code, out = cli_run(store_dir, *NEW_TOPIC)  # the same id again
    assert code == 2 and f"topic already exists: {LUMBER}" in out
    code, out = cli_run(store_dir, *NEW_TOPIC[:4], "--title", "Tariffs", *NEW_TOPIC[6:], "lumber-two")
    assert code == 2 and "clashes with deals/canada-us/topics/tariffs.md" in out
    wrong_track = [{"policy": "lumber", "Softwood lumber": "Lumber three"}.get(a, a) for a in NEW_TOPIC]
    code, out = cli_run(store_dir, *wrong_track, "lumber-three")
    assert code == 1 and "unknown track 'lumber'" in out
    assert not (store_dir / "deals/canada-us/topics/lumber-three.md").exists()  # a failed scaffold leaves nothing


def test_a_broken_edit_is_reported_with_line_and_column_for_editors(store_dir: Path) -> None:
    assert cli_run(store_dir, *NEW_TOPIC)[0] == 0
    path = store_dir / LUMBER
    path.write_text(path.read_text(encoding="utf-8").replace("review_every: 30d", "review_every: monthly"))
    result = runner.invoke(cli, ["check", str(store_dir), "--format", "gnu"])
    assert result.exit_code == 1
    (line,) = [x for x in result.output.splitlines() if "softwood" in x]
    assert line == (
        f"{store_dir.as_posix()}/{LUMBER}:8:1: 'review_every': 'monthly' is not an interval: write days or weeks, "
        "such as 30d or 6w"
    )
    plain = runner.invoke(cli, ["check", str(store_dir)])
    assert f"{LUMBER}:8: 'review_every'" in plain.output  # the default stays path:line: message
    github = runner.invoke(cli, ["check", str(store_dir), "--format", "github"])
    assert f"::error file={store_dir.as_posix()}/{LUMBER},line=8,col=1::'review_every'" in github.output


def test_check_stale_lists_what_is_due_with_its_owner_and_fails(store_dir: Path) -> None:
    assert cli_run(store_dir, *NEW_TOPIC)[0] == 0
    code, out = cli_run(store_dir, "check", "--stale", "--date", "2025-05-03")
    assert code == 0 and out.endswith("documents, no problems\n")  # nothing due yet
    code, out = cli_run(store_dir, "check", "--stale", "--date", "2025-06-01")
    (lumber_line,) = [x for x in out.splitlines() if "softwood" in x]
    assert lumber_line == f"{LUMBER}:8: due for review: review every 30d was due 1 Jun 2025 (owner: slack:T1:@UOWNER)"
    assert code == 1 and "document(s) due for review" in out


async def test_preview_verify_status_and_one_reminder(
    store_dir: Path, app: App, clock: ControlledClock, tmp_path: Path
) -> None:
    assert cli_run(store_dir, *NEW_TOPIC)[0] == 0
    app.live_store.reload()
    scheduler = app.build_scheduler(sleep=clock.sleep, options=SchedulerOptions(lease_seconds=120))
    await scheduler.start()
    try:
        await scheduler.run_pending()
        while (step := scheduler.next_fire_time()) is not None and step <= dt.datetime(2025, 5, 5, 12, 1, tzinfo=UTC):
            clock.set(max(step, clock.now()))
            await scheduler.run_pending()  # Monday's briefing is posted: the channel's snapshot
    finally:
        await scheduler.stop()
    delivery = app.deliveries["slack"]
    assert isinstance(delivery, RecordingDelivery) and delivery.keys() == ["slack:T1:C1|canada-us|2025-05-05"]

    path = store_dir / LUMBER
    path.write_text(path.read_text(encoding="utf-8").replace("status: open", "status: in_talks"))
    app.live_store.reload()
    preview = await ask(app, "/preview", user="UADMIN")  # tomorrow, against Monday's post
    assert "Preview for slack:T1:C1: Daily briefing" in preview
    assert "Softwood lumber: open → in talks" in preview
    assert "changes since its last briefing, 5 May 2025" in preview
    assert "is for Briefbot admins" in await ask(app, "/preview")
    # the same from a terminal (its own event loop, so in a thread), reading the same state database
    code, out = await asyncio.to_thread(cli_run, store_dir, "preview", "--channel", str(HERE), "--date", "2025-05-06")
    assert code == 0 and "Softwood lumber: open → in talks" in out and "5 May 2025" in out
    assert len(delivery.posts) == 1  # previews post nothing

    assert "Only its owner can verify" in await ask(app, "/verify softwood-lumber", user="UREADER")
    assert "Not verified yet; next review due 1 Jun 2025" in await ask(app, "/status softwood-lumber")
    clock.set(dt.datetime(2025, 5, 20, 14, 0, tzinfo=UTC))
    answer = await ask(app, "/verify softwood-lumber")
    assert "Review recorded: Softwood lumber" in answer and "next review is due 19 Jun 2025" in answer
    assert "Verified 20 May 2025 by UOWNER; next review due 19 Jun 2025" in await ask(app, "/status softwood-lumber")

    reminders = [app.build_review_reminders(claimant=name, sleep=clock.sleep) for name in "ab"]
    assert [await r.check() for r in reminders] == [0, 0]  # not due yet
    assert not [p for p in delivery.posts if p.target == f"slack:T1:@{OWNER}"]
    clock.set(dt.datetime(2025, 6, 19, 14, 0, tzinfo=UTC))
    assert [await r.check() for r in reminders] == [1, 0]  # one message across replicas
    assert [await r.check() for r in reminders] == [0, 0]  # and only once
    (dm,) = [p for p in delivery.posts if p.target == f"slack:T1:@{OWNER}"]
    assert dm.reply.title == "Due for review: Softwood lumber"
    assert "review every 30d was due 19 Jun 2025" in render_text(dm.reply)

    assert "Review recorded" in await ask(app, "/verify softwood-lumber", user="UADMIN")  # admins may, too
    clock.set(dt.datetime(2025, 7, 19, 14, 0, tzinfo=UTC))
    assert [await r.check() for r in reminders] == [1, 0]  # the next due day is a new reminder
