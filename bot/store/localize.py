"""A store seen in one language: each translated document's prose over its original's facts.

:func:`localize` gives the same store (same ids, statuses, dates, links and index of names in every language) with
titles, summaries, positions and prose taken from the translations into ``language`` where there are some, and the
original's where not. Views are built once per store and language, and a reload builds a new store, so they never
outlive the files they came from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from pydantic import BaseModel

from bot.store.documents import Document
from bot.store.entries import DealEntry, PersonEntry, TopicEntry
from bot.store.model import Deal, Event, EventLog, Person, Topic, Track
from bot.store.store import Store
from bot.store.translation_model import DealTranslation, EventsTranslation, PersonTranslation, TopicTranslation
from bot.store.translations import Translation, Translations


def localize(store: Store, language: str) -> Store:
    """``store`` in ``language``; the store itself when nothing is translated into it."""
    if language == store.language or language not in store.translations.languages:
        return store
    cached = store.translations.localized.get(language)
    if cached is None:
        cached = store.translations.localized[language] = _localized(store, language)
    return cast(Store, cached)


def gloss(store: Store, person_id: str, index: int) -> str | None:
    """The translated meaning of a person's quote (the quote stays as said), in the store's language."""
    entry = store.people.get(person_id)
    translation = store.translations.of(entry.doc, store.language) if entry else None
    if translation is None:
        return None
    quotes = cast(PersonTranslation, translation.model).quotes
    return quotes[index].gloss if index < len(quotes) else None


def _localized(store: Store, language: str) -> Store:
    translations = store.translations
    documents = dict(store.documents)

    def doc_of(document: Document, model: BaseModel, translation: Translation | None) -> Document:
        body = translation.body if translation is not None and translation.body else document.body
        localized = replace(document, model=model, body=body)
        documents[document.path] = localized
        return localized

    people = {}
    for pid, entry in store.people.items():
        tr = translations.of(entry.doc, language)
        person = _person(entry.person, tr) if tr else entry.person
        people[pid] = PersonEntry(pid, doc_of(entry.doc, person, tr), person)
    deals = {}
    for did, deal in store.deals.items():
        topics = {}
        for tid, topic in deal.topics.items():
            tr = translations.of(topic.doc, language)
            model = _topic(topic.topic, tr) if tr else topic.topic
            topics[tid] = TopicEntry(did, tid, doc_of(topic.doc, model, tr), model)
        tr = translations.of(deal.doc, language)
        deal_model = _deal(deal.deal, tr) if tr else deal.deal
        events = deal.events
        events_doc = deal.events_doc
        if events_doc is not None and (etr := translations.of(events_doc, language)) is not None:
            texts = cast(EventsTranslation, etr.model).events
            events = tuple(_event(e, texts.get(e.id)) for e in deal.events)
            log = cast(EventLog, events_doc.model)
            events_doc = doc_of(events_doc, log.model_copy(update={"events": list(events)}), etr)
        deals[did] = DealEntry(did, doc_of(deal.doc, deal_model, tr), deal_model, topics, events, events_doc)
    fresh = Translations(translations.by_original)  # the view shares the translations, not the cache of views
    return replace(store, people=people, deals=deals, documents=documents, translations=fresh, language=language)


def _set(model: BaseModel, **values: Any) -> Any:
    """``model`` with the given values, those that are None (untranslated) left as they were."""
    return model.model_copy(update={k: v for k, v in values.items() if v is not None})


def _topic(topic: Topic, translation: Translation) -> Topic:
    tr = cast(TopicTranslation, translation.model)
    positions = {party: tr.positions.get(party, text) for party, text in topic.positions.items()}
    aliases = [*topic.aliases, topic.title] if tr.title else None
    return cast(
        Topic,
        _set(topic, title=tr.title, summary=tr.summary, outlook=tr.outlook, positions=positions, aliases=aliases),
    )


def _person(person: Person, translation: Translation) -> Person:
    tr = cast(PersonTranslation, translation.model)
    quotes = [_set(q, context=tr.quotes[i].context) if i < len(tr.quotes) else q for i, q in enumerate(person.quotes)]
    return cast(
        Person,
        _set(person, name=tr.name, role=tr.role, affiliation=tr.affiliation, stance=tr.stance, quotes=quotes),
    )


def _deal(deal: Deal, translation: Translation) -> Deal:
    tr = cast(DealTranslation, translation.model)
    parties = [_set(p, name=tr.parties.get(p.id)) for p in deal.parties]
    tracks = [_track(t, tr) for t in deal.tracks]
    aliases = [*deal.aliases, deal.title] if tr.title else None
    return cast(
        Deal,
        _set(deal, title=tr.title, summary=tr.summary, goal=tr.goal, parties=parties, tracks=tracks, aliases=aliases),
    )


def _track(track: Track, tr: DealTranslation) -> Track:
    text = tr.tracks.get(track.id)
    if text is None:
        return track
    milestones = [
        _set(m, title=t.title, note=t.note) if (t := text.milestones.get(m.id)) else m for m in track.milestones
    ]
    return cast(
        Track,
        _set(
            track, title=text.title, question=text.question, open_questions=text.open_questions, milestones=milestones
        ),
    )


def _event(event: Event, text: Any) -> Event:
    return cast(Event, _set(event, title=text.title, detail=text.detail)) if text is not None else event
