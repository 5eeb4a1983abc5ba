"""Every example /help shows works on the bundled store (issue 17 item 11): a reader who copies one gets an answer.

Through the real App (its router, a state database in a temporary folder), so the admin commands that keep state
(/subscribe, /watch) are run as a reader would run them from the console.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import App
from bot.config import load_settings
from bot.render_text import render_text
from bot.reply import Tone
from tests.conftest import Ask, text_of


async def test_every_help_example_answers(tmp_path: Path) -> None:
    app = App(load_settings(None, state_url=f"sqlite+aiosqlite:///{tmp_path}/state.db"))
    overview = render_text(await app.ask("/help"))
    examples = dict.fromkeys(re.findall(r"e\.g\. `([^`]+)`", overview))
    for name in app.router.specs:
        examples.update(dict.fromkeys(c.command for c in (await app.ask(f"/help {name}")).choices))
    assert {"/timeline tariffs", "/subscribe time:08:00 timezone:America/Toronto"} <= examples.keys()
    failed = {}
    for example in examples:
        if example.startswith("/unsubscribe"):  # there must be a subscription to stop
            await app.ask("/subscribe")
        reply = await app.ask(example)
        if reply.tone is not Tone.ANSWER or "There is no page" in render_text(reply):
            failed[example] = render_text(reply)[:300]
    assert not failed, failed


async def test_a_timeline_of_one_event_says_event(ask: Ask) -> None:
    reply = await ask("/timeline cusma-review page:2")
    assert (reply.subtitle or "").startswith("1 event up to")
    assert "There is no page 2: 1 event makes 1 page." in text_of(reply)
