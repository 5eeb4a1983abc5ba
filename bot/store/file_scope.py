"""Who may see the details of a store file's problems (its path, and the values its messages quote).

A held-back file's problems quote its values, so a restricted file's problems are as restricted as its content.
Its scope is read from what is known of it: the last good version in service, and the broken text itself (a new
file has no last good version, and an edit may be the one that adds ``restricted_to``). Where neither can be read
with certainty (front matter that does not parse but mentions ``restricted_to``), nobody sees the details; they
are still counted, and ``briefbot check`` shows them to whoever has the files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.store.documents import Kind, place
from bot.store.rows import narrowest
from bot.store.store import Store
from bot.store.yamlsafe import ReadError, read_document
from bot.targets import Target

if TYPE_CHECKING:  # a type only: importing /health's handler must not load the live store's machinery
    from bot.store.live import LiveStore

NOBODY = frozenset({"(nobody)"})  # a scope no target matches
ANYONE: frozenset[str] = frozenset()
_KEY = b"restricted_to"


def may_see(scope: frozenset[str], viewer: str | None) -> bool:
    """An empty scope is open to everyone; otherwise only the listed targets (and no viewer is no target)."""
    return not scope or (viewer is not None and viewer in scope)


def file_scope(live: LiveStore, path: str) -> frozenset[str]:
    """The targets that alone may see ``path``'s details (empty: anyone)."""
    store = live.current
    placement = place(path)
    if placement is None or placement.kind is Kind.SOURCES:
        return ANYONE
    own = _declared(live, store, path)
    if placement.deal_id is None:
        return own
    deal_scope = _declared(live, store, f"deals/{placement.deal_id}/deal.yaml")
    if placement.kind is Kind.EVENTS:
        # An events log mixes events of every topic; a problem may quote one about a restricted topic.
        deal = store.deals.get(placement.deal_id)
        topics = [frozenset(t.topic.restricted_to) for t in deal.topics.values()] if deal else []
        own = _all_of(s for s in topics if s)
    return narrowest(deal_scope, own)


def _declared(live: LiveStore, store: Store, path: str) -> frozenset[str]:
    """``restricted_to`` of the version in service and of the text on disk, whichever is narrower."""
    doc = store.documents.get(path)
    served = frozenset(getattr(doc.model, "restricted_to", None) or ()) if doc is not None else ANYONE
    return narrowest(served, _on_disk(live, path))


def _all_of(scopes: Iterable[frozenset[str]]) -> frozenset[str]:
    """Targets allowed by every scope (a viewer who may see all of them)."""
    result = ANYONE
    for scope in scopes:
        result = narrowest(result, scope)
    return result


def _on_disk(live: LiveStore, path: str) -> frozenset[str]:
    data = _read_small_regular(live, path)
    if data is None or _KEY not in data:
        return ANYONE
    try:
        raw = read_document(data, markdown=path.endswith(".md"), max_bytes=live.max_bytes)
    except ReadError:
        return NOBODY  # it says restricted_to somewhere, and we cannot tell to whom
    value = raw.data.get("restricted_to")
    if not isinstance(value, list) or not value:
        return NOBODY if value is not None else ANYONE
    targets = set()
    for item in value:
        try:
            targets.add(str(Target.parse(str(item))))
        except ValueError:
            continue
    return frozenset(targets) or NOBODY


def _read_small_regular(live: LiveStore, path: str) -> bytes | None:
    """The file's bytes if it is a regular file inside the store within the size limit; never blocks on a pipe."""
    full = live.root / path
    try:
        real = os.path.realpath(full, strict=True)
        if not real.startswith(str(live.root) + os.sep):
            return None
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode) or info.st_size > live.max_bytes:
            return None
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as file:
            return file.read(live.max_bytes) if stat.S_ISREG(os.fstat(file.fileno()).st_mode) else None
    except OSError:
        return None


__all__ = ["ANYONE", "NOBODY", "file_scope", "may_see"]
