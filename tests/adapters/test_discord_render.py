"""Discord embeds and components from neutral replies: content, colours, limits, mentions. Pure, no network."""

from __future__ import annotations

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord_render import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    STATUS_COLOURS,
    TITLE_MAX,
    TONE_COLOURS,
    TOTAL_MAX,
    clip,
    render_embed,
)
from bot.adapters.discord_ui import SHARE_LABEL, CommandRefs, parse_custom_id, reply_view
from bot.markup import escape
from bot.reply import Choice, Field, Progress, Reply, Section, SourceRef, Tone
from bot.router import Router
from bot.store.model import StatusTone
from handlers import ALL_COMMANDS
from tests.conftest import Ask


def _all_text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    for field in embed.fields:
        parts += [field.name or "", field.value or ""]
    return "\n".join(parts)


def _within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= TITLE_MAX
    assert len(embed.description or "") <= DESCRIPTION_MAX
    assert len(embed.fields) <= FIELDS_MAX
    for field in embed.fields:
        assert 0 < len(field.name or "") <= FIELD_NAME_MAX
        assert 0 < len(field.value or "") <= FIELD_VALUE_MAX
    assert len(embed.footer.text or "") <= FOOTER_MAX
    assert len(embed) <= TOTAL_MAX  # discord.py counts what Discord counts towards 6,000


async def test_status_answer_has_the_facts_fields_colour_and_footer(ask: Ask) -> None:
    reply = await ask("/status tariffs")
    embed = render_embed(reply, key="discord:1:2/canada-us/2025-05-02")
    assert embed.title == "U.S. tariffs on Canadian goods"
    assert "25%" in (embed.description or "") and "steel" in (embed.description or "")
    names = [f.name for f in embed.fields]
    assert names[:2] == ["Positions", "Outlook"]
    assert "**Canada:**" in (embed.fields[0].value or "")  # a section's own fields stay inside it, in order
    assert embed.colour is not None and embed.colour.value == STATUS_COLOURS[StatusTone.NEUTRAL]  # "open"
    footer = embed.footer.text or ""
    assert "Sources: CBC News" in footer
    assert "Updated about 1 May 2025" in footer
    assert footer.endswith("key discord:1:2/canada-us/2025-05-02")
    _within_limits(embed)


async def test_progress_bars_render_as_text(ask: Ask) -> None:
    embed = render_embed(await ask("/deal"))
    progress = next(f for f in embed.fields if f.name == "Progress")
    assert "`██░░░░░░░░` 1/5 Personnel" in (progress.value or "")


def test_colours_follow_the_kind_of_answer_before_the_status() -> None:
    assert render_embed(Reply(title="x", status="agreed")).colour.value == STATUS_COLOURS[StatusTone.GOOD]  # type: ignore[union-attr]
    assert render_embed(Reply(title="x", status="stalled")).colour.value == STATUS_COLOURS[StatusTone.WARNING]  # type: ignore[union-attr]
    error = Reply(title="x", status="agreed", tone=Tone.ERROR)
    assert render_embed(error).colour.value == TONE_COLOURS[Tone.ERROR]  # type: ignore[union-attr]


def test_store_text_cannot_mention_anyone() -> None:
    hostile = "Ping @everyone and @here, <@123456789> and <@&987654321>"
    reply = Reply(
        title=hostile,
        subtitle=hostile,
        sections=(Section(heading=hostile, text=escape(hostile), fields=(Field(hostile, escape(hostile)),)),),
        footer=(hostile,),
    )
    text = _all_text(render_embed(reply))
    for live in ("@everyone", "@here", "<@123456789>", "<@&987654321>"):
        assert live not in text
    assert "@\u200beveryone" in text


def test_a_huge_answer_is_cut_within_every_limit_with_a_pointer_to_the_rest() -> None:
    line = "- " + "word " * 60
    sections = tuple(Section(heading=f"Part {i} " + "h" * 300, text="\n".join([line] * 12)) for i in range(40))
    reply = Reply(
        title="T" * 400,
        subtitle="s" * 5000,
        sections=sections,
        sources=tuple(SourceRef("Outlet " * 20, "Title " * 40, "1 May 2025") for _ in range(20)),
        more="/timeline tariffs page:2",
    )
    embed = render_embed(reply, key="k")
    _within_limits(embed)
    assert "/timeline tariffs page:2" in _all_text(embed)
    assert "cut to fit Discord" in _all_text(embed)


