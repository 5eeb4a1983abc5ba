"""Store and user text can never become live mentions or markup on any surface."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.adapters.discord_render import to_discord
from bot.markup import escape, neutralise, slack_escape, to_plain, to_slack

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U12345>",
    "@everyone",
    "@here",
    "<@&123>",
    "*bold* _it_ [x](https://e.vil)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_slack_output_has_no_live_mentions(text: str) -> None:
    out = to_slack(f"before {escape(text)} after")
    assert "<!" not in out and "<@" not in out
    assert "&lt;" in out or "<" not in text


@pytest.mark.parametrize("text", HOSTILE)
def test_discord_output_has_no_live_mentions(text: str) -> None:
    out = to_discord(escape(text))
    assert "@everyone" not in out and "@here" not in out and "<@" not in out


def test_escaped_text_round_trips_to_plain() -> None:
    raw = "O'Toole: *not* [a link](x) - 25% <b>"
    assert to_plain(escape(raw)) == raw


def test_subset_renders_per_platform() -> None:
    md = "**Tariffs** are _high_; see [CBC](https://cbc.ca)\n\n- one\n- two"
    assert to_slack(md) == "*Tariffs* are _high_; see <https://cbc.ca|CBC>\n\n• one\n• two"
    assert to_discord(md) == "**Tariffs** are _high_; see [CBC](<https://cbc.ca>)\n\n• one\n• two"
    assert to_plain(md) == "Tariffs are high; see CBC (https://cbc.ca)\n\n• one\n• two"


def test_only_http_links_are_linked() -> None:
    assert to_slack("[click](ftp://files.example/x)") == "click"
    assert "<javascript" not in to_slack("[click](javascript:alert(1))")
    assert to_slack("[click](https://example.org/a)") == "<https://example.org/a|click>"


# --- text that would reorder a line or drive the terminal ------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
TERMINAL = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]8;;https://e.vil\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "a\rb",
    "\x07",
]
HIDDEN = [*BIDI, "\x1b", "\x9b", "\x07", "\r"]


@pytest.mark.parametrize("attack", [*BIDI, *TERMINAL])
@pytest.mark.parametrize("surface", [to_plain, to_slack, to_discord])
def test_bidi_overrides_and_terminal_escapes_never_reach_a_surface(surface: Callable[[str], str], attack: str) -> None:
    out = surface(f"**Tariffs** {escape(f'before {attack}after')} and {attack} raw")
    assert not [c for c in HIDDEN if c in out], repr(out)
    assert "before" in out and "after" in out  # the words around it survive


def test_an_override_reorders_nothing_in_plain_escaped_text() -> None:
    assert to_plain(escape("\u202etariffs\u202c and \u2067dairy\u2069")) == "tariffs and dairy"
    assert neutralise("\x1b[31mred\x1b[0m \x1b]0;title\x07text") == "red text"
    assert neutralise("tab\tand\nline") == "tab\tand\nline"  # layout is kept


@pytest.mark.parametrize("mention", ["@here", "@channel", "@everyone", "@HERE", "@Channel"])
def test_bare_broadcast_mentions_are_neutralised_in_slack(mention: str) -> None:
    for out in (to_slack(escape(f"ping {mention} now")), to_slack(f"ping {mention} now"), slack_escape(mention)):
        assert mention not in out
        assert mention[1:] in out  # still readable
    assert to_slack("write to ops@here.example") == "write to ops@here.example"  # an address is no mention
