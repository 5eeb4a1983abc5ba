"""A share click runs a command again for the whole channel: only ever a read-only one."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.reply import Tone
from bot.router import Router, reply_for
from bot.sharing import read_only, share_command
from handlers import ALL_COMMANDS

SPECS = Router(ALL_COMMANDS, prefix="trade-").specs


@pytest.mark.parametrize(
    "text", ["/subscribe time:08:00", "/unsubscribe", "/reload", "/watch tariffs", "/trade-unwatch tariffs"]
)
def test_a_share_click_never_runs_a_command_with_effects(text: str) -> None:
    assert not read_only(text, SPECS, "trade-")
    with pytest.raises(UserError) as raised:
        share_command(text, SPECS, "trade-")
    reply = reply_for(raised.value)
    assert reply.tone is Tone.ERROR and "cannot be shared" in reply.sections[0].text


@pytest.mark.parametrize("text", ["/status tariffs", "/trade-who clow", "/schedule", "/deal"])
def test_a_share_click_runs_a_read_only_command(text: str) -> None:
    assert read_only(text, SPECS, "trade-")
    assert share_command(text, SPECS, "trade-").name == text.split(maxsplit=1)[0].removeprefix("/trade-").lstrip("/")


@pytest.mark.parametrize("text", [None, "", "   ", "/nonesuch x"])
def test_nothing_unknown_is_shareable(text: str | None) -> None:
    assert not read_only(text, SPECS)
