"""Documents that set the same fields share one record of which fields they set (memory at 100,000 documents);
what each document set, and what a copy with changes set, stays its own."""

from __future__ import annotations

from bot.store.load import parse_document
from bot.store.model import Topic

TOPIC = (
    "---\ntitle: {title}\naliases: []\ntrack: quotas\nstatus: in_talks\nsummary: How much cod.\n"
    "positions:\n  nl: More fish.\npeople: []\nsources: [wire]\nupdated: 2025-05-01\n{extra}---\nBody.\n"
)


def _topic(title: str, extra: str = "") -> Topic:
    doc = parse_document(f"deals/d1/topics/{title.lower()}.md", TOPIC.format(title=title, extra=extra).encode())
    assert not isinstance(doc, list), doc
    assert isinstance(doc.model, Topic)
    return doc.model


def test_each_document_keeps_the_fields_it_set() -> None:
    plain, other, with_outlook = _topic("Cod"), _topic("Hake"), _topic("Plaice", "outlook: Grim.\n")
    assert "outlook" not in plain.model_dump(exclude_unset=True)
    assert with_outlook.model_dump(exclude_unset=True)["outlook"] == "Grim."
    assert plain.model_fields_set == other.model_fields_set
    assert "outlook" in with_outlook.model_fields_set


def test_a_changed_copy_does_not_change_what_the_others_set() -> None:
    plain, other = _topic("Cod"), _topic("Hake")
    before = set(other.model_fields_set)
    changed = plain.model_copy(update={"owner": "p1"})
    assert "owner" in changed.model_fields_set
    assert other.model_fields_set == before
    assert plain.model_fields_set == before
