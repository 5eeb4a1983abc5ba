"""Free-text command parsing, driven by the same declarations as Discord options and /help."""

from __future__ import annotations

import pytest

from bot.commands import Command, from_options, parse
from bot.errors import BadArgument, UnknownCommand
from handlers import CORE_COMMANDS
from handlers.subscribe import local_time_option, timezone_option

SPECS = {c.spec.name: c.spec for c in CORE_COMMANDS}


def test_positional_and_named_options() -> None:
    cmd = parse("/status tariffs deal:uk-us date:2025-06-01", SPECS)
    assert cmd == Command("status", "tariffs", {"deal": "uk-us", "date": "2025-06-01"})


def test_quoted_option_values_and_multiword_argument() -> None:
    cmd = parse('/status digital services tax deal:"canada us"', SPECS)
    assert cmd.arg == "digital services tax"
    assert cmd.options == {"deal": "canada us"}
    assert parse(cmd.text(), SPECS) == cmd  # text() round-trips: choices re-issue commands this way


def test_words_that_look_like_options_but_name_none_stay_in_the_argument() -> None:
    assert parse("/search time:now dairy", SPECS).arg == "time:now dairy"


def test_prefixed_names_map_onto_the_same_commands() -> None:
    assert parse("/trade-status tariffs", SPECS, prefix="trade-").name == "status"


def test_unknown_command_and_unknown_option() -> None:
    with pytest.raises(UnknownCommand, match="/help lists them"):
        parse("/nope", SPECS)
    with pytest.raises(BadArgument, match="needs a topic"):
        parse("/status", SPECS)
    with pytest.raises(BadArgument, match="YYYY-MM-DD"):
        parse("/brief since:yesterday", SPECS)


def test_control_characters_are_neutralised() -> None:
    cmd = parse("/who cl\x00ow\x1b[31m", SPECS)
    assert "\x00" not in cmd.arg and "\x1b" not in cmd.arg


def test_typed_options_build_the_same_command() -> None:
    typed = from_options("status", {"topic": "tariffs", "deal": "canada-us", "date": None}, SPECS)
    assert typed == parse("/status tariffs deal:canada-us", SPECS)


def test_a_misspelt_option_is_called_out_not_searched_for() -> None:
    with pytest.raises(BadArgument, match="did you mean 'deal:'"):
        parse("/status tariffs dael:uk-us", SPECS)
    with pytest.raises(BadArgument, match="needs words"):
        parse("/search", SPECS)


def test_a_misspelt_command_is_offered_with_the_prefix_users_type() -> None:
    with pytest.raises(UnknownCommand, match="Did you mean `/trade-status tariffs`"):
        parse("/trade-stauts tariffs", SPECS, prefix="trade-")


def test_an_option_with_no_value_is_called_out() -> None:
    with pytest.raises(BadArgument, match="deal: needs a value"):
        parse("/status tariffs deal:", SPECS)


def test_loose_dates_are_written_out_in_full() -> None:
    assert parse("/brief since:2025-4-7", SPECS).options == {"since": "2025-04-07"}
    assert from_options("status", {"topic": "tariffs", "date": "2025-5-2"}, SPECS).options == {"date": "2025-05-02"}
    with pytest.raises(BadArgument, match="YYYY-MM-DD"):
        parse("/brief since:2025-4-77", SPECS)


@pytest.mark.parametrize(
    ("typed", "meant"), [("9:00", "09:00"), ("08:00", "08:00"), ("9", "09:00"), (" 17:30 ", "17:30")]
)
def test_a_subscription_time_is_read_where_unambiguous(typed: str, meant: str) -> None:
    assert local_time_option(typed) == meant


def test_a_time_that_is_no_time_is_left_for_the_validator_to_refuse() -> None:
    assert local_time_option("25:00") == "25:00"
    assert local_time_option("noonish") == "noonish"
    assert local_time_option("8am") == "8am"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("America/Toronto", "America/Toronto"), ("toronto", "America/Toronto"), ("america/toronto", "America/Toronto")],
)
def test_a_time_zone_city_names_its_zone(typed: str, meant: str) -> None:
    assert timezone_option(typed) == meant


def test_a_misspelt_time_zone_is_refused_with_the_zone_meant() -> None:
    with pytest.raises(BadArgument, match="did you mean America/Toronto"):
        timezone_option("Torotno")
    with pytest.raises(BadArgument, match="IANA"):
        timezone_option("zzzzzz")
