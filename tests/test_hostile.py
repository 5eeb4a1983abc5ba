"""Hostile input: whatever a user types or a maintainer commits, Briefbot answers or reports, never crashes.

"No crash" means: no reply is the internal-error reply and nothing is logged at error level (the router turns
exceptions into a polite reply, so an exception would otherwise pass unnoticed). ``bench/fuzz.py`` runs the same
properties over 10,000 inputs per entry point.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import parse
from bot.errors import BriefbotError
from bot.render_text import render_text
from bot.reply import Reply, Tone
from bot.router import Router
from bot.store import Store, load_store
from tests.conftest import make_ask
from tests.store.minimal import write_store

NASTY = [
    "",
    "   ",
    "\t\n",
    "x" * 10_000,
    "\x00\x01\x1b[31m",
    "\u202etariffs",  # right-to-left override
    "ta\u200brif\u200dfs",  # zero-width characters
    "\U0001f4a3\U0001f525",
    "<!channel> <!here> <!everyone> <@U123> @everyone @here <@&1>",
    "*bold* _x_ `code` [a](javascript:1) ```",
    "../../etc/passwd",
    "/etc/shadow",
    "deal:../../x date:9999-99-99",
    'deal:"unterminated',
    "\\",
    "%s%n{0}",
]
COMMANDS = ["status", "who", "deal", "brief", "timeline", "search", "help"]
hostile_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("arg", NASTY)
async def test_listed_hostile_arguments_get_a_clear_answer(
    router: Router, store: Store, command: str, arg: str, caplog: pytest.LogCaptureFixture
) -> None:
    ask = make_ask(router, store)
    with caplog.at_level(logging.ERROR):
        reply = await ask(f"/{command} {arg}")
    assert reply.tone != Tone.INTERNAL, render_text(reply)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    text = render_text(reply)
    assert "root:" not in text  # nothing read outside the store


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
def test_parser_answers_or_raises_a_user_error(router: Router, text: str) -> None:
    with contextlib.suppress(BriefbotError):
        parse(text, router.specs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), arg=hostile_text)
def test_every_handler_survives_any_argument(router: Router, store: Store, command: str, arg: str) -> None:
    reply = asyncio.run(make_ask(router, store)(f"/{command} {arg}"))
    assert reply.tone != Tone.INTERNAL, render_text(reply)
    render_text(reply)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front_matter=st.one_of(st.text(max_size=400), st.binary(max_size=400).map(lambda b: b.decode("latin-1"))))
def test_loader_reports_any_file_and_serves_the_rest(
    tmp_path_factory: pytest.TempPathFactory, front_matter: str
) -> None:
    root = write_store(tmp_path_factory.mktemp("store"))
    (root / "people" / "fuzzed.md").write_text(f"---\n{front_matter}\n---\nbody\n", encoding="utf-8", errors="replace")
    store = load_store(root)
    assert store.topic("north-south", "fish") is not None  # the rest is served
    for problem in store.problems:
        assert problem.line >= 1
        assert problem.message


def test_generated_store_file_types(tmp_path: Path) -> None:
    root = write_store(tmp_path)
    (root / "people" / "bad.md").write_bytes(b"---\nname: \xc3\x28\n---\n")
    (root / "people" / "tagged.md").write_text("---\nname: !!python/name:os.system\n---\n")
    (root / "people" / "list.md").write_text("---\n[1, 2]\n---\n")
    (root / "people" / "dup.md").write_text((root / "people" / "ada-lind.md").read_text())
    messages = {p.path: p.message for p in load_store(root).problems}
    assert "UTF-8" in messages["people/bad.md"]
    assert "tag" in messages["people/tagged.md"]
    assert "mapping" in messages["people/list.md"]
    assert "already an alias of" in messages["people/dup.md"]


# --- bidi overrides and terminal escapes, from the user and from the store, on every surface -------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CLEAR_SCREEN, SET_TITLE = "\x1b[2J", "\x1b]0;pwned\x07"


def _every_surface(reply: Reply) -> dict[str, str]:
    import json

    from bot.adapters.discord_render import render_embed
    from bot.adapters.discord_ui import CommandRefs, reply_view
    from bot.adapters.slack_render import render_message
    from bot.terminal.render import render_rich

    embed = render_embed(reply)
    view = reply_view(reply, CommandRefs())
    return {
        "text": render_text(reply),
        "terminal": render_rich(reply, width=80, colour=True),
        "slack": json.dumps(render_message(reply), ensure_ascii=False),
        "discord": json.dumps(embed.to_dict(), ensure_ascii=False),
        "discord buttons": json.dumps([c.to_component_dict() for c in view.children] if view else []),
    }


async def test_bidi_overrides_and_escapes_from_a_store_body_or_a_user_never_reach_any_surface(
    router: Router, store_copy: Path
) -> None:
    dairy = store_copy / "deals" / "canada-us" / "topics" / "dairy.md"
    text = dairy.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary: "))
    text = text.replace(summary, 'summary: "\\e[2J\\e]0;pwned\\a\u202eSupply management\u202c"', 1)
    dairy.write_text(text + f"\nA body line {CLEAR_SCREEN}{SET_TITLE}with \u2067isolates\u2069.\n", encoding="utf-8")
    store = load_store(store_copy)
    assert not store.problems, store.problems
    ask = make_ask(router, store)
    for asked in ("/status dairy", f"/status {BIDI}dairy{CLEAR_SCREEN}", f"/who {SET_TITLE}\u202eclow"):
        for surface, out in _every_surface(await ask(asked)).items():
            assert not [c for c in BIDI if c in out], (asked, surface, out)
            assert CLEAR_SCREEN not in out and "\x1b]" not in out and "\x07" not in out, (asked, surface, out)
            if surface != "terminal":  # the terminal renderer writes its own colour codes, nothing else
                assert "\x1b" not in out and "\\u001b" not in out, (asked, surface, out)
