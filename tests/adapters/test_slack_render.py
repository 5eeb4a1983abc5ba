"""Block Kit rendering: what a reader sees, Slack's size limits, and that no content can ping anyone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.adapters.slack_render import (
    MAX_BLOCKS,
    MAX_FIELD,
    MAX_FIELDS,
    MAX_HEADER,
    MAX_SECTION_TEXT,
    MAX_TOTAL,
    RUN_ACTION,
    SHARE_ACTION,
    status_badge,
)
from bot.adapters.slack_render import render_message as _render_message
from bot.markup import escape
from bot.reply import Choice, Field, Progress, Reply, Section, SourceRef, Tone, Visibility
from tests.conftest import Ask

HOSTILE = ["<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<#C0SECRET>", "<!subteam^S1>", "a & b > c"]


def render_message(reply: Reply, **options: Any) -> dict[str, Any]:
    """The renderer under test, with every message it makes checked against slack_sdk's Block Kit models."""
    message = _render_message(reply, **options)
    assert_valid_block_kit(message)
    return message


def assert_valid_block_kit(message: dict[str, Any]) -> None:
    """Each block parses as its slack_sdk model and survives ``to_dict``, which runs the model's validators
    (lengths, counts, required fields) and raises SlackObjectFormationError on anything Slack would refuse."""
    assert isinstance(message["text"], str) and message["text"]
    assert len(message["blocks"]) <= MAX_BLOCKS
    for block in message["blocks"]:
        model = Block.parse(block)
        assert model is not None, f"not a Block Kit block: {block}"
        assert model.to_dict() == block


def test_the_block_kit_check_would_catch_what_slack_refuses() -> None:
    from slack_sdk.errors import SlackObjectFormationError

    too_long = {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "text": "x"}
    with pytest.raises(SlackObjectFormationError):
        assert_valid_block_kit(too_long)
    with pytest.raises(AssertionError):
        assert_valid_block_kit({"blocks": [{"type": "nonsense"}], "text": "x"})


def block_texts(message: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    out.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message["blocks"])
    return out


def of_type(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == kind]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in of_type(message, "actions") for e in b["elements"]]


def assert_within_limits(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert sum(len(t) for t in block_texts(message)) <= MAX_TOTAL
    for block in blocks:
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= MAX_HEADER
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
            assert len(block.get("fields", [])) <= MAX_FIELDS
            assert all(len(f["text"]) <= MAX_FIELD for f in block.get("fields", []))
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
        if block["type"] == "actions":
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids)) and len(ids) <= 25
            assert all(
                len(i) <= 255 and len(e["text"]["text"]) <= 75 for i, e in zip(ids, block["elements"], strict=True)
            )
    assert 0 < len(message["text"]) <= 3000


# --- what a reader sees -------------------------------------------------------------------------------------


async def test_status_tariffs_renders_as_blocks(ask: Ask) -> None:
    message = render_message(await ask("/status tariffs"))

    assert message["blocks"][0]["type"] == "header"
    assert message["blocks"][0]["text"]["text"] == "U.S. tariffs on Canadian goods"
    sections = "\n".join(b["text"]["text"] for b in of_type(message, "section"))
    assert "25% U.S. tariffs on steel, aluminum" in sections
    assert "*Positions*\n*Canada:* Wants the tariffs ended" in sections
    context = "\n".join(e["text"] for b in of_type(message, "context") for e in b["elements"])
    assert ":white_circle: open" in context  # status as emoji + word
    assert "Sources: CBC News, \u201cThere are 3 steps Carney must take" in context
    assert "Updated about 1 May 2025" in context
    assert "More: `/timeline tariffs deal:canada-us`" in context
    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [(SHARE_ACTION, "/status tariffs")]
    assert message["text"].startswith("U.S. tariffs on Canadian goods")
    assert_within_limits(message)


