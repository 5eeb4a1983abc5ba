"""Slack messages are rendered once per distinct reply and options (the HTTP hot path answers the same question
again and again), and the cache never shows: each caller gets its own message, and every option still counts."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack_render import SHARE_ACTION, render_message
from bot.commands import CommandSpec
from bot.reply import Field, Reply, Section, SourceRef, Visibility
from handlers import ALL_COMMANDS
from tests.conftest import Ask

SPECS: dict[str, CommandSpec] = {c.spec.name: c.spec for c in ALL_COMMANDS}


def _reply(**changes: Any) -> Reply:
    base: dict[str, Any] = {
        "title": "U.S. tariffs",
        "subtitle": "Trade talks · market access track",
        "status": "in_talks",
        "sections": (
            Section(text="Steel and **aluminium**."),
            Section(heading="Positions", fields=(Field("Canada", "No quotas.", inline=False),)),
        ),
        "sources": (SourceRef("Reuters", "Talks resume", "2 May 2025", "https://example.com/a"),),
        "footer": ("As of 2 May 2025",),
        "command": "/status tariffs",
        "more": "/timeline tariffs",
    }
    base.update(changes)
    return Reply(**base)


def _buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_each_caller_gets_its_own_message() -> None:
    first = render_message(_reply(), specs=SPECS)
    first["blocks"][0]["text"]["text"] = "changed by a caller"
    first["blocks"].append({"type": "divider"})
    again = render_message(_reply(), specs=SPECS)
    assert again["blocks"][0]["text"]["text"] == "U.S. tariffs"
    assert {"type": "divider"} not in again["blocks"]


def test_an_equal_reply_built_anew_renders_the_same() -> None:
    assert render_message(_reply(), specs=SPECS) == render_message(_reply(), specs=SPECS)


def test_every_option_and_field_still_changes_the_message() -> None:
    plain = render_message(_reply(), specs=SPECS)
    assert SHARE_ACTION in _buttons(plain)
    assert SHARE_ACTION not in _buttons(render_message(_reply(), specs=SPECS, share=False))
    assert SHARE_ACTION not in _buttons(render_message(_reply(visibility=Visibility.SHARED), specs=SPECS))
    assert "`/trade-timeline tariffs`" in str(render_message(_reply(), prefix="trade-", specs=SPECS))
    assert "Shared by <@U0SHARER>" in str(render_message(_reply(), share=False, shared_by="U0SHARER"))
    assert "Shared by" not in str(render_message(_reply(), share=False))
    assert render_message(_reply(footer=("As of 3 May 2025",)), specs=SPECS) != plain


def test_a_command_is_judged_shareable_as_shown_without_control_characters() -> None:
    """A bidi control in the reply's command is dropped before the Share button is decided, as before."""
    message = render_message(_reply(command="/status\u202e tariffs"), specs=SPECS)
    assert SHARE_ACTION in _buttons(message)
    assert "\u202e" not in str(message)


def test_a_reply_holding_a_list_where_a_tuple_belongs_still_renders() -> None:
    reply = _reply(sections=[Section(text="Listed, not a tuple.")])
    assert "Listed, not a tuple." in str(render_message(reply, specs=SPECS))


async def test_a_status_answer_renders_alike_from_the_cache_and_fresh(ask: Ask) -> None:
    reply = await ask("/status tariffs")
    assert render_message(reply, specs=SPECS) == render_message(await ask("/status tariffs"), specs=SPECS)
