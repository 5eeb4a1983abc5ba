"""Store and user text can never become live mentions or markup on any surface."""

from __future__ import annotations

import pytest

from bot.markup import escape, to_discord, to_plain, to_slack

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
