"""Slash commands built from the command declarations, and the hash that decides whether to sync. No network."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_commands import build_commands, commands_hash
from bot.commands import CommandSpec, Param, ParamKind
from bot.router import Router


async def _run(interaction: Any, name: str, values: dict[str, str | None]) -> None:
    return None


async def _complete(interaction: Any, kind: ParamKind, current: str) -> list[app_commands.Choice[str]]:
    return []


def _tree(specs: dict[str, CommandSpec]) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )
    for command in build_commands(specs, _run, _complete):
        tree.add_command(command)
    return tree


def test_every_spec_becomes_a_typed_described_command(router: Router) -> None:
    tree = _tree(router.specs)
    payloads = {c["name"]: c for c in (command.to_dict(tree) for command in tree.get_commands())}
    assert set(payloads) == set(router.specs)
    for name, spec in router.specs.items():
        assert 0 < len(payloads[name]["description"]) <= 100
        options = {o["name"]: o for o in payloads[name]["options"]}
        assert set(options) == {p.name for p in spec.params}
        for param in spec.params:
            option = options[param.name]
            assert option["type"] == discord.AppCommandOptionType.string.value
            assert 0 < len(option["description"]) <= 100
            assert option["required"] is param.required
            lookup = param.kind in (ParamKind.TOPIC, ParamKind.PERSON, ParamKind.DEAL, ParamKind.TOPIC_OR_DEAL)
            assert option.get("autocomplete", False) is lookup  # dates and free text are typed, not completed


def test_choice_parameters_carry_their_choices_and_long_descriptions_are_cut() -> None:
    spec = CommandSpec(
        "subscribe",
        "x" * 150,
        params=(
            Param("when", ParamKind.CHOICE, "How often", required=True, positional=True, choices=("daily", "weekly")),
        ),
    )
    tree = _tree({"subscribe": spec})
    (payload,) = [c.to_dict(tree) for c in tree.get_commands()]
    assert len(payload["description"]) == 100
    assert [c["value"] for c in payload["options"][0]["choices"]] == ["daily", "weekly"]


def test_the_hash_changes_with_commands_application_or_scope(router: Router) -> None:
    tree = _tree(router.specs)
    base = commands_hash(tree, 1, [10])
    assert commands_hash(_tree(router.specs), 1, [10]) == base  # stable across builds
    assert commands_hash(tree, 2, [10]) != base
    assert commands_hash(tree, 1, []) != base
    fewer = dict(list(router.specs.items())[:-1])
    assert commands_hash(_tree(fewer), 1, [10]) != base
