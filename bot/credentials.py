"""Secrets: platform credentials, Briefbot's own tokens and webhook URLs, only ever from the environment (or a file
a ``*_FILE`` variable names); never from config, never logged."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.errors import ConfigError


class Secrets(BaseModel):
    """Platform credentials, only ever from the environment (or a ``*_FILE`` path); never logged."""

    model_config = ConfigDict(frozen=True)

    slack_bot_token: str | None = Field(None, repr=False)
    slack_app_token: str | None = Field(None, repr=False)
    slack_signing_secret: str | None = Field(None, repr=False)
    discord_token: str | None = Field(None, repr=False)
    operator_token: str | None = Field(None, repr=False)  # bearer token for /status, /reload, /git-sync
    smtp_password: str | None = Field(None, repr=False)  # the e-mail section's SMTP login
    # Incoming webhook URLs by normalised name (BRIEFBOT_WEBHOOK_<NAME>): whoever has one can post, so a secret.
    webhooks: dict[str, str] = Field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Secrets:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            if name == "webhooks":
                continue
            key = _ENV_NAMES.get(name, name.upper())
            values[name] = env.get(key) or _read_secret_file(env.get(f"{key}_FILE"), key)
        values["webhooks"] = _webhook_urls(env)
        return cls(**values)

    def webhook_url(self, name: str) -> str | None:
        """The URL of webhook ``name`` (a target's NAME: ``ops-room`` is ``BRIEFBOT_WEBHOOK_OPS_ROOM``)."""
        return self.webhooks.get(webhook_env_name(name))

    def values(self) -> list[str]:
        """Every secret value held, for log redaction: a webhook URL's path and query are its secret, so they are
        listed on their own too, in case a library logs the URL in another form."""
        from urllib.parse import urlsplit

        found = [v for k, v in self.model_dump().items() if k != "webhooks" and v]
        for url in self.webhooks.values():
            parts = urlsplit(url)
            found.extend(p for p in (url, parts.path, parts.query) if len(p) >= 8)
        return found

    @property
    def slack_ready(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_app_token or self.slack_signing_secret))


# Briefbot's own secrets; the others are the platforms'
_ENV_NAMES = {"operator_token": "BRIEFBOT_OPERATOR_TOKEN", "smtp_password": "BRIEFBOT_SMTP_PASSWORD"}


WEBHOOK_PREFIX = "BRIEFBOT_WEBHOOK_"


def webhook_env_name(name: str) -> str:
    """``ops-room`` -> ``OPS_ROOM``: the part after BRIEFBOT_WEBHOOK_ in the variable holding its URL."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _webhook_urls(env: dict[str, str]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for key in sorted(env):
        if not key.startswith(WEBHOOK_PREFIX) or key == WEBHOOK_PREFIX:
            continue
        name = key.removeprefix(WEBHOOK_PREFIX)
        if name.endswith("_FILE"):
            name = name.removesuffix("_FILE")
            url = env.get(WEBHOOK_PREFIX + name) or _read_secret_file(env[key], WEBHOOK_PREFIX + name)
        else:
            url = env[key]
        if url and url.strip():
            urls[name] = url.strip()
    return urls


def _read_secret_file(path: str | None, name: str) -> str | None:
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ConfigError(f"{name}_FILE points at {path}, which cannot be read ({exc.strerror})") from None
