"""/status works out a topic's answer once per store, language, day and reader: the answer never depends on what
was asked before it, follows a reload at once, and its per-request lines (as-of notes, reviews) stay current."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.config import BUNDLED_STORE
from bot.render_text import render_text
from bot.router import Router
from bot.store import load_store
from bot.targets import Target
from tests.conftest import AS_OF, SECOND_STORE, make_ask

SLACK = Target.parse("slack:T0ONE:C0GENERAL")
QUESTIONS: list[tuple[str, Target | None, dt.date]] = [
    ("/status tariffs", None, AS_OF),
    ("/status tariffs", SLACK, AS_OF),
    ("/status tariffs date:2025-05-02", None, AS_OF),  # the day asked for out loud: its own footer
    ("/status tariffs date:2025-03-01", None, AS_OF),
    ("/status tariffs", None, dt.date(2025, 3, 1)),
    ("/status tariffs", None, dt.date(2025, 9, 1)),
    ("/status tariffs date:2025-09-01", None, AS_OF),
    ("/status tarifs", None, AS_OF),  # the closest match: a note says so
    ("/status tariffs lang:fr", None, AS_OF),
    ("/status tariffs lang:fr date:2025-03-01", None, AS_OF),
    ("/status dairy", None, AS_OF),
    ("/status dairy deal:canada-us", SLACK, AS_OF),
]


async def _answer(router: Router, question: tuple[str, Target | None, dt.date], *, fresh: bool) -> str:
    text, target, today = question
    store = load_store(BUNDLED_STORE) if fresh else STORE
    ask = make_ask(router, store)
    reply = await (ask(text, today=today) if target is None else ask(text, target=target, today=today))
    return render_text(reply)


STORE = load_store(BUNDLED_STORE)


async def test_answers_do_not_depend_on_what_was_asked_before(router: Router) -> None:
    for question in [*QUESTIONS, *reversed(QUESTIONS)]:  # each asked twice on one store, in both orders
        assert await _answer(router, question, fresh=False) == await _answer(router, question, fresh=True), question


async def test_a_reloaded_store_answers_with_its_own_text(tmp_path: Path, router: Router) -> None:
    root = tmp_path / "store"
    shutil.copytree(BUNDLED_STORE, root)
    before = make_ask(router, load_store(root))
    assert "Summary rewritten after the reload." not in render_text(await before("/status tariffs"))
    topic = next(root.rglob("topics/tariffs.md"))
    text = topic.read_text()
    start = text.index("summary:")
    end = text.index("\n", start)
    topic.write_text(text[:start] + "summary: Summary rewritten after the reload." + text[end:])
    after = make_ask(router, load_store(root))
    assert "Summary rewritten after the reload." in render_text(await after("/status tariffs"))
    assert "Summary rewritten after the reload." not in render_text(await before("/status tariffs"))


async def test_a_restricted_topic_stays_out_of_another_channels_answer(router: Router) -> None:
    store = load_store(SECOND_STORE)
    ask = make_ask(router, store)
    targets = [Target.parse("slack:T0SECOND:C0PRIVATE"), Target.parse("slack:T0SECOND:C0PUBLIC")]
    answers = [render_text(await ask("/status levy deal:northwind-timber", target=t)) for t in targets * 2]
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert answers[0] != answers[1]
