"""The parse rules of targets: the existing shapes, and the e-mail and webhook ones."""

from __future__ import annotations

import pytest

from bot.targets import Target


@pytest.mark.parametrize(
    ("text", "platform", "parts"),
    [
        ("slack:T1:C2", "slack", ("T1", "C2")),
        ("slack:T1:@U3", "slack", ("T1", "@U3")),
        ("discord:1:2", "discord", ("1", "2")),
        ("console:local", "console", ("local",)),
        ("slack-webhook:ops.room", "slack-webhook", ("ops.room",)),  # as accepted before
        ("discord-webhook:deal_desk", "discord-webhook", ("deal_desk",)),
        ("teams-webhook:Board-Room", "teams-webhook", ("Board-Room",)),
        ("email:x@example.org", "email", ("x@example.org",)),
        ("email:first.last+briefs@Mail.Example.ORG", "email", ("first.last+briefs@mail.example.org",)),
        ("  email:a_b-c%d@sub-1.example.co.uk ", "email", ("a_b-c%d@sub-1.example.co.uk",)),
    ],
)
def test_targets_that_parse_and_their_stable_string(text: str, platform: str, parts: tuple[str, ...]) -> None:
    target = Target.parse(text)

    assert (target.platform, target.parts) == (platform, parts)
    assert Target.parse(str(target)) == target
    assert not target.is_direct or platform == "slack"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("email:", "email:name@example.org"),
        ("email:nobody", "email:name@example.org"),
        ("email:x@localhost", "email:name@example.org"),  # a domain with a dot: mail for the outside world
        ("email:a|b@example.org", "email:name@example.org"),  # | separates the parts of a post key
        ("email:x@example.org:y", "email:name@example.org"),
        ("email:Name <x@example.org>", "email:name@example.org"),
        ("email:x@-bad.example.org", "email:name@example.org"),
        ("email:x@example..org", "email:name@example.org"),
        ("teams-webhook:ops.room", "teams-webhook:NAME"),  # the name becomes BRIEFBOT_WEBHOOK_<NAME>
        ("discord-webhook:", "discord-webhook:NAME"),
        ("discord-webhook:a:b", "discord-webhook:NAME"),
        ("teams-webhook:@ops", "teams-webhook:NAME"),
        ("slack:T1", "slack:TEAM:CHANNEL"),
        ("sms:123", "must start with one of"),
    ],
)
def test_targets_that_do_not_parse_say_the_shape(text: str, says: str) -> None:
    with pytest.raises(ValueError, match="is not a target") as refused:
        Target.parse(text)

    assert says in str(refused.value)
