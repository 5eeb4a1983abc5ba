"""The links a build makes read as the entries they stand for: a person's deals are the deals they name and the
deals of the topics they touch, whichever topic or deal files are missing, broken or duplicated."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store.live import LiveStore
from bot.store.store import Store
from tests.store.test_incremental import PEOPLE, SOURCES, _write, edit


def _deals_from_entries(store: Store, person_id: str) -> list[str]:
    """What ``deals_of_person`` answered when it read every topic entry (before it read the link table)."""
    entry = store.people.get(person_id)
    if entry is None:
        return []
    named = list(entry.person.deals)
    named += [t.deal_id for t in store.topics_of_person(person_id)]
    return list(dict.fromkeys(d for d in named if d in store.deals))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(edit(), min_size=3, max_size=14))
def test_a_persons_deals_are_those_they_name_and_those_of_their_topics(files: list[tuple[str, str | None]]) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        _write(root, "sources.yaml", SOURCES[0])
        for path, text in files:
            _write(root, path, text)
        store = LiveStore(root, warm=False).current
        for person_id in [*PEOPLE, "p9"]:
            assert store.deals_of_person(person_id) == _deals_from_entries(store, person_id)
        people_of_deal = {d: [p.id for p in store.people_of_deal(d)] for d in store.deals}
        assert people_of_deal == {
            d: [p for p in store.people if d in _deals_from_entries(store, p)] for d in store.deals
        }
    finally:
        shutil.rmtree(root)
