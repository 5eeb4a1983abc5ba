"""Tab completion at the console prompt: command names, option names and store names from the lookup index."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from bot.store import Store
from bot.terminal.complete import CommandCompleter
from handlers import ALL_COMMANDS


def _completer(store: Store, **kwargs: str) -> CommandCompleter:
    specs = {c.spec.name: c.spec for c in ALL_COMMANDS}
    return CommandCompleter(specs, lambda: store.index, viewer="console:local", **kwargs)


def complete(completer: CommandCompleter, line: str) -> list[str]:
    """What Tab would put in place of the text before the cursor, as the resulting line."""
    out = []
    for c in completer.get_completions(Document(line), CompleteEvent(completion_requested=True)):
        out.append(line[: len(line) + c.start_position] + c.text)
    return out


def test_command_names(store: Store) -> None:
    completer = _completer(store)
    assert complete(completer, "/sta") == ["/status"]
    assert set(complete(completer, "/s")) == {"/status", "/search", "/subscribe", "/schedule"}
    assert complete(completer, "/who clow") == ["/who brian-clow"]  # past the name, the argument completes
    assert complete(_completer(store, prefix="trade-"), "/trade-st") == ["/trade-status"]


def test_store_names_for_the_main_argument(store: Store) -> None:
    completer = _completer(store)
    assert complete(completer, "/who clo") == ["/who brian-clow"]
    assert complete(completer, "/who o'to")[0] == "/who erin-otoole"  # apostrophes forgiven, as in lookups
    assert complete(completer, "/status tarif")[0] == "/status tariffs"  # the name that starts so comes first
    assert complete(completer, "/deal can") == ["/deal canada-us"]
    assert "/timeline canada-us" in complete(completer, "/timeline can")  # topic or deal
    assert "/help status" in complete(completer, "/help st")


def test_option_names_and_values(store: Store) -> None:
    completer = _completer(store)
    assert complete(completer, "/status tariffs d") == ["/status tariffs deal:", "/status tariffs date:"]
    assert complete(completer, "/status tariffs deal:ca") == ["/status tariffs deal:canada-us"]
    assert complete(completer, "/who d")[0] == "/who donald-trump"  # a first word is the name, not date:
    assert "/status tariffs" in complete(completer, "/status ")  # Tab on an empty argument lists the names
    # an option already given is not offered again
    assert complete(completer, "/status tariffs deal:canada-us d") == ["/status tariffs deal:canada-us date:"]


def test_restricted_names_are_offered_only_where_visible(second_store: Store) -> None:
    specs = {c.spec.name: c.spec for c in ALL_COMMANDS}
    here = CommandCompleter(specs, lambda: second_store.index, viewer="console:local")
    there = CommandCompleter(specs, lambda: second_store.index, viewer="slack:T0SECOND:C0PRIVATE")
    line = "/status export-l"
    assert "/status export-levy" not in complete(here, line)
    assert "/status export-levy" in complete(there, line)
