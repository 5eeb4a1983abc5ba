"""A document restricted to listed channels appears nowhere else: answers, search, autocomplete, timelines,
briefings and did-you-mean suggestions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.render_text import render_text
from bot.reply import Tone
from bot.router import Router
from bot.store import Store, load_store
from bot.store.index import EntityKind
from bot.targets import Target
from tests.conftest import SECOND_STORE, make_ask

PRIVATE = Target.parse("slack:T0SECOND:C0PRIVATE")
PUBLIC = Target.parse("slack:T0SECOND:C0PUBLIC")
SECRET_EVENT = "Levy memo leaked to insiders"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    root = tmp_path / "store"
    shutil.copytree(SECOND_STORE, root)
    events = root / "deals/northwind-timber/events.yaml"
    events.write_text(
        events.read_text()
        + f"  - id: levy-memo\n    date: 2030-02-10\n    title: {SECRET_EVENT}\n    topics: [export-levy]\n"
        "    source: timber-weekly\n"
    )
    loaded = load_store(root)
    assert not loaded.problems, loaded.problems
    return loaded


@pytest.mark.parametrize(
    "command",
    [
        "/status export-levy deal:northwind-timber",
        "/status levy deal:northwind-timber",
        "/search levy",
        "/search confidential",
        "/timeline deal:northwind-timber date:2030-03-01",
        "/brief deal:northwind-timber date:2030-02-11 since:2030-01-01",
        "/status levvy deal:northwind-timber",  # did-you-mean must not suggest it
        "/status zzz deal:northwind-timber",  # nor list it among known topics
    ],
)
async def test_restricted_topic_is_invisible_elsewhere_and_visible_in_its_channel(
    store: Store, router: Router, command: str
) -> None:
    ask = make_ask(router, store)
    public = render_text(await ask(command, target=PUBLIC, today=dt.date(2030, 3, 1)))
    assert "Export levy" not in public
    assert SECRET_EVENT not in public
    assert "confidential Northwind proposal" not in public  # its summary


async def test_the_restricted_channel_sees_it(store: Store, router: Router) -> None:
    ask = make_ask(router, store)
    reply = await ask("/status levy deal:northwind-timber", target=PRIVATE, today=dt.date(2030, 3, 1))
    assert reply.tone == Tone.ANSWER
    assert reply.title == "Export levy"
    timeline = render_text(await ask("/timeline deal:northwind-timber", target=PRIVATE, today=dt.date(2030, 3, 1)))
    assert SECRET_EVENT in timeline


def test_autocomplete_leaves_it_out(store: Store) -> None:
    index = store.index
    public = index.suggest(EntityKind.TOPIC, "lev", deal_id="northwind-timber", viewer=str(PUBLIC))
    private = index.suggest(EntityKind.TOPIC, "lev", deal_id="northwind-timber", viewer=str(PRIVATE))
    assert "export-levy" not in [e.id for e in public]
    assert "export-levy" in [e.id for e in private]


def test_a_restricted_event_is_not_announced_elsewhere_as_an_edit_of_the_event_log(store: Store) -> None:
    from bot.briefing.snapshot import channel_briefing, take_snapshot

    before = load_store(SECOND_STORE)  # the same store without the restricted event
    deal_id = "northwind-timber"

    def digest(viewer: Target) -> str:
        previous = take_snapshot(before, before.deals[deal_id], str(viewer))
        reply, _ = channel_briefing(
            store, store.deals[deal_id], dt.date(2030, 2, 11), viewer=str(viewer), previous=previous
        )
        return render_text(reply)

    public = digest(PUBLIC)
    assert SECRET_EVENT not in public and "Event log" not in public and "events.yaml" not in public
    assert SECRET_EVENT in digest(PRIVATE)


def test_a_restricted_deal_is_never_composed_for_a_target_off_its_list(tmp_path: Path) -> None:
    from bot.briefing import compose_briefing

    root = tmp_path / "store"
    shutil.copytree(SECOND_STORE, root)
    deal_file = root / "deals/northwind-timber/deal.yaml"
    deal_file.write_text(deal_file.read_text() + f'restricted_to: ["{PRIVATE}"]\n')
    restricted = load_store(root)
    deal = restricted.deals["northwind-timber"]
    with pytest.raises(LookupError):
        compose_briefing(restricted, deal, dt.date(2030, 3, 1), viewer=str(PUBLIC))
    assert (
        "Northwind–Southland timber"
        in compose_briefing(restricted, deal, dt.date(2030, 3, 1), viewer=str(PRIVATE)).title
    )
