"""Edits a maintainer might make to the bundled store between two briefings (used by the digest tests)."""

from __future__ import annotations

from pathlib import Path

NEW_EVENT = """  - id: cabinet-sworn-in
    date: 2025-05-13
    title: Carney's new cabinet is sworn in
    topics: [negotiating-process]
    source: cbc-three-steps
"""

NEW_QUOTE = """  - text: The first meeting will tell us a lot.
    date: 2025-05-05
    source: cbc-three-steps
    context: Ahead of the White House visit.
    deal: canada-us
"""

NEW_PERSON = """---
name: Dominic LeBlanc
aliases: [leblanc]
role: Minister responsible for Canada–U.S. trade
affiliation: Government of Canada
party: ca
deals: [canada-us]
updated: 2025-05-05
sources: [cbc-three-steps]
---
Named to carry the U.S. file in the new cabinet.
"""


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_store(root: Path) -> None:
    """A status change, a milestone done, a new event, a new quote, a prose-only edit and a new person."""
    deal = root / "deals" / "canada-us"
    replace_in(deal / "topics" / "tariffs.md", "status: open", "status: in_talks")
    replace_in(
        deal / "deal.yaml",
        "title: Cabinet roles for the U.S. file assigned\n        status: in_progress",
        "title: Cabinet roles for the U.S. file assigned\n        status: done",
    )
    events = deal / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8") + NEW_EVENT, encoding="utf-8")
    replace_in(root / "people" / "brian-clow.md", "quotes:\n", "quotes:\n" + NEW_QUOTE)
    replace_in(deal / "topics" / "dairy.md", 'updated: "~2025-05-01"', "updated: 2025-05-05")
    dairy = deal / "topics" / "dairy.md"
    dairy.write_text(dairy.read_text(encoding="utf-8") + "\nOttawa says supply management is not negotiable.\n")
    (root / "people" / "dominic-leblanc.md").write_text(NEW_PERSON, encoding="utf-8")
