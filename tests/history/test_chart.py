"""``/deal chart``: a PNG of each track's progress over the deal file's git history."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest

from bot.charts import progress_series
from bot.context import Context, Ports
from bot.reply import Reply
from bot.router import Router
from bot.store import load_store
from bot.store.history import GitHistory
from handlers import ALL_COMMANDS
from tests.history.gitstore import commit, deal, make_history, write

TODAY = dt.date(2025, 3, 20)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_history(tmp_path / "repo")
    write(root, "deals/cu/deal.yaml", deal("done"))
    commit(root, "Dairy offer tabled", who="carol", when="2025-03-18T12:00:00+00:00")
    return root


async def ask(root: Path, text: str, *, history: bool = True) -> Reply:
    router = Router(ALL_COMMANDS)
    ports = Ports(history=GitHistory(root) if history else None)
    ctx = Context(store=load_store(root), today=TODAY, specs=router.specs, ports=ports)
    return await router.handle_text(text, ctx)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_deal_chart_attaches_a_png_of_progress_over_time(root: Path) -> None:
    reply = await ask(root, "/deal cu chart")
    assert reply.title == "Canada–US trade talks"
    [chart] = reply.attachments
    assert chart.filename == "cu-progress.png"
    assert png_size(chart.data) == (800, 420)
    assert "Market access 0/2 → 1/2" in chart.alt
    assert "1 Feb 2025 to 20 Mar 2025" in chart.alt
    alone = await ask(root, "/deal chart")  # the only deal: the word alone is enough
    assert [a.filename for a in alone.attachments] == ["cu-progress.png"]
    assert alone.command == "/deal chart"


async def test_deal_without_chart_attaches_nothing_and_without_git_says_why(root: Path) -> None:
    assert (await ask(root, "/deal cu")).attachments == ()
    reply = await ask(root, "/deal chart", history=False)
    assert reply.title == "Canada–US trade talks"
    assert reply.attachments == ()
    assert any("No chart" in line for line in reply.footer)


async def test_the_series_steps_where_the_count_moved(root: Path) -> None:
    history = GitHistory(root)
    revisions = await history.revisions("deals/cu/deal.yaml")
    [series] = progress_series((r.commit.when, r.document.model) for r in revisions)  # type: ignore[union-attr,misc]
    assert [(p.when.date().isoformat(), p.done, p.total) for p in series.points] == [
        ("2025-02-01", 0, 2),
        ("2025-03-18", 1, 2),
    ]


async def test_discord_sends_the_chart_as_a_file_shown_in_the_embed(root: Path, tmp_path: Path) -> None:
    from tests.adapters.conftest_discord import connected, discord_app, running_fake
    from tests.fakes.discord_api import CHANNEL_ID

    async with running_fake() as fake:
        app = discord_app(tmp_path, fake, commands=ALL_COMMANDS, store=root)
        async with connected(app, fake):
            body = await fake.callback(fake.command("deal", {"deal": "cu chart"}))
            embed = body["data"]["embeds"][0]
            assert embed["title"] == "Canada–US trade talks"
            assert embed["image"]["url"] == "attachment://cu-progress.png"
            [upload] = [r for r in fake.requests if r.path.endswith("/callback") and r.files]
            [(name, data)] = upload.files
            assert name == "cu-progress.png"
            assert png_size(data) == (800, 420)
            [attached] = body["data"]["attachments"]
            assert attached["filename"] == "cu-progress.png"
            assert "Market access 0/2 → 1/2" in attached["description"]
            plain = await fake.callback(fake.command("deal", {"deal": "cu"}, channel_id=CHANNEL_ID))
            assert "image" not in plain["data"]["embeds"][0]


async def test_slack_uploads_the_chart_of_a_private_answer_to_the_askers_dm(root: Path, tmp_path: Path) -> None:
    from bot.app import App
    from bot.credentials import Secrets
    from tests.adapters.conftest import APP_TOKEN, BOT_TOKEN, slack_settings, started
    from tests.fakes.slack_api import FakeSlack

    fake = await FakeSlack().start()
    try:
        settings = slack_settings(tmp_path, fake).model_copy(update={"store": root})
        app = App(settings, Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN), commands=ALL_COMMANDS)
        service = await started(app, fake)
        try:
            ack = await fake.slash_command("/deal", "cu chart", user="U0ASKER", channel="C0TALKS")
            assert ack["response_type"] == "ephemeral"
            assert "Canada–US trade talks" in str(ack["blocks"])
            shared = await fake.next_shared_file()
            assert shared["channel_id"] == "D0ASKER"  # private answer, private chart: not the channel
            [entry] = shared["files"]
            assert png_size(fake.uploads[entry["id"]]) == (800, 420)
            [asked] = [c.args for c in fake.calls_to("files.getUploadURLExternal")]
            assert asked["filename"] == "cu-progress.png"
            assert "Market access 0/2 → 1/2" in asked["alt_txt"]
        finally:
            await service.stop()
    finally:
        await fake.close()


def test_briefbot_ask_writes_the_chart_to_a_file_and_names_it(root: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["ask", "/deal chart", "--store", str(root), "--date", "2025-03-20"])
    assert result.exit_code == 0, result.output
    assert "Canada–US trade talks" in result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Chart saved to ")]
    path = Path(line.removeprefix("Chart saved to ").split(": ", 1)[0])
    assert path.name == "cu-progress.png"
    assert png_size(path.read_bytes()) == (800, 420)
    assert "Market access 0/2 → 1/2" in line
