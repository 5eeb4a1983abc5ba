"""New store documents from the schema: ``briefbot new topic|person|deal|event``.

Each builder takes the fields a maintainer gave, fills ``updated:`` with the day, validates the result against
the kind's model (so a bad value is refused with the same words ``briefbot check`` uses) and returns the file's
path and text. Clashing ids are refused before anything is written; the caller then runs the store's own checks
on the written file (references to tracks, sources and people) and takes it back out if they fail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.store.dates import ApproxDate, Precision
from bot.store.documents import Document
from bot.store.load import describe
from bot.store.model import Deal, Event, Person, Topic
from bot.store.read import twin
from bot.store.text import compact

if TYPE_CHECKING:
    from bot.store.store import Store

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ScaffoldError(ValueError):
    """A value or an id the new document cannot have; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Scaffold:
    path: str  # store-relative
    text: str
    append: bool = False  # an event: ``text`` is the whole new events.yaml


def slug(text: str) -> str:
    """``Fish quotas`` -> ``fish-quotas``: an id from a title, when none is given."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.casefold())).strip("-")[:80]


def _dump(data: dict[str, Any]) -> str:
    clean = {k: v for k, v in data.items() if v not in (None, [], {}, "")}
    return yaml.safe_dump(clean, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4000)


def _validate(model: type[BaseModel], data: dict[str, Any]) -> None:
    try:
        model.model_validate({k: v for k, v in data.items() if v not in (None, [], {}, "")})
    except ValidationError as exc:
        raise ScaffoldError("; ".join(describe(e, model) for e in exc.errors(include_url=False))) from None


def _need_id(value: str, what: str) -> None:
    if not ID.match(value):
        raise ScaffoldError(f"'{value}' is not a {what} id: use lower-case letters, digits and hyphens")


def _clash(root: Path, relative: str, what: str) -> None:
    for candidate in (relative, twin(relative)):
        if candidate and (root / candidate).exists():
            raise ScaffoldError(f"{what} already exists: {candidate}")


def names_of(store: Store, kind: str, deal_id: str | None = None) -> dict[str, str]:
    """Every name a user may type for ``kind`` (id, title or name, aliases; topics within ``deal_id``), compacted,
    mapped to the file that claims it: a new document may not answer to any of them."""
    names: dict[str, str] = {}

    def claim(doc: Document, *texts: str) -> None:
        for text in texts:
            names.setdefault(compact(text), doc.path)

    if kind == "person":
        for pid, entry in store.people.items():
            claim(entry.doc, pid, entry.person.name, *entry.person.aliases)
    elif kind == "deal":
        for did, d in store.deals.items():
            claim(d.doc, did, d.deal.title, *d.deal.aliases)
    elif kind == "topic" and deal_id in store.deals:
        for tid, t in store.deals[deal_id].topics.items():
            claim(t.doc, tid, t.topic.title, *t.topic.aliases)
    return names


def _names_clash(names: dict[str, str], candidates: list[str], what: str) -> None:
    """``names``: every name a user may type (id, title, alias, compacted) -> the document that claims it."""
    for candidate in candidates:
        owner = names.get(compact(candidate))
        if owner is not None:
            raise ScaffoldError(f"{what} '{candidate}' clashes with {owner}, which already answers to it")


def _front_matter(data: dict[str, Any], body: str) -> str:
    return f"---\n{_dump(data)}---\n{body.strip()}\n"


def topic(
    root: Path,
    names: dict[str, str],
    *,
    deal: str,
    topic_id: str,
    title: str,
    track: str,
    summary: str,
    sources: list[str],
    status: str = "open",
    owner: str | None = None,
    review_every: str | None = None,
    people: list[str] | None = None,
    today: dt.date,
) -> Scaffold:
    _need_id(deal, "deal")
    _need_id(topic_id, "topic")
    if not (root / "deals" / deal).is_dir():
        raise ScaffoldError(f"no deal '{deal}': there is no deals/{deal}/ folder (briefbot new deal makes one)")
    relative = f"deals/{deal}/topics/{topic_id}.md"
    _clash(root, relative, "topic")
    _names_clash(names, [topic_id, title], "topic")
    data: dict[str, Any] = {
        "title": title,
        "track": track,
        "status": status,
        "summary": summary,
        "people": people or [],
        "updated": today,
        "owner": owner,
        "review_every": review_every,
        "sources": sources,
    }
    _validate(Topic, data)
    body = f"{summary}\n\nBackground: what happened, what each side wants, and why it matters."
    return Scaffold(relative, _front_matter(data, body))


def person(
    root: Path,
    names: dict[str, str],
    *,
    person_id: str,
    name: str,
    role: str,
    affiliation: str,
    party: str | None = None,
    deals: list[str] | None = None,
    contact: str | None = None,
    owner: str | None = None,
    review_every: str | None = None,
    sources: list[str] | None = None,
    today: dt.date,
) -> Scaffold:
    _need_id(person_id, "person")
    relative = f"people/{person_id}.md"
    _clash(root, relative, "person")
    _names_clash(names, [person_id, name], "person")
    data: dict[str, Any] = {
        "name": name,
        "role": role,
        "affiliation": affiliation,
        "party": party,
        "deals": deals or [],
        "contact": contact,
        "updated": today,
        "owner": owner,
        "review_every": review_every,
        "sources": sources or [],
    }
    _validate(Person, data)
    return Scaffold(relative, _front_matter(data, f"{name}: who they are and what they want from the talks."))


def _pairs(values: list[str], what: str) -> list[dict[str, str]]:
    """``ca=Canada`` -> ``{id: ca, name: Canada}``."""
    out = []
    for value in values:
        key, sep, label = value.partition("=")
        if not sep or not key.strip() or not label.strip():
            raise ScaffoldError(f"{what} '{value}': write it as id=Name, such as ca=Canada")
        out.append({"id": key.strip(), "label": label.strip()})
    return out


def deal(
    root: Path,
    names: dict[str, str],
    *,
    deal_id: str,
    title: str,
    summary: str,
    parties: list[str],
    tracks: list[str],
    owner: str | None = None,
    review_every: str | None = None,
    today: dt.date,
) -> Scaffold:
    _need_id(deal_id, "deal")
    relative = f"deals/{deal_id}/deal.yaml"
    _clash(root, relative, "deal")
    _names_clash(names, [deal_id, title], "deal")
    data: dict[str, Any] = {
        "title": title,
        "parties": [{"id": p["id"], "name": p["label"]} for p in _pairs(parties, "party")],
        "summary": summary,
        "tracks": [{"id": t["id"], "title": t["label"]} for t in _pairs(tracks, "track")],
        "updated": today,
        "owner": owner,
        "review_every": review_every,
    }
    _validate(Deal, data)
    return Scaffold(relative, _dump(data))


def event(
    root: Path,
    *,
    deal: str,
    event_id: str,
    date: str,
    title: str,
    source: str,
    topics: list[str] | None = None,
    people: list[str] | None = None,
    today: dt.date,
) -> Scaffold:
    """An event added at the end of ``deals/<deal>/events.yaml`` (made if missing), keeping the file's text."""
    _need_id(deal, "deal")
    _need_id(event_id, "event")
    if not (root / "deals" / deal).is_dir():
        raise ScaffoldError(f"no deal '{deal}': there is no deals/{deal}/ folder (briefbot new deal makes one)")
    relative = f"deals/{deal}/events.yaml"
    item: dict[str, Any] = {
        "id": event_id,
        "date": _date(date),
        "title": title,
        "topics": topics or [],
        "people": people or [],
        "source": source,
    }
    _validate(Event, item)
    path = root / relative
    if not path.exists():
        return Scaffold(relative, _dump({"updated": today}) + "events:\n" + _item(item, "  "))
    text = path.read_text(encoding="utf-8")
    loaded = yaml.safe_load(text) or {}
    if any(e.get("id") == event_id for e in loaded.get("events") or [] if isinstance(e, dict)):
        raise ScaffoldError(f"event '{event_id}' already exists in {relative}")
    if list(loaded)[-1:] != ["events"]:
        raise ScaffoldError(f"{relative}: 'events:' is not the file's last key, so the event cannot be added safely")
    found = re.search(r"^events:[ \t]*(\[\])?[ \t]*$", text, re.MULTILINE)
    if found is None:
        raise ScaffoldError(f"{relative}: write 'events:' as a block list (one '- id:' per event) to add to it")
    indent = re.search(r"^([ \t]*)- ", text[found.end() :], re.MULTILINE)
    if found.group(1):  # events: []
        text = text[: found.start()] + "events:" + text[found.end() :]
    text = re.sub(r"^updated:.*$", f"updated: {today.isoformat()}", text, count=1, flags=re.MULTILINE)
    return Scaffold(relative, text.rstrip("\n") + "\n" + _item(item, indent.group(1) if indent else "  "), True)


def _date(text: str) -> dt.date | str:
    """A plain day is written as a YAML date (unquoted); ``~2025-05-01``, ``2025-05`` as written."""
    try:
        parsed = ApproxDate.parse(text)
    except ValueError as exc:
        raise ScaffoldError(f"'date': {exc}") from None
    return parsed.start if parsed.precision is Precision.DAY else text


def _item(item: dict[str, Any], indent: str) -> str:
    lines = _dump(item).splitlines()
    first, rest = lines[0], lines[1:]
    return "".join([f"{indent}- {first}\n", *(f"{indent}  {line}\n" for line in rest)])
