"""Both platform deliveries offer everything the scheduler asks of a delivery, under the protocol's names."""

from __future__ import annotations

import inspect

import pytest

from bot.adapters.discord_delivery import DiscordDelivery
from bot.adapters.slack_delivery import SlackDelivery
from bot.delivery import ChecksTargets, Delivery, EditsPosts, FindsPosts


@pytest.mark.parametrize("cls", [SlackDelivery, DiscordDelivery])
@pytest.mark.parametrize("protocol", [Delivery, FindsPosts, EditsPosts, ChecksTargets])
def test_delivery_implements_protocol(cls: type, protocol: type) -> None:
    for name, member in vars(protocol).items():
        if inspect.iscoroutinefunction(member):
            assert inspect.iscoroutinefunction(getattr(cls, name, None)), f"{cls.__name__} lacks {name}"
