"""A minimal valid store written file by file, so each validation test breaks exactly one thing."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "sources.yaml": """\
sources:
  - id: wire
    outlet: Example Wire
    title: Talks resume
    date: 2025-05-01
""",
    "people/ada-lind.md": """\
---
name: Ada Lind
aliases: [lind]
role: Trade minister
affiliation: Government of Northland
party: nl
deals: [north-south]
topics: [north-south/fish]
updated: 2025-05-01
sources: [wire]
---
Ada Lind leads the talks.
""",
    "deals/north-south/deal.yaml": """\
title: North-South accord
parties:
  - id: nl
    name: Northland
  - id: sl
    name: Southland
summary: Two neighbours negotiate fishing rights.
tracks:
  - id: quotas
    title: Quotas
    milestones:
      - id: first-offer
        title: First offer tabled
        status: done
        source: wire
updated: 2025-05-01
sources: [wire]
""",
    "deals/north-south/topics/fish.md": """\
---
title: Fish quotas
aliases: [cod]
track: quotas
status: in_talks
summary: How much each side may catch.
positions:
  nl: Wants a larger share.
people: [ada-lind]
updated: 2025-05-01
sources: [wire]
---
Body text.
""",
    "deals/north-south/events.yaml": """\
updated: 2025-05-01
events:
  - id: offer
    date: 2025-04-30
    title: Northland tables its first offer
    topics: [fish]
    milestones: [quotas/first-offer]
    people: [ada-lind]
    source: wire
""",
}


def write_store(root: Path, overrides: dict[str, str | None] | None = None) -> Path:
    """Write the minimal store; ``overrides`` maps a store path to new text, or to None to leave it out."""
    files = dict(FILES)
    for path, text in (overrides or {}).items():
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root
