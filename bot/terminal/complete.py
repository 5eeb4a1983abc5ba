"""Tab completion for the console prompt: command names, option names (``deal:``, ``date:``) and store names.

Store names come from the store's lookup index through :meth:`~bot.store.index.Index.suggest`, the same call
Discord's autocomplete makes, so both offer the same topics, people and deals (restricted ones only where visible).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from bot.commands import CommandSpec, ParamKind, command_name
from bot.store.index import Entity, EntityKind, Index
from bot.store.text import fold

# Which index entities a parameter of each kind names.
KINDS: dict[ParamKind, tuple[EntityKind, ...]] = {
    ParamKind.TOPIC: (EntityKind.TOPIC,),
    ParamKind.PERSON: (EntityKind.PERSON,),
    ParamKind.DEAL: (EntityKind.DEAL,),
    ParamKind.TOPIC_OR_DEAL: (EntityKind.DEAL, EntityKind.TOPIC),
}
_TYPED_OPTION = re.compile(r'(?<!\S)([a-z][a-z_-]*):(?:"[^"]*"|\S+)')
LIMIT = 25


class CommandCompleter(Completer):
    """Completes one command line; ``index`` is called each time, so a reloaded store is seen at once."""

    def __init__(
        self,
        specs: dict[str, CommandSpec],
        index: Callable[[], Index],
        *,
        prefix: str = "",
        viewer: str | None = None,
        default_deal: str | None = None,
    ) -> None:
        self._specs = specs
        self._index = index
        self._prefix = prefix
        self._viewer = viewer
        self._default_deal = default_deal

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        line = document.text_before_cursor.lstrip()
        if " " not in line:
            yield from self._command_names(line)
            return
        head, _, rest = line.partition(" ")
        spec = self._specs.get(command_name(head, self._prefix))
        if spec is None:
            return
        word = document.get_word_before_cursor(WORD=True)
        if ":" in word:
            key, _, value = word.partition(":")
            yield from self._option_values(spec, key, value, rest)
            return
        typed = {m.group(1) for m in _TYPED_OPTION.finditer(rest)}
        main = spec.positional
        arg = rest.lstrip()  # what has been typed of the main argument (it may be several words)
        options = [p for p in spec.params if not p.positional and p.name not in typed and p.name.startswith(word)]
        # After the first word of the main argument, a word that starts an option name is taken as one.
        if options and (main is None or typed or arg != word):
            for param in options:
                yield Completion(f"{param.name}:", -len(word), display_meta=param.description)
            return
        if main is not None and not typed:
            if spec.name == "help":
                yield from self._command_names(arg, slash=False)
            else:
                yield from self._names(KINDS.get(main.kind, ()), arg, self._deal(rest))

    def _command_names(self, typed: str, *, slash: bool = True) -> Iterator[Completion]:
        bare = command_name(typed, self._prefix) if typed.startswith("/") or not slash else typed.lower()
        for name, spec in self._specs.items():
            if name.startswith(bare):
                text = f"/{self._prefix}{name}" if slash else name
                yield Completion(text, -len(typed), display_meta=spec.description)

    def _option_values(self, spec: CommandSpec, key: str, value: str, rest: str) -> Iterator[Completion]:
        param = spec.param(key)
        if param is None or param.positional:
            return
        if param.kind is ParamKind.CHOICE:
            yield from (Completion(c, -len(value)) for c in param.choices if c.startswith(value))
        else:
            yield from self._names(KINDS.get(param.kind, ()), value, self._deal(rest))

    def _names(self, kinds: Iterable[EntityKind], typed: str, deal: str | None) -> Iterator[Completion]:
        index = self._index()
        found: list[Entity] = []
        for kind in kinds:
            scope = deal if kind is EntityKind.TOPIC else None
            found.extend(index.suggest(kind, typed, deal_id=scope, viewer=self._viewer, limit=LIMIT))
        # The index ranks any word's prefix first ("tarif" finds China by its alias "China tariffs"); at a prompt,
        # names that start with what was typed come first, so one Tab picks the likely one.
        typed_fold = fold(typed)
        found.sort(key=lambda e: not any(fold(name).startswith(typed_fold) for name in (e.id, e.label)))
        for entity in found[:LIMIT]:
            yield Completion(entity.id, -len(typed), display=entity.label, display_meta=entity.kind.value)

    def _deal(self, rest: str) -> str | None:
        """Topics of the deal typed as ``deal:``, else of the default deal, else of every deal."""
        typed = re.search(r'(?<!\S)deal:(?:"([^"]*)"|(\S+))', rest)
        return (typed.group(1) or typed.group(2)) if typed else self._default_deal
