"""Replies laid out for a terminal: wrapped to its width, a rule under the title, coloured by tone."""

from __future__ import annotations

import io
import re

import pytest

from bot.reply import Field, Progress, Reply, Section, Tone
from bot.terminal.output import for_stream
from bot.terminal.render import render_rich

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RED, YELLOW, GREEN = "31", "33", "32"


def _sgr_before(text: str, words: str) -> set[str]:
    """The colour codes in force where ``words`` start."""
    codes = ANSI.findall(text[: text.index(words)])
    return set(codes[-1][2:-1].split(";")) if codes else set()


def test_status_and_answer_kind_set_the_colour() -> None:
    stalled = render_rich(Reply(title="Dairy", status="stalled"), width=80, colour=True)
    assert YELLOW in _sgr_before(stalled, "stalled")
    agreed = render_rich(
        Reply(title="Autos", sections=(Section(heading="Autos", status="agreed"),)), width=80, colour=True
    )
    assert GREEN in _sgr_before(agreed, "[agreed]")
    error = render_rich(Reply(title="That did not work", tone=Tone.ERROR), width=80, colour=True)
    assert RED in _sgr_before(error, "That did not work")


def test_long_lines_wrap_under_their_bullet_and_field_name() -> None:
    text = "- " + " ".join(["negotiation"] * 12)
    reply = Reply(
        title="T",
        sections=(
            Section(text=text, fields=(Field("Canada", " ".join(["position"] * 12)),)),
            Section(progress=(Progress("Policy", 1, 7, note="1/7 → 2/7 since the last briefing"),)),
        ),
    )
    lines = render_rich(reply, width=40, colour=False).splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert all(line == line.rstrip() for line in lines)  # no trailing blanks
    bullet = [line for line in lines if "negotiation" in line]
    assert bullet[0].startswith("• negotiation") and all(line.startswith("  negotiation") for line in bullet[1:])
    field = [line for line in lines if "position" in line]
    assert field[0].startswith("  Canada: position") and all(line.startswith("  position") for line in field[1:])


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_stream_decides_plain_or_terminal_and_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = Reply(title="Dairy", status="stalled")
    assert for_stream(io.StringIO())(reply).splitlines()[2].startswith("=====")  # pipes: the plain renderer
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in for_stream(_Tty())(reply)
    monkeypatch.setenv("NO_COLOR", "1")
    shown = for_stream(_Tty())(reply)
    assert "\x1b[" not in shown and "═" in shown
