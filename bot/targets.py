"""Where a reply or briefing goes, as one typed value with a stable string form.

``slack:T123:C456`` (team, channel), ``slack:T123:@U789`` (direct message to a user), ``discord:G1:C2``
(guild, channel), ``console:local``, ``slack-webhook:NAME``, ``discord-webhook:NAME``, ``teams-webhook:NAME``
(an incoming webhook whose URL is the secret ``BRIEFBOT_WEBHOOK_<NAME>``), ``email:ADDRESS``. The string form is
the key for subscriptions, claims, restricted documents and logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLATFORMS = ("slack", "discord", "console", "slack-webhook", "discord-webhook", "teams-webhook", "email")
WEBHOOKS = ("slack-webhook", "discord-webhook", "teams-webhook")
SHAPES = {  # platform -> the parts a target has, for messages
    "slack": "slack:TEAM:CHANNEL (or slack:TEAM:@USER)",
    "discord": "discord:GUILD:CHANNEL (or discord:GUILD:@USER)",
    "console": "console:local",
    "slack-webhook": "slack-webhook:NAME",
    "discord-webhook": "discord-webhook:NAME (letters, digits, - and _)",
    "teams-webhook": "teams-webhook:NAME (letters, digits, - and _)",
    "email": "email:name@example.org",
}
PART_COUNT = {"slack": 2, "discord": 2, "console": 1, "slack-webhook": 1}
PART_COUNT.update({"discord-webhook": 1, "teams-webhook": 1, "email": 1})
_PART = re.compile(r"^@?[A-Za-z0-9._-]{1,80}$")
# A new webhook's name becomes part of an environment variable (BRIEFBOT_WEBHOOK_<NAME>), so no dots or @.
_WEBHOOK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A plain address: no display name, quoted local part or IP literal, and none of the characters that separate the
# parts of a post key (``|``) or of a target (``:``).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9._%+-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
_PART_RULE = {"discord-webhook": _WEBHOOK_NAME, "teams-webhook": _WEBHOOK_NAME, "email": _EMAIL}


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
        rule = _PART_RULE.get(platform, _PART)
        if len(parts) != PART_COUNT[platform] or not all(rule.match(p) for p in parts):
            raise ValueError(f"'{text}' is not a target: write it as {SHAPES[platform]}")
        if platform == "email":  # the domain is case-insensitive: one address, one subscription key
            local, _, domain = parts[0].rpartition("@")
            parts = (f"{local}@{domain.lower()}",)
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
