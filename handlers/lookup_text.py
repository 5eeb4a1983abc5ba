"""What a lookup that settles on nothing says, per kind of name, in the reader's language.

Whole sentences per kind rather than a word slotted into one sentence: French nouns carry a gender and their own
plural (« Aucun dossier », « Aucune personne »), which a slotted word cannot follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import gettext_for, ngettext_for
from bot.store.index import EntityKind


@dataclass(frozen=True, slots=True)
class LookupText:
    empty: str  # {command}
    which: str  # {query}
    several: str  # {query}
    none: str  # {query}
    known: str  # {names}{more}
    more: str  # {count}: the form for the count at hand (French says « et 1 autre », « et 2 autres »)
    none_yet: str
    kinds: dict[EntityKind, str]  # a choice's description


def lookup_text(what: str, language: str, *, unlisted: int = 0) -> LookupText:
    """The sentences for a lookup of ``what``; ``unlisted`` is how many known names the listing leaves out."""
    _ = gettext_for(language)
    kinds = {EntityKind.TOPIC: _("topic"), EntityKind.PERSON: _("person"), EntityKind.DEAL: _("deal")}
    ngettext = ngettext_for(language)
    more = ngettext(" and {count} more", " and {count} more", unlisted).format(count=unlisted)
    none_yet = _("none yet")
    if what == "topic":
        return LookupText(
            _("Name a topic by its name or an alias; `/help {command}` shows examples."),
            _("Which topic did you mean by \u201c{query}\u201d?"),
            _("Several topics match **{query}**. Pick one:"),
            _("No topic matches \u201c{query}\u201d"),
            _("Known topics: {names}{more}."),
            more,
            none_yet,
            kinds,
        )
    if what == "person":
        return LookupText(
            _("Name a person by their name or an alias; `/help {command}` shows examples."),
            _("Which person did you mean by \u201c{query}\u201d?"),
            _("Several people match **{query}**. Pick one:"),
            _("No person matches \u201c{query}\u201d"),
            _("Known people: {names}{more}."),
            more,
            none_yet,
            kinds,
        )
    return LookupText(
        _("Name a deal by its name or an alias; `/help {command}` shows examples."),
        _("Which deal did you mean by \u201c{query}\u201d?"),
        _("Several deals match **{query}**. Pick one:"),
        _("No deal matches \u201c{query}\u201d"),
        _("Known deals: {names}{more}."),
        more,
        none_yet,
        kinds,
    )