async def test_progress_bars_are_drawn_as_text(ask: Ask) -> None:
    message = render_message(await ask("/deal"))

    sections = "\n".join(b["text"]["text"] for b in of_type(message, "section"))
    assert "`██░░░░░░░░░░` 1/5  Personnel" in sections
    assert "`░░░░░░░░░░░░` 0/4  Process" in sections


@pytest.mark.parametrize(
    ("status", "badge"),
    [
        ("in_talks", ":large_blue_circle: in talks"),
        ("agreed", ":large_green_circle: agreed"),
        ("stalled", ":large_orange_circle: stalled"),
        ("blocked", ":red_circle: blocked"),
        ("dropped", ":black_circle: dropped"),
        ("not_started", ":white_circle: not started"),
        ("something_new", ":white_circle: something new"),
    ],
)
def test_status_is_an_emoji_and_a_word(status: str, badge: str) -> None:
    assert status_badge(status) == badge


async def test_an_ambiguous_lookup_offers_buttons_that_carry_the_command(ask: Ask) -> None:
    message = render_message(await ask("/who c"))

    choices = buttons(message)
    assert [b["value"] for b in choices] == ["/who brian-clow", "/who mark-carney"]
    assert [b["action_id"] for b in choices] == [f"{RUN_ACTION}:/who brian-clow", f"{RUN_ACTION}:/who mark-carney"]
    assert message["blocks"][0]["text"]["text"].startswith(":grey_question:")
    assert SHARE_ACTION not in [b["action_id"] for b in choices]  # a question is not worth sharing


def test_shared_replies_have_no_share_button_and_name_who_shared() -> None:
    reply = Reply(title="T", sections=(Section(text="x"),), command="/status x", visibility=Visibility.SHARED)

    message = render_message(reply, shared_by="U0SHARER")

    assert buttons(message) == []
    assert "Shared by <@U0SHARER>" in block_texts(message)
    assert "Shared by" not in json.dumps(render_message(reply, shared_by="<!channel>"))


def test_the_prefix_is_applied_to_pointers() -> None:
    reply = Reply(title="T", more="/timeline tariffs")

    message = render_message(reply, prefix="trade-")

    assert "More: `/trade-timeline tariffs`" in block_texts(message)


def test_inline_fields_are_grouped_ten_to_a_section() -> None:
    fields = tuple(Field(f"F{i}", f"value {i}") for i in range(23))

    message = render_message(Reply(title="Fields", sections=(Section(fields=fields),)))

    assert [len(b["fields"]) for b in of_type(message, "section")] == [10, 10, 3]


# --- escaping -----------------------------------------------------------------------------------------------


def hostile_reply(text: str, *, raw_markdown: bool = False) -> Reply:
    md = text if raw_markdown else escape(text)
    return Reply(
        title=f"No topic matches “{text}”",
        subtitle=text,
        status=text,
        sections=(
            Section(
                heading=text,
                text=f"{md} and **{md}** [{md}](https://example.org/{text})",
                fields=(Field(text, md), Field(text, md, inline=False)),
                progress=(Progress(text, 1, 2, note=text),),
                status=text,
            ),
        ),
        sources=(SourceRef(text, text, text, link=f"https://example.org/?q={text}"),),
        updated=text,
        choices=(Choice(text, f"/status {text}"),),
        footer=(text,),
        more=f"/search {text}",
        command=f"/status {text}",
    )


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("raw_markdown", [False, True])
def test_store_and_user_text_never_becomes_a_live_mention(text: str, raw_markdown: bool) -> None:
    message = render_message(hostile_reply(text, raw_markdown=raw_markdown))

    shown = json.dumps([message["text"], *block_texts(message)])
    for live in ("<!", "<@", "<#"):
        assert live not in shown
    if "<" in text:
        assert "&lt;" in shown


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>!@#&|*_`[]()-: \nabcUC1")), max_size=60))
def test_no_text_whatsoever_becomes_a_mention(text: str) -> None:
    for raw in (False, True):
        shown = json.dumps(block_texts(render_message(hostile_reply(text, raw_markdown=raw))))
        assert "<!" not in shown and "<@" not in shown and "<#" not in shown


