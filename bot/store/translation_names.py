"""Which store files are translations: ``tariffs.fr.md`` beside ``tariffs.md``, ``deal.fr.yaml`` beside ``deal.yaml``.

Kept apart from :mod:`bot.store.translations` so the loader can skip translations without importing it.
"""

from __future__ import annotations

import re

# <stem>.<two-letter language>.<suffix>; store ids never hold a dot, so nothing else has this shape
_TRANSLATION = re.compile(r"^(?P<dir>(?:.*/)?)(?P<stem>[^/.]+)\.(?P<lang>[a-z]{2})\.(?P<suffix>md|yaml|yml)$")


def split_translation(relative: str) -> tuple[str, str] | None:
    """``deals/x/topics/tariffs.fr.md`` -> (``deals/x/topics/tariffs.md``, ``fr``); None if not a translation."""
    match = _TRANSLATION.match(relative)
    if match is None:
        return None
    return f"{match['dir']}{match['stem']}.{match['suffix']}", match["lang"]


def is_translation(relative: str) -> bool:
    return split_translation(relative) is not None
