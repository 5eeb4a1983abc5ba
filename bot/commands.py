"""Commands are declared once, here-shaped, and that declaration drives everything else:
free-text parsing (Slack, the console, ``briefbot ask``), Discord's typed options, ``/help`` and the Slack
manifest.

Free text looks like ``/status tariffs deal:uk-us date:2025-06-01``: one main positional argument, then
named ``key:value`` options (``key:"two words"`` for values with spaces; ``key: value`` works too). A word that
looks like an option but names none of the command's is an error naming those it takes, except in free text
(``/search``, ``/help``), where it stays a word to look for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.errors import BadArgument, UnknownCommand
from bot.store.dates import parse_day

MAX_INPUT_CHARS = 2000


class ParamKind(StrEnum):
    TEXT = "text"
    TOPIC = "topic"  # looked up in the store's topics (autocomplete on Discord)
    PERSON = "person"
    DEAL = "deal"
    TOPIC_OR_DEAL = "topic_or_deal"
    DATE = "date"  # YYYY-MM-DD
    TARGET = "target"  # slack:T:C and friends
    CHOICE = "choice"  # one of ``choices``


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    description: str
    required: bool = False
    positional: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str  # without the slash
    description: str
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()
    admin: bool = False  # only configured admins may run it
    # It changes state (subscriptions, watches, the loaded store): its answer is never shared (sharing would run it
    # again), and it acts only on an exact id or alias, never on a guess.
    effects: bool = False
    # It reads only the store and the state database (nothing bound to the main loop: no platform client, scheduler
    # or git), so a running bot evaluates it on the evaluation thread (bot.evaluation), off the main event loop.
    off_loop: bool = False
    # Arguments (as typed, case aside) that make an ``off_loop`` command need the main loop after all (a subcommand
    # that acts through the platform's client, as ``/brief reissue`` does).
    on_loop_args: tuple[str, ...] = ()
    # Its ``date:`` is answered from the store as it was that day when git history has it (Context.dated).
    dated_store: bool = False

    def runs_off_loop(self, arg: str) -> bool:
        """Whether a running bot evaluates this command with ``arg`` on the evaluation thread."""
        return self.off_loop and arg.strip().lower() not in self.on_loop_args

    @property
    def positional(self) -> Param | None:
        return next((p for p in self.params if p.positional), None)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for p in self.params:
            if p.positional:
                parts.append(f"<{p.name}>" if p.required else f"[{p.name}]")
            else:
                parts.append(f"[{p.name}:…]")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command, the same whatever platform it came from."""

    name: str
    arg: str = ""  # the main positional argument, as typed (trimmed)
    options: dict[str, str] = field(default_factory=dict)

    def option(self, name: str) -> str | None:
        return self.options.get(name)

    def date_option(self, name: str) -> dt.date | None:
        value = self.options.get(name)
        if value is None:
            return None
        try:
            return parse_day(normal_day(value))
        except ValueError as exc:
            raise BadArgument(f"{name}: {exc}") from None

    def text(self) -> str:
        """The command as a user would type it; choices and "share" buttons re-issue this."""
        parts = [f"/{self.name}"]
        if self.arg:
            parts.append(self.arg)
        for key, value in self.options.items():
            parts.append(f'{key}:"{value}"' if " " in value else f"{key}:{value}")
        return " ".join(parts)


# ``key:value``, ``key:"two words"``; a space may follow the colon (``date: 2025-05-01``), or no value at all
_OPTION = re.compile(r'(?<!\S)([a-z][a-z_-]*):(?:[ \t]*"([^"]*)"|[ \t]*(\S+))?')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LOOSE_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# how alike a typed command name must be to a real one to be offered (Damerau-Levenshtein, normalised)
_NEAR_COMMAND = 0.6


def normal_day(text: str) -> str:
    """``2025-5-2`` -> ``2025-05-02``: unambiguous, so taken; anything else is left for the date parser to refuse."""
    match = _LOOSE_DAY.match(text)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else text


def with_prefix(command: str, prefix: str) -> str:
    """``/timeline x`` -> ``/trade-timeline x`` when the commands carry a prefix (what users must type)."""
    if prefix and command.startswith("/") and not command[1:].startswith(prefix):
        return f"/{prefix}{command[1:]}"
    return command


def command_name(raw: str, prefix: str = "") -> str:
    """``/trade-status`` -> ``status`` when the configured prefix is ``trade-``."""
    name = raw.strip().lstrip("/").lower()
    if prefix and name.startswith(prefix):
        name = name[len(prefix) :]
    return name


def parse(text: str, specs: dict[str, CommandSpec], *, prefix: str = "") -> Command:
    """Parse a whole line such as ``/status tariffs deal:canada-us``."""
    text = _CONTROL.sub(" ", text[:MAX_INPUT_CHARS]).strip()
    if not text:
        raise UnknownCommand("Type a command such as /status tariffs, or /help to see them all.")
    head, _, rest = text.partition(" ")
    name = command_name(head, prefix)
    if not head.startswith("/") and name not in specs and "search" in specs and not _near_commands(name, specs):
        return parse_args("search", text, specs, prefix=prefix)  # bare words at a prompt: "dairy" is a search
    return parse_args(name, rest, specs, prefix=prefix)


