"""Where a reply or briefing goes, as one typed value with a stable string form.

``slack:T123:C456`` (team, channel), ``slack:T123:@U789`` (direct message to a user), ``discord:G1:C2``
(guild, channel), ``console:local``, ``slack-webhook:NAME``. The string form is the key for subscriptions,
claims, restricted documents and logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLATFORMS = ("slack", "discord", "console", "slack-webhook")
SHAPES = {  # platform -> the parts a target has, for messages
    "slack": "slack:TEAM:CHANNEL (or slack:TEAM:@USER)",
    "discord": "discord:GUILD:CHANNEL (or discord:GUILD:@USER)",
    "console": "console:local",
    "slack-webhook": "slack-webhook:NAME",
}
PART_COUNT = {"slack": 2, "discord": 2, "console": 1, "slack-webhook": 1}
_PART = re.compile(r"^@?[A-Za-z0-9._-]{1,80}$")


@dataclass(frozen=True, slots=True, order=True)
class Target:
    platform: str
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Target:
        platform, _, rest = text.strip().partition(":")
        parts = tuple(rest.split(":")) if rest else ()
        if platform not in PLATFORMS:
            raise ValueError(f"'{text}' is not a target: it must start with one of {', '.join(PLATFORMS)}")
        if len(parts) != PART_COUNT[platform] or not all(_PART.match(p) for p in parts):
            raise ValueError(f"'{text}' is not a target: write it as {SHAPES[platform]}")
        return cls(platform, parts)

    @property
    def channel(self) -> str:
        """The last part: the channel (or @user) the platform posts to."""
        return self.parts[-1]

    @property
    def is_direct(self) -> bool:
        return self.channel.startswith("@")

    def __str__(self) -> str:
        return ":".join((self.platform, *self.parts))


CONSOLE = Target("console", ("local",))
