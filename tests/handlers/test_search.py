"""/search as a reader uses it (issue 17 item 10): the thing named comes first, snippets are prose, and every hit
says its date and opens itself."""

from __future__ import annotations

from itertools import pairwise

from bot.store import Store
from tests.conftest import Ask, text_of


async def test_the_topic_a_word_names_ranks_first(ask: Ask) -> None:
    for query in ("tariffs", "steel", "U.S. tariffs on Canadian goods"):  # its id, an alias, its title
        reply = await ask(f"/search {query}")
        assert reply.choices[0].command == "/status tariffs deal:canada-us", query
        assert reply.sections[0].heading is not None and reply.sections[0].heading.startswith("Topic")


async def test_snippets_are_prose_not_alias_lists(ask: Ask, store: Store) -> None:
    text = text_of(await ask("/search tariffs"))
    for deal in store.deals.values():
        for topic in deal.topics.values():
            aliases = [a.lower() for a in topic.topic.aliases]
            for a, b in pairwise(aliases):
                assert f"{a} {b}" not in text.lower(), (topic.id, a, b)


async def test_an_event_hit_says_its_date_and_opens_on_itself(ask: Ask, store: Store) -> None:
    reply = await ask("/search tariffs")
    events = {e.title: e for d in store.deals.values() for e in d.events}
    shown = [s for s in reply.sections if s.heading and s.heading.startswith("Event")]
    assert len(shown) >= 3
    commands = set()
    for section in shown:
        event = next(e for title, e in events.items() if title in (section.heading or ""))
        assert event.date.human() in (section.heading or "") + section.text
        command = section.text.rsplit("`", 2)[-2]
        commands.add(command)
        opened = await ask(command)
        first = next(s for s in opened.sections if s.heading == "Events").text.splitlines()[0]
        assert event.title in first, (command, first)
    assert len(commands) == len(shown)  # each hit opens itself, not one shared timeline