def parse_args(name: str, rest: str, specs: dict[str, CommandSpec], *, prefix: str = "") -> Command:
    """Parse the arguments of a command whose name a platform already split off (Slack's ``command``)."""
    spec = specs.get(name)
    if spec is None:
        raise UnknownCommand(unknown_command(name, rest, specs, prefix))
    rest = _CONTROL.sub(" ", rest[:MAX_INPUT_CHARS])
    options: dict[str, str] = {}
    free_text = spec.positional is not None and spec.positional.kind is ParamKind.TEXT

    def take(match: re.Match[str]) -> str:
        key = match.group(1).replace("-", "_")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if spec.param(key) is None or (spec.positional and spec.positional.name == key):
            _refuse_option(spec, key, quiet=free_text)
            return match.group(0)  # free text: a word to look for, such as "note:"
        if value is None:
            raise BadArgument(f"{key}: needs a value, for example {_option_example(spec, key)}.")
        value = value.strip()
        param = spec.param(key)
        options[key] = normal_day(value) if param and param.kind is ParamKind.DATE else value
        return " "

    positional = " ".join(_OPTION.sub(take, rest).split())
    command = Command(name, positional, options)
    validate(command, spec)
    return command


def unknown_command(name: str, rest: str, specs: dict[str, CommandSpec], prefix: str = "") -> str:
    """What to say to ``/stauts tariffs``: the command meant, typed out, rather than the list of them all."""
    shown = name[:40]
    near = _near_commands(name, specs)
    args = " ".join(_CONTROL.sub(" ", rest[:200]).split())
    if near:
        meant = " or ".join(f"`{' '.join(filter(None, (f'/{prefix}{n}', args)))}`" for n in near)
        return f"There is no /{prefix}{shown} command. Did you mean {meant}?"
    words = " ".join(filter(None, (shown, args)))
    return f"There is no /{prefix}{shown} command: /{prefix}help lists them all, and /{prefix}search {words} searches."


def _near_commands(name: str, specs: dict[str, CommandSpec]) -> list[str]:
    # rapidfuzz here and in _refuse_option, not at import: only a mistyped command or option needs it, and every
    # one-shot `briefbot ask` would pay for loading it
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    near = process.extract(
        name, list(specs), scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=_NEAR_COMMAND, limit=2
    )
    return [n for n, _, _ in near]


def _named(spec: CommandSpec) -> list[str]:
    return [p.name for p in spec.params if not p.positional]


def _refuse_option(spec: CommandSpec, key: str, *, quiet: bool) -> None:
    """A word shaped like ``key:`` that names none of the command's options: a typo gets "did you mean"; in a
    lookup it is an error naming the options there are (it would otherwise be looked up as part of the name)."""
    from rapidfuzz import process  # lazily: see _near_commands

    named = _named(spec)
    near = process.extractOne(key, named, score_cutoff=75) if named and len(key) > 2 else None
    if near:  # "dael:uk-us" is a typo, not words to look up
        raise BadArgument(f"/{spec.name} has no option '{key}:'; did you mean '{near[0]}:'?")
    if quiet:
        return
    if not named:
        raise BadArgument(f"/{spec.name} takes no options, so '{key}:' means nothing to it; usage: {spec.usage()}")
    takes = " and ".join(", ".join(f"{n}:" for n in named).rsplit(", ", 1))
    raise BadArgument(f"/{spec.name} has no option '{key}:'; it takes {takes}. Usage: {spec.usage()}")


def _option_example(spec: CommandSpec, key: str) -> str:
    return next((e for e in spec.examples if f"{key}:" in e), f"{key}:…")


def from_options(name: str, values: dict[str, str | None], specs: dict[str, CommandSpec]) -> Command:
    """Build a command from typed options (Discord), checked like parsed text."""
    spec = specs.get(name)
    if spec is None:
        raise UnknownCommand(f"There is no /{name} command.")
    main = spec.positional
    options = {k: str(v).strip() for k, v in values.items() if v is not None and (main is None or k != main.name)}
    options = {k: normal_day(v) if (p := spec.param(k)) and p.kind is ParamKind.DATE else v for k, v in options.items()}
    arg = str(values.get(main.name) or "").strip() if main else ""
    command = Command(name, _CONTROL.sub(" ", arg[:MAX_INPUT_CHARS]), options)
    validate(command, spec)
    return command


def validate(command: Command, spec: CommandSpec) -> None:
    main = spec.positional
    if main and main.required and not command.arg:
        example = spec.examples[0] if spec.examples else spec.usage()
        article = "" if main.name.endswith("s") else "a "
        raise BadArgument(f"/{spec.name} needs {article}{main.name}, for example `{example}`.")
    if not main and command.arg and spec.params:
        raise BadArgument(f"/{spec.name} takes no free text; usage: {spec.usage()}")
    for key, value in command.options.items():
        param = spec.param(key)
        if param is None:
            raise BadArgument(f"/{spec.name} has no option '{key}'; usage: {spec.usage()}")
        if param.kind is ParamKind.DATE:
            command.date_option(key)
        if param.kind is ParamKind.CHOICE and value not in param.choices:
            raise BadArgument(f"{key} must be one of {', '.join(param.choices)}")
