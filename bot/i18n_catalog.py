"""Keep the catalogs complete: what the code says (found by Babel's extractor) and what ``/help`` shows.

``python -m bot.i18n_catalog`` adds every missing message to each language's ``.po`` file with an empty translation
and lists them; fill them in, then ``tests/test_i18n_catalog.py`` passes again. Messages the code no longer uses
are listed too, to delete by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT, DOMAIN, LOCALE_DIR, LOCALES

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bot", "handlers")


def used_by_the_code() -> set[str]:
    """Message ids in the code, plus the command and option descriptions /help translates at run time."""
    return {i for pair in _plurals().items() for i in pair} | _singulars()


def _extracted() -> list[str | tuple[str, ...]]:
    found: list[str | tuple[str, ...]] = []
    for folder in CODE:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")]
        ):
            found.append(message if isinstance(message, str) else tuple(m for m in message if m))
    return found


def _plurals() -> dict[str, str]:
    """ngettext's messages: singular id -> plural id (a catalog holds them as one entry with a form per count)."""
    return {m[0]: m[1] for m in _extracted() if isinstance(m, tuple) and len(m) == 2}


def _singulars() -> set[str]:
    from handlers import ALL_COMMANDS  # the declarations are data: their text is not in a gettext call

    found: set[str] = set()
    for message in _extracted():
        if isinstance(message, str):
            found.add(message)
        elif len(message) != 2:
            found.update(message)
    for command in ALL_COMMANDS:
        found.add(command.spec.description)
        found.update(p.description for p in command.spec.params)
    return found


def po_path(language: str) -> Path:
    return LOCALE_DIR / LOCALES[language] / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=LOCALES[language], domain=DOMAIN)


def _ids(message_id: object) -> list[str]:
    """A message's ids: one, or a plural's singular and plural."""
    return [str(i) for i in message_id] if isinstance(message_id, (tuple, list)) else [str(message_id)]


def translated(language: str) -> dict[str, str]:
    """Message id -> its translation ("" while untranslated; a plural counts once every form is filled in)."""
    out: dict[str, str] = {}
    for message in read_catalog(language):
        if not message.id or message.fuzzy:
            continue
        forms = _ids(message.string)
        for message_id in _ids(message.id):
            out[message_id] = forms[-1] if all(forms) else ""
    return out


def main() -> int:
    used = used_by_the_code()
    plurals = _plurals()
    plural_ids = set(plurals.values())
    for language in LOCALES:
        if language == DEFAULT:
            continue
        catalog = read_catalog(language)
        have = {i for m in catalog if m.id for i in _ids(m.id)}
        missing = sorted(used - have)
        for message in missing:
            if message in plurals:  # one entry, a form per plural of the language
                catalog.add((message, plurals[message]), ("",) * catalog.num_plurals)
            elif message not in plural_ids:
                catalog.add(message, "")
        catalog.msgid_bugs_address = catalog.last_translator = "Briefbot <briefbot@example.org>"
        with po_path(language).open("wb") as file:
            write_po(file, catalog, width=120, no_location=True, omit_header=False)
        for message in missing:
            print(f"{language}: added, to translate: {message}")
        for message in sorted(have - used):
            print(f"{language}: no longer used: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
