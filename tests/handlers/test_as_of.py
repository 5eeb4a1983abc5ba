"""Answers for another date are true on that date: milestones, progress, events, sources and staleness.

The bundled store's record ends about 1 May 2025: the 28 April election is done then, the 6 May White House
visit still scheduled. Asked about 1 March, neither has happened; asked about 1 June, the store cannot say
whether the visit took place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import cli
from bot.reply import Reply, Tone
from tests.conftest import Ask, text_of


def _section(reply: Reply, start: str) -> str:
    """The text of the first section whose heading starts with ``start`` ('' when there is none)."""
    return next((s.text for s in reply.sections if s.heading and s.heading.startswith(start)), "")


def _progress(reply: Reply) -> dict[str, tuple[int, int]]:
    return {p.label: (p.done, p.total) for s in reply.sections for p in s.progress}


def _milestone_line(reply: Reply, title: str) -> str:
    return next(line for s in reply.sections for line in s.text.splitlines() if title in line)


# --- /deal -----------------------------------------------------------------------------------------------


async def test_deal_before_the_election_does_not_show_it_won(ask: Ask) -> None:
    reply = await ask("/deal date:2025-03-01")
    line = _milestone_line(reply, "Federal election won")
    assert "done" not in line, line
    assert _progress(reply)["Personnel"] == (0, 5)
    assert _progress(reply)["Policy"] == (0, 7)  # the U.S. list of demands came out on 31 March


async def test_deal_counts_a_milestone_done_from_its_day_on(ask: Ask) -> None:
    assert _progress(await ask("/deal date:2025-03-31"))["Policy"] == (1, 7)
    assert _progress(await ask("/deal date:2025-04-27"))["Personnel"] == (0, 5)
    after = await ask("/deal date:2025-04-28")
    assert _progress(after)["Personnel"] == (1, 5)
    assert _milestone_line(after, "Federal election won").endswith(": done")


async def test_deal_looking_back_dates_in_progress_milestones_by_their_events(ask: Ask) -> None:
    reply = await ask("/deal date:2025-03-01")
    # the first meeting was first announced on 30 April: nothing was under way on 1 March
    assert ": not started" in _milestone_line(reply, "First Carney–Trump meeting")
    # no date says when cabinet roles began to be assigned: say what the store knows, and when
    assert "in progress by about 1 May 2025" in _milestone_line(reply, "Cabinet roles")


async def test_deal_today_is_unchanged(ask: Ask) -> None:
    reply = await ask("/deal")
    assert _progress(reply) == {"Personnel": (1, 5), "Process": (0, 4), "Policy": (1, 7)}
    assert _milestone_line(reply, "Cabinet roles").endswith(": in progress")
    assert {s.outlet for s in reply.sources} == {"CBC News", "Office of the United States Trade Representative"}


async def test_deal_looking_back_cites_no_source_published_later(ask: Ask) -> None:
    reply = await ask("/deal date:2025-04-01")
    assert [s.outlet for s in reply.sources] == ["Office of the United States Trade Representative"]
    assert any("as last updated, about 1 May 2025" in line for line in reply.footer), reply.footer


async def test_deal_after_the_record_ends_says_so(ask: Ask) -> None:
    reply = await ask("/deal date:2025-06-01")
    assert any("record ends about 1 May 2025" in line for line in reply.footer), reply.footer
    assert "ends" not in " ".join((await ask("/deal")).footer)  # no note when no date is asked


# --- /timeline -------------------------------------------------------------------------------------------


async def test_timeline_looking_back_never_calls_a_later_outcome_scheduled(ask: Ask) -> None:
    reply = await ask("/timeline date:2025-03-01")
    assert "federal election" not in _section(reply, "Scheduled").lower()
    ahead = _section(reply, "Still ahead on 1 Mar 2025")
    assert "Carney's Liberals win the Canadian federal election" in ahead
    assert "White House" in ahead
    assert "federal election" not in _section(reply, "Events").lower()
    assert reply.subtitle == "4 events up to 1 Mar 2025, 10 still ahead"


async def test_timeline_after_the_record_ends_does_not_report_a_scheduled_visit_as_past(ask: Ask) -> None:
    reply = await ask("/timeline date:2025-06-01")
    assert "White House for his first meeting" not in _section(reply, "Events")
    assert "White House for his first meeting" in _section(reply, "Due by 1 Jun 2025, outcome not recorded")
    assert "CUSMA joint review due" in _section(reply, "Scheduled")
    assert any("record ends about 1 May 2025" in line for line in reply.footer), reply.footer


async def test_timeline_today_keeps_scheduled_apart(ask: Ask) -> None:
    reply = await ask("/timeline")
    assert "White House" in _section(reply, "Scheduled")
    assert not _section(reply, "Still ahead")


# --- /status and /who ------------------------------------------------------------------------------------


async def test_status_after_the_record_ends_does_not_list_the_visit_as_latest(ask: Ask) -> None:
    reply = await ask("/status tariffs date:2025-06-01")
    assert "White House for his first meeting" not in _section(reply, "Latest")
    assert "White House for his first meeting" in _section(reply, "Due by 1 Jun 2025, outcome not recorded")
    assert any("record ends about 1 May 2025" in line for line in reply.footer), reply.footer


async def test_status_looking_back_cites_no_later_source(ask: Ask) -> None:
    reply = await ask("/status dairy date:2025-04-01")
    assert [s.outlet for s in reply.sources] == ["Office of the United States Trade Representative"]
    assert not (await ask("/status tariffs date:2025-03-10")).sources  # its only source is from May


async def test_who_after_the_record_ends_does_not_say_the_visit_happened(ask: Ask) -> None:
    reply = await ask("/who carney date:2025-06-01")
    assert "White House for his first meeting" not in _section(reply, "Recently")
    assert "Trump says Carney will come" in _section(reply, "Recently")


# --- /brief ----------------------------------------------------------------------------------------------


async def test_brief_looking_back_counts_progress_on_that_day(ask: Ask) -> None:
    reply = await ask("/brief date:2025-03-06")  # the 4 March tariffs are news: not a quiet (one-line) day
    assert _progress(reply)["Personnel"] == (0, 5)
    assert _progress(reply)["Policy"] == (0, 7)  # the U.S. list of demands came out on 31 March
    assert not reply.sources or all(s.outlet != "CBC News" for s in reply.sources)


async def test_brief_after_the_record_ends_does_not_report_the_visit_as_happened(ask: Ask) -> None:
    reply = await ask("/brief date:2025-05-10")
    changes = _section(reply, "Since")
    assert "**6 May 2025**: Carney expected at the White House" not in changes
    assert "outcome not recorded" in text_of(reply)


# --- dates out of range (issue 14 item 7) ----------------------------------------------------------------

OUT_OF_RANGE = ("9999-12-31", "9999-12-30", "0001-01-01", "0001-01-02", "1899-12-31", "3000-01-01")
DATED_COMMANDS = (
    "/brief date:{}",
    "/brief since:{} date:2025-05-02",
    "/deal date:{}",
    "/status tariffs date:{}",
    "/timeline date:{}",
    "/who clow date:{}",
    "/brief reissue date:{}",
)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("template", DATED_COMMANDS)
async def test_a_date_out_of_range_is_a_clear_user_error(ask: Ask, template: str, day: str) -> None:
    reply = await ask(template.format(day), is_admin=True)
    assert reply.tone == Tone.ERROR, text_of(reply)
    assert "from 1900-01-01 to 2999-12-31" in text_of(reply)


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
async def test_the_ends_of_the_range_answer(ask: Ask, day: str) -> None:
    for template in DATED_COMMANDS[:-1]:
        if "since" in template and day == "2999-12-31":
            continue  # since must come before the briefing date
        reply = await ask(template.format(day))
        assert reply.tone == Tone.ANSWER, (template, text_of(reply))


@pytest.mark.parametrize("today", [dt.date.min, dt.date.max])
async def test_a_configured_date_at_the_calendar_edge_still_briefs(ask: Ask, today: dt.date) -> None:
    assert (await ask("/brief", today=today)).tone == Tone.ANSWER
    assert (await ask("/deal", today=today)).tone == Tone.ANSWER


@pytest.mark.parametrize("flag", ["--date", "--since"])
def test_cli_date_out_of_range_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str) -> None:
    monkeypatch.setenv("BRIEFBOT_STATE_URL", f"sqlite+aiosqlite:///{tmp_path}/state.db")
    result = CliRunner().invoke(cli, ["brief", flag, "9999-12-31"])
    assert result.exit_code in (1, 2), result.output  # 2: a bad flag; 1: the answer is a user error
    assert "from 1900-01-01 to 2999-12-31" in result.output
    assert "Traceback" not in result.output