# --- size limits --------------------------------------------------------------------------------------------


def huge_reply() -> Reply:
    paragraph = "Tariffs & talks <continue> " * 400  # ~10k characters, with entities to cut around
    return Reply(
        title="A very long title " * 20,
        subtitle="sub " * 2000,
        sections=tuple(
            Section(
                heading=f"Part {i}",
                text=paragraph,
                fields=tuple(Field(f"F{j}", "v" * 3000) for j in range(12)),
            )
            for i in range(60)
        ),
        sources=tuple(SourceRef("CBC", "t" * 300, "2025") for _ in range(40)),
        footer=tuple("f" * 4000 for _ in range(15)),
        choices=tuple(Choice("c" * 100, f"/status topic-{i}") for i in range(40)),
        more="/timeline everything",
        command="/status everything",
    )


def test_a_huge_answer_is_cut_to_fit_with_a_pointer_to_the_rest() -> None:
    message = render_message(huge_reply())

    assert_within_limits(message)
    notice = [t for t in block_texts(message) if "Cut to fit Slack" in t]
    assert notice == [":scissors: Cut to fit Slack. The rest: `/timeline everything`"]
    assert buttons(message)[-1]["action_id"] == SHARE_ACTION  # the tail survives the cut


def test_cutting_never_splits_an_entity_or_a_link() -> None:
    text = "x" * 2990 + " &amp; <https://example.org/long|a link> tail"
    reply = Reply(title="Cut", sections=(Section(text=f"{text}\n{text}"),))

    for block in of_type(render_message(reply), "section"):
        body = block["text"]["text"]
        assert body.count("<") == body.count(">")
        assert not body.rstrip("…").endswith(("&", "&am", "&amp"))


async def test_a_long_real_briefing_fits(ask: Ask) -> None:
    for command in ("/brief", "/deal", "/help", "/timeline deal:canada-us", "/search tariffs"):
        assert_within_limits(render_message(await ask(command)))


@settings(max_examples=40, deadline=None)
@given(
    sections=st.integers(0, 70),
    length=st.integers(0, 7000),
    fields=st.integers(0, 25),
    tone=st.sampled_from(list(Tone)),
)
def test_any_reply_stays_within_slack_limits(sections: int, length: int, fields: int, tone: Tone) -> None:
    reply = Reply(
        title="t" * (length % 400),
        tone=tone,
        sections=tuple(
            Section(
                heading="h", text=("word " * length)[:length], fields=tuple(Field("n", "v" * 50) for _ in range(fields))
            )
            for _ in range(sections)
        ),
        command="/status x",
    )

    assert_within_limits(render_message(reply))


# --- sharing: only read-only answers -------------------------------------------------------------------------

EFFECTS = ["/subscribe", "/unsubscribe canada-us", "/reload", "/watch tariffs", "/unwatch tariffs"]


@pytest.mark.parametrize("command", EFFECTS)
def test_an_answer_that_changed_something_offers_no_share_button(command: str) -> None:
    from bot.router import Router
    from handlers import ALL_COMMANDS

    # what the router returns for a confirmation: a private answer that carries its command
    reply = Reply(title="Done", sections=(Section(text="ok"),), command=command)

    message = render_message(reply, specs=Router(ALL_COMMANDS).specs)

    assert SHARE_ACTION not in [b["action_id"] for b in buttons(message)]


async def test_a_read_only_answer_still_offers_share(ask: Ask) -> None:
    from bot.router import Router
    from handlers import ALL_COMMANDS

    message = render_message(await ask("/status tariffs"), specs=Router(ALL_COMMANDS).specs)

    assert [b["value"] for b in buttons(message) if b["action_id"] == SHARE_ACTION] == ["/status tariffs"]
