"""Write a synthetic store of a given size, shaped like a real one (deals, topics, people, events)."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "tariff",
    "quota",
    "steel",
    "dairy",
    "lumber",
    "autos",
    "minerals",
    "uranium",
    "energy",
    "oil",
    "gas",
    "pipeline",
    "defence",
    "arctic",
    "banking",
    "digital",
    "services",
    "tax",
    "review",
    "consultation",
    "congress",
    "parliament",
    "minister",
    "envoy",
    "summit",
    "deadline",
    "package",
    "supply",
    "chain",
    "exemption",
    "retaliation",
    "duty",
    "safeguard",
    "procurement",
    "fisheries",
    "wheat",
    "canola",
    "beef",
    "pork",
    "aluminum",
    "copper",
    "nickel",
]


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_synthetic_store(root: Path, documents: int = 10_000, seed: int = 7) -> dict[str, int]:
    """About 4% people, 1 deal per 400 documents, the rest topics; one events file per deal."""
    rng = random.Random(seed)
    people = max(10, documents // 25)
    deals = max(1, documents // 400)
    topics_per_deal = max(1, (documents - people - 2 * deals - 1) // deals)
    (root / "people").mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(
        "sources:\n  - id: wire\n    outlet: Example Wire\n    title: Daily report\n    date: 2025-05-01\n"
    )
    person_ids = [f"person-{i}" for i in range(people)]
    for i, pid in enumerate(person_ids):
        (root / "people" / f"{pid}.md").write_text(
            f"---\nname: Person {i} Example\naliases: [p{i}x]\nrole: Negotiator {i}\naffiliation: Ministry {i % 40}\n"
            f"stance: {_sentence(rng)}\nquotes:\n  - text: {_sentence(rng, 8)}\n    date: 2025-04-01\n"
            f"    source: wire\nupdated: 2025-05-01\nsources: [wire]\n---\n{_sentence(rng, 40)}\n"
        )
    for d in range(deals):
        deal_dir = root / "deals" / f"deal-{d}"
        (deal_dir / "topics").mkdir(parents=True, exist_ok=True)
        milestones = "".join(
            f"      - id: m{m}\n        title: Milestone {m}\n        status: {rng.choice(['done', 'not_started'])}\n"
            for m in range(5)
        )
        tracks = "".join(f"  - id: t{t}\n    title: Track {t}\n    milestones:\n{milestones}" for t in range(3))
        (deal_dir / "deal.yaml").write_text(
            f"title: Deal number {d}\nparties:\n  - id: a\n    name: Aland\n  - id: b\n    name: Bland\n"
            f"summary: {_sentence(rng)}\ntracks:\n{tracks}updated: 2025-05-01\nsources: [wire]\n"
        )
        events = "".join(
            f"  - id: e{e}\n    date: 2025-0{1 + e % 9}-1{e % 9}\n    title: {_sentence(rng, 6)}\n"
            f"    topics: [topic-{d}-{e % topics_per_deal}]\n    source: wire\n"
            for e in range(40)
        )
        (deal_dir / "events.yaml").write_text(f"updated: 2025-05-01\nevents:\n{events}")
        for t in range(topics_per_deal):
            people_refs = ", ".join(rng.sample(person_ids, 2))
            (deal_dir / "topics" / f"topic-{d}-{t}.md").write_text(
                f"---\ntitle: Topic {d} {t} {rng.choice(WORDS)}\naliases: [t{d}x{t}]\ntrack: t{t % 3}\n"
                f"status: {rng.choice(['open', 'in_talks', 'stalled'])}\nsummary: {_sentence(rng)}\n"
                f"positions:\n  a: {_sentence(rng)}\n  b: {_sentence(rng)}\noutlook: {_sentence(rng)}\n"
                f"people: [{people_refs}]\nupdated: 2025-05-01\nsources: [wire]\n---\n"
                f"{_sentence(rng, 60)}\n\n{_sentence(rng, 40)}\n"
            )
    return {"people": people, "deals": deals, "topics": deals * topics_per_deal}
