"""Which language an answer speaks: ``lang:`` on the command, else the reader's or channel's (``Context.language``)."""

from __future__ import annotations

from bot.commands import Command, Param, ParamKind
from bot.context import Context
from bot.i18n import LANGUAGES, answer_language
from bot.store import Store

LANG_PARAM = Param("lang", ParamKind.CHOICE, "Answer in this language: en (English) or fr (French)", choices=LANGUAGES)


def language_of(command: Command, ctx: Context) -> str:
    return answer_language(command.option("lang"), ctx.language)


def shown_path(store: Store, path: str) -> str:
    """The file the prose came from: the translation when the answer is in its language."""
    document = store.documents.get(path)
    translation = store.translations.of(document, store.language) if document is not None else None
    return translation.path if translation is not None else path
