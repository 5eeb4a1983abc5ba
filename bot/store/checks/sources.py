"""sources.yaml: every source id once, across the registry."""

from __future__ import annotations

from typing import cast

from bot.store.checks.base import Report
from bot.store.documents import Document
from bot.store.model import SourceRegistry


def check_sources(doc: Document, report: Report, seen: dict[str, Document]) -> None:
    for i, source in enumerate(cast(SourceRegistry, doc.model).sources):
        if source.id in seen:
            report.add(doc, ("sources", i, "id"), f"source id '{source.id}' appears twice")
        seen.setdefault(source.id, doc)
