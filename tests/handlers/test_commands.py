"""Each command's reply, as a reader sees it, on the bundled store and on a second, unrelated store."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.reply import Tone
from tests.conftest import Ask, text_of


async def test_status_has_positions_people_sources_and_updated(ask: Ask) -> None:
    reply = await ask("/status dairy")
    assert reply.status in ("open", "in_talks", "stalled", "agreed", "resolved", "dropped")
    headings = {s.heading for s in reply.sections}
    assert {"Positions", "Outlook"} <= headings
    assert reply.sources and reply.updated
    assert reply.command == "/status dairy"


async def test_status_as_of_an_earlier_date_moves_later_events_ahead(ask: Ask) -> None:
    early = await ask("/status tariffs date:2025-03-10")
    sections = {s.heading: s.text for s in early.sections}
    assert "12 Mar 2025" in sections["Coming up"]
    assert "12 Mar 2025" not in sections.get("Latest", "")
    later = await ask("/status tariffs date:2025-05-02")
    assert "12 Mar 2025" in {s.heading: s.text for s in later.sections}["Latest"]


async def test_bad_date_option_is_a_clear_error(ask: Ask) -> None:
    reply = await ask("/status tariffs date:2025-13-40")
    assert reply.tone == Tone.ERROR
    assert "YYYY-MM-DD" in text_of(reply)


async def test_timeline_is_newest_first_with_scheduled_events_apart(ask: Ask) -> None:
    reply = await ask("/timeline")
    events = next(s for s in reply.sections if s.heading == "Events").text.splitlines()
    assert "about 1 May 2025" in events[0]
    assert "Nov" in events[-1] or "November" in events[-1]
    scheduled = next(s for s in reply.sections if s.heading == "Scheduled").text
    assert "White House" in scheduled


async def test_timeline_of_a_topic_only_lists_its_events(ask: Ask) -> None:
    text = text_of(await ask("/timeline dairy"))
    assert "Trade Barriers" in text or "trade barriers" in text
    assert "Mar-a-Lago" not in text


async def test_timeline_pages(ask: Ask, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers import timeline

    monkeypatch.setattr(timeline, "PAGE_SIZE", 5)
    first = await ask("/timeline")
    assert first.more == "/timeline page:2"
    second = await ask(first.more)
    assert "page 2" in text_of(second)
    first_lines = next(s.text for s in first.sections if s.heading == "Events").splitlines()
    second_lines = next(s.text for s in second.sections if s.heading and s.heading.startswith("Events")).splitlines()
    assert len(first_lines) == len(second_lines) == 5
    assert not set(first_lines) & set(second_lines)  # no event twice
    assert (await ask("/timeline page:99")).sections[0].text == "There is no page 99: 12 events make 3 pages."


async def test_search_ranks_and_links_to_the_answer(ask: Ask) -> None:
    reply = await ask("/search discount oil")
    assert reply.choices[0].command == "/status oil deal:canada-us"
    assert "**" not in text_of(reply)  # highlights are rendered, not leaked as markup


async def test_search_with_no_hits_says_so(ask: Ask) -> None:
    reply = await ask("/search zzzyzzx")
    assert reply.title == "No matches"


async def test_brief_since_reports_events_after_that_date(ask: Ask) -> None:
    text = text_of(await ask("/brief since:2025-04-27"))
    assert "Since 27 Apr 2025" in text
    assert "federal election" in text.lower()
    assert "Mar-a-Lago" not in text


async def test_brief_quiet_day_is_one_line(ask: Ask) -> None:
    reply = await ask("/brief", today=dt.date(2025, 8, 20))
    (only,) = reply.sections
    assert only.text == (
        "Quiet day: nothing has changed since 13 Aug 2025 and nothing is due in the next 14 days; "
        "21 documents have gone stale."  # everything was last updated in May
    )
    assert not reply.sources and not reply.footer and not reply.more and not reply.updated


async def test_help_uses_examples_that_work_on_this_store(ask: Ask) -> None:
    reply = await ask("/help")
    for choice in reply.choices:
        answer = await ask(choice.command)
        assert answer.tone == Tone.ANSWER, choice.command


async def test_help_for_one_command(ask: Ask) -> None:
    text = text_of(await ask("/help status"))
    assert "Usage" in text and "deal" in text


async def test_second_store_works_without_code_changes(ask_second: Ask) -> None:
    who = await ask_second("/who lindqvist")
    assert who.tone == Tone.ANSWER
    deal = await ask_second("/deal northwind-fisheries")
    labels = [p.label for s in deal.sections for p in s.progress]
    assert labels and not any(label.startswith(("Personnel", "Process", "Policy")) for label in labels)
    search = await ask_second("/search cod")
    assert search.choices


async def test_help_speaks_in_the_configured_prefix(router, store) -> None:  # type: ignore[no-untyped-def]
    from bot.context import Context
    from bot.router import Router
    from handlers import CORE_COMMANDS

    prefixed = Router(CORE_COMMANDS, prefix="trade-")
    ctx = Context(store=store, today=dt.date(2025, 5, 2), specs=prefixed.specs, prefix="trade-")
    overview = text_of(await prefixed.handle_text("/trade-help", ctx))
    assert "/trade-status" in overview and "/status:" not in overview
    detail = await prefixed.handle_text("/trade-help trade-status", ctx)
    assert detail.title == "/trade-status"
    assert all(c.command.startswith("/trade-") for c in detail.choices)
    assert (await prefixed.handle_text(detail.choices[0].command, ctx)).tone == Tone.ANSWER


async def test_brief_announces_todays_event_and_leaves_out_a_wholesale_revision(ask: Ask) -> None:
    reply = await ask("/brief", today=dt.date(2025, 5, 6))
    sections = {s.heading: s.text for s in reply.sections}
    coming = next(text for heading, text in sections.items() if heading and heading.startswith("Coming up"))
    assert "**Today**: Carney expected at the White House" in coming
    changes = next(text for heading, text in sections.items() if heading and heading.startswith("Since"))
    assert "White House for his first meeting" not in changes  # announced, not reported as past
    # what moved, in words; the 20 documents whose `updated` date fell in the week say nothing of what changed
    assert changes.splitlines()[:2] == [
        "- **First Carney–Trump meeting at the White House** (Personnel): not started → **in progress** _(CBC News)_",
        "- **about 1 May 2025**: CBC News analysis sets out the three steps to a truce _(CBC News)_",
    ]
    assert "documents" not in text_of(reply) and "Updated about 1 May 2025:" not in text_of(reply)
