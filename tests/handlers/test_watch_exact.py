"""/watch and /unwatch change state, so a weak match (prefix, typo, fuzzy) never acts: it asks, with the
candidates as choices, and picking one (an exact id) acts. Through the real router and a real SQLite state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.context import Context, Ports
from bot.reply import Reply, Tone
from bot.router import Router
from bot.state import State, open_state
from bot.state import watches as watch_rows
from bot.store import Store
from bot.targets import Target
from handlers import ALL_COMMANDS
from tests.conftest import AS_OF

HERE = Target.parse("slack:T1:C1")


class Watcher:
    def __init__(self, router: Router, store: Store, state: State) -> None:
        self.router, self.store, self.state = router, store, state

    async def ask(self, text: str) -> Reply:
        @asynccontextmanager
        async def scope() -> AsyncIterator[State]:
            yield self.state

        ctx = Context(
            store=self.store,
            today=AS_OF,
            target=HERE,
            user="U1",
            specs=self.router.specs,
            ports=Ports(state=scope),
        )
        return await self.router.handle_text(text, ctx)

    async def watched(self) -> set[str]:
        return {row.topic for row in await watch_rows.all_watches(self.state)}


@pytest.fixture
async def bot(tmp_path: Path, store: Store) -> AsyncIterator[Watcher]:
    state = await open_state(f"sqlite+aiosqlite:///{tmp_path}/state.db")
    try:
        yield Watcher(Router(ALL_COMMANDS), store, state)
    finally:
        await state.close()


@pytest.mark.parametrize(
    ("text", "candidate"),
    [
        ("/watch spoiler", "/watch oil deal:canada-us"),  # a fuzzy match
        ("/watch tarrifs", "/watch tariffs deal:canada-us"),  # a typo
        ("/watch tariffs deal:canad", "/watch tariffs deal:canada-us"),  # a prefix of the deal
    ],
)
async def test_a_weak_match_asks_with_the_candidate_and_watches_nothing(
    bot: Watcher, text: str, candidate: str
) -> None:
    reply = await bot.ask(text)
    assert reply.tone is Tone.QUESTION
    assert candidate in [c.command for c in reply.choices]
    assert await bot.watched() == set()

    picked = await bot.ask(candidate)  # the explicit choice acts
    assert picked.tone is Tone.ANSWER and picked.title.startswith("Watching")
    assert len(await bot.watched()) == 1


async def test_an_unclosed_quote_asks_for_the_deal_then_the_topic(bot: Watcher) -> None:
    # deal:"canada us reads as deal '"canada' (a prefix of the deal) and topic 'us' (a prefix of "usmca")
    deal = await bot.ask('/watch deal:"canada us')
    assert deal.tone is Tone.QUESTION
    assert [c.command for c in deal.choices] == ["/watch us deal:canada-us"]
    topic = await bot.ask(deal.choices[0].command)
    assert topic.tone is Tone.QUESTION
    assert [c.command for c in topic.choices] == ["/watch cusma-review deal:canada-us"]
    assert await bot.watched() == set()
    assert (await bot.ask(topic.choices[0].command)).title == "Watching CUSMA joint review"
    assert await bot.watched() == {"cusma-review"}


@pytest.mark.parametrize("text", ["/watch tariffs", "/watch steel", "/watch Tariffs", "/watch cusma review"])
async def test_an_exact_id_or_alias_watches_at_once(bot: Watcher, text: str) -> None:
    reply = await bot.ask(text)
    assert reply.tone is Tone.ANSWER and reply.title.startswith("Watching")
    assert len(await bot.watched()) == 1


async def test_unwatch_of_a_weak_match_asks_and_keeps_the_watch(bot: Watcher) -> None:
    await bot.ask("/watch oil")
    reply = await bot.ask("/unwatch spoiler")
    assert reply.tone is Tone.QUESTION
    assert "/unwatch oil deal:canada-us" in [c.command for c in reply.choices]
    assert await bot.watched() == {"oil"}
    assert (await bot.ask("/unwatch crude")).title == "Stopped watching Oil supply"
    assert await bot.watched() == set()


async def test_read_only_commands_stay_forgiving(bot: Watcher) -> None:
    reply = await bot.ask("/status tarrifs")
    assert reply.tone is Tone.ANSWER and "tariffs" in reply.title.lower()


def test_only_the_state_changing_commands_declare_effects() -> None:
    effects = {c.spec.name for c in ALL_COMMANDS if c.spec.effects}
    assert effects == {"subscribe", "unsubscribe", "reload", "watch", "unwatch", "verify"}