def test_a_long_section_continues_in_further_fields_instead_of_being_lost() -> None:
    text = "\n".join(f"- event number {i} " + "x" * 80 for i in range(30))
    embed = render_embed(Reply(title="Timeline", sections=(Section(heading="Events", text=text),)))
    names = [f.name for f in embed.fields]
    assert names[0] == "Events" and names[1] == "Events (continued)"
    joined = "\n".join(f.value or "" for f in embed.fields)
    assert "event number 29" in joined
    _within_limits(embed)


def test_clip_prefers_line_and_word_boundaries() -> None:
    assert clip("short", 10) == "short"
    assert clip("one two three four five", 12) == "one two…"
    assert clip("first line\nsecond line", 16) == "first line…"
    assert not clip("a\\" * 20, 10).endswith("\\…")


def test_many_fields_are_capped_at_twenty_five() -> None:
    fields = tuple(Field(f"F{i}", "v") for i in range(60))
    embed = render_embed(Reply(title="Health", sections=(Section(heading="Facts", fields=fields),), more="/health"))
    assert len(embed.fields) == FIELDS_MAX
    assert embed.fields[-1].name == "More"
    _within_limits(embed)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=400),
    texts=st.lists(st.text(max_size=1500), max_size=12),
    headings=st.lists(st.one_of(st.none(), st.text(min_size=1, max_size=300)), max_size=12),
    footer=st.lists(st.text(max_size=900), max_size=4),
    field_count=st.integers(0, 30),
)
def test_any_reply_fits_discord_limits(
    title: str, texts: list[str], headings: list[str | None], footer: list[str], field_count: int
) -> None:
    sections = tuple(
        Section(
            heading=heading,
            text=escape(text),
            fields=tuple(Field(f"f{i}", escape(text[:50]) or "v", inline=i % 2 == 0) for i in range(field_count)),
            progress=(Progress("track", 2, 7, note=text[:40]),),
        )
        for text, heading in zip(texts, headings, strict=False)
    )
    embed = render_embed(Reply(title=title or "t", sections=sections, footer=tuple(footer), more="/more"), key="k")
    _within_limits(embed)


# --- components -------------------------------------------------------------------------------------------


def _components(view: discord.ui.View) -> list[discord.ui.Item[discord.ui.View]]:
    return list(view.children)


def test_few_candidates_become_buttons_and_an_answer_gets_a_share_button() -> None:
    refs = CommandRefs()
    reply = Reply(
        title="Which person?",
        tone=Tone.QUESTION,
        choices=(Choice("Donald Trump", "/who donald-trump"), Choice("Justin Trudeau", "/who justin-trudeau")),
    )
    view = reply_view(reply, refs)
    assert view is not None
    buttons = [c for c in _components(view) if isinstance(c, discord.ui.Button)]
    assert [b.label for b in buttons] == ["Donald Trump", "Justin Trudeau"]
    assert parse_custom_id(buttons[0].custom_id or "") == ("run", "/who donald-trump")

    shared = reply_view(Reply(title="Answer"), refs, share="/status tariffs")
    assert shared is not None
    (button,) = _components(shared)
    assert isinstance(button, discord.ui.Button) and button.label == SHARE_LABEL
    assert parse_custom_id(button.custom_id or "") == ("share", "/status tariffs")
    assert reply_view(Reply(title="Nothing to click"), refs) is None


def test_many_candidates_become_a_select_menu_and_long_commands_a_reference() -> None:
    refs = CommandRefs()
    long_command = "/search " + "very long words " * 10
    choices = tuple(Choice(f"Topic {i}", f"/status t{i}", description="d") for i in range(8))
    view = reply_view(Reply(title="Which?", choices=(*choices, Choice("Long", long_command))), refs)
    assert view is not None
    (menu,) = _components(view)
    assert isinstance(menu, discord.ui.Select)
    assert len(menu.options) == 9
    assert all(len(o.value) <= 100 for o in menu.options)
    assert refs.command(menu.options[-1].value) == long_command
    assert refs.command("#not-remembered") is None
    assert parse_custom_id("someone-else:button") is None


@pytest.mark.parametrize("command", ["/subscribe", "/unsubscribe", "/reload", "/watch tariffs", "/unwatch tariffs"])
def test_an_answer_that_changed_something_is_not_offered_publicly(command: str) -> None:
    specs = Router(ALL_COMMANDS).specs
    view = reply_view(Reply(title="Done", command=command), CommandRefs(), share=command, specs=specs)
    assert view is None
    shared = reply_view(Reply(title="Answer"), CommandRefs(), share="/status tariffs", specs=specs)
    assert shared is not None and [c.label for c in _components(shared)] == [SHARE_LABEL]  # type: ignore[attr-defined]
