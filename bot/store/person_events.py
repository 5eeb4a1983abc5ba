"""Which deals' events name each person, so ``/who`` reads those deals' events instead of every deal's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from bot.store.entries import DealEntry

PersonEventDeals = dict[str, tuple[str, ...]]  # person id -> the deals whose events name them, in store order


def person_event_deals(deals: Mapping[str, DealEntry]) -> PersonEventDeals:
    found: dict[str, list[str]] = defaultdict(list)
    for deal in deals.values():
        for person_id in _named(deal):
            found[person_id].append(deal.id)
    return {person_id: tuple(ids) for person_id, ids in found.items()}


def moved_on(before: PersonEventDeals, old: Mapping[str, DealEntry], new: Mapping[str, DealEntry]) -> PersonEventDeals:
    """``before`` (the table of the store with ``old`` deals) for the store with ``new`` ones: only the deals whose
    entry changed (a reload shares every other entry with the old store) are read again."""
    if list(old) != list(new):
        return person_event_deals(new)  # a deal came, went or moved: the order of every row may change
    found = dict(before)
    position = {deal_id: at for at, deal_id in enumerate(new)}
    for deal_id, entry in new.items():
        if old[deal_id] is entry:
            continue
        was, now = _named(old[deal_id]), _named(entry)
        for person_id in was.keys() - now.keys():
            left = tuple(d for d in found[person_id] if d != deal_id)
            if left:
                found[person_id] = left
            else:
                del found[person_id]
        for person_id in now.keys() - was.keys():
            found[person_id] = tuple(sorted((*found.get(person_id, ()), deal_id), key=position.__getitem__))
    return found


def _named(deal: DealEntry) -> dict[str, None]:
    return dict.fromkeys(person_id for event in deal.events for person_id in event.people)
