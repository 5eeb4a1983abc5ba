"""Where a reply or briefing goes, as one typed value with a stable string form.

``slack:T123:C456`` (team, channel), ``slack:T123:@U789`` (direct message to a user), ``discord:G1:C2``
(guild, channel), ``console:local``, ``slack-webhook:NAME``. The string form is the key for subscriptions,
claims, restricted documents and logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLATFORMS = ("slack", "discord", "console", "slack-webhook")
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
        if not parts or not all(_PART.match(p) for p in parts):
            raise ValueError(f"'{text}' is not a target: write it like slack:T123:C456 or discord:G1:C2")
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
