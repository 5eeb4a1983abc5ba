"""Configuration: YAML in ``config/`` validated with pydantic-settings, ``BRIEFBOT_*`` overrides, secrets
from the environment only.

Which file: ``--config PATH``, else ``$BRIEFBOT_CONFIG``, else ``./config/briefbot.yaml``, else the defaults
packaged with the code. The bundled store is package data too, so an installed Briefbot needs no checkout.
Nested settings are overridden with a double underscore: ``BRIEFBOT_SLACK__MODE=http``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config_file import ConfigFileSource, describe_invalid
from bot.errors import ConfigError
from bot.i18n import LANGUAGES, normalize
from bot.targets import Target

if TYPE_CHECKING:
    from bot.posting.policy import RetryPolicy

# The config file ``load_settings`` chose, while it builds Settings: the lowest-priority source (see below).
_CONFIG_FILE: ContextVar[Path | None] = ContextVar("briefbot_config_file", default=None)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # holds bot/, briefings/, config/ (checkout or site-packages)
BUNDLED_STORE = PACKAGE_ROOT / "briefings"
PACKAGED_CONFIG = PACKAGE_ROOT / "config" / "briefbot.yaml"
LOCAL_CONFIG = Path("config") / "briefbot.yaml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def valid_language(value: str) -> str:
    """``fr``, ``fr-CA`` or ``fr_CA`` -> ``fr``; a language Briefbot does not speak is an error naming those it does."""
    language = normalize(value)
    if language is None:
        raise ValueError(f"'{value}' is not a language Briefbot speaks: use one of {', '.join(LANGUAGES)}")
    return language


def valid_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not a time zone: use an IANA name such as America/Toronto") from None
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubscriptionConfig(_Section):
    """A daily briefing declared in config (read-only from chat)."""

    target: str
    deal: str
    time: str = "08:00"  # local wall-clock time, HH:MM
    timezone: str = "UTC"
    days: list[str] = Field(default_factory=lambda: list(DAYS[:5]))
    skip_dates: list[dt.date] = Field(default_factory=list)
    language: str | None = None  # en or fr; None: the channel's language (channel_languages), else `language`

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return valid_language(value) if value is not None else None

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return str(Target.parse(value))

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"'{value}' is not a time: use HH:MM, such as 08:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return valid_zone(value)

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        days = [d.strip().lower()[:3] for d in value]
        bad = [d for d in days if d not in DAYS]
        if bad:
            raise ValueError(f"unknown day(s) {', '.join(bad)}: use {', '.join(DAYS)}")
        return days


class SlackConfig(_Section):
    mode: Literal["socket", "http"] = "socket"
    command_prefix: str = ""  # "trade-" turns /status into /trade-status
    api_url: str = "https://slack.com/api/"
    http_path: str = "/slack/events"


class DiscordConfig(_Section):
    dev_guild_ids: list[int] = Field(
        default_factory=list
    )  # sync commands to these guilds (instant) instead of globally
    api_url: str | None = None  # REST base, for tests and proxies
    gateway_url: str | None = None


class HttpConfig(_Section):
    host: str = "127.0.0.1"
    port: int = 8080
    enabled: bool = True
    # How readers reach this server (https://briefbot.example.org), for the absolute links in feeds and
    # calendars; unset, each request's own scheme and host are used.
    public_url: str | None = Field(None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    feeds: bool = True  # serve /feeds/... (Atom and iCalendar of what every channel may see)


class EmailConfig(_Section):
    """The SMTP server e-mail digests go out through (``email:ADDRESS`` targets); its password is the secret
    ``BRIEFBOT_SMTP_PASSWORD`` (or ``_FILE``). No host: no e-mail delivery."""

    host: str | None = None
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True  # upgrade the connection before logging in (port 587); off only on a trusted relay
    tls: bool = False  # implicit TLS from the first byte (port 465) instead of STARTTLS
    ca_file: Path | None = None  # trust this CA bundle too (a private relay's certificate)
    username: str | None = None
    from_address: str = "briefbot@localhost"
    from_name: str = "Briefbot"
    # Where the List-Unsubscribe header points: a mailto: or https: URL (default: mail to from_address)
    unsubscribe: str | None = None
    timeout: float = Field(30.0, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class BriefingOptions(_Section):
    """How a briefing reads: one model for the config section and for the briefing code that uses it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_days: int = Field(14, ge=1, le=366)  # "coming up" looks this far ahead
    stale_after_days: int = Field(45, ge=1, le=3650)  # a document not updated for this long is flagged
    recent_days: int = Field(7, ge=1, le=366)  # with no previous briefing and no `since`, changes over this many days


class SchedulerOptions(_Section):
    """The scheduler's knobs (the ``scheduler:`` config section, used as is by the scheduler), and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A briefing up to this late is still this morning's briefing: after a restart or a stalled loop it is posted
    # once; later than this it is recorded as skipped rather than posted into the afternoon. Transient delivery
    # errors are retried only within this window too.
    grace_minutes: float = Field(30, gt=0, le=24 * 60)
    # How long a claim is held without news from its claimant: renewed by a heartbeat while a call is in flight,
    # and far shorter than the grace window, so a dead replica's claim is taken over while still worth posting.
    lease_seconds: float = Field(120, ge=1, le=3600)
    reload_seconds: float = Field(30, ge=1, le=60)  # chat-made subscriptions reach every replica within this
    delivery_attempts: int = Field(5, ge=1, le=20)
    retry_base_delay: float = Field(2.0, gt=0)  # seconds before the second attempt, doubled each time
    retry_max_delay: float = Field(60.0, gt=0)
    # One platform call is given up as uncertain after this long (real seconds, kept inside the lease); then the
    # post is looked for, and looked for again for ``late_commit_seconds`` before it is posted again.
    call_timeout: float = Field(30.0, gt=0)
    late_commit_seconds: float = Field(60.0, ge=0)
    heartbeat: float = Field(20.0, gt=0)
    # Briefings being posted at once, by each replica, when many fall due together: 4 keeps Slack's workspace tier
    # (several hundred a minute) full, where 1 does not, and spares SQLite's single writer the pile-up that 64
    # caused (bench/fanout.py). A run waiting out a Retry-After gives its turn to the next channel meanwhile.
    post_concurrency: int = Field(4, ge=1, le=64)

    @property
    def grace(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.grace_minutes)

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.lease_seconds)

    def retry_policy(self) -> RetryPolicy:
        """The one retry policy, fitted inside the lease: a call and a heartbeat period both end well before it, and
        a late commit is looked for at most one lease long (a taken-over claim is already a lease old)."""
        from bot.posting.policy import RetryPolicy  # not at import: the command line loads config, not posting

        lease = self.lease_seconds
        late = min(self.late_commit_seconds, lease)
        return RetryPolicy(
            attempts=self.delivery_attempts,
            base_delay=self.retry_base_delay,
            max_delay=self.retry_max_delay,
            lease=self.lease,
            call_timeout=min(self.call_timeout, lease / 2),
            late_commit=dt.timedelta(seconds=late),
            look_interval=min(15.0, max(late / 4, 0.01)),
            heartbeat=min(self.heartbeat, lease / 4),
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFBOT_", env_nested_delimiter="__", extra="forbid")

    store: Path = BUNDLED_STORE
    state_url: str = "sqlite+aiosqlite:///briefbot-state.db"
    as_of: dt.date | None = None  # freeze "today" (the bundled store is frozen at a date); None = the real date
    timezone: str = "UTC"
    max_file_bytes: int = Field(256 * 1024, ge=1024)
    watch: bool = True  # reload store files live as they change
    git_pull_seconds: int | None = Field(None, ge=5)  # git mode: the store is a checkout; pull this often
    git_history: bool = True  # when the store is a git checkout: /changes, and date: answers from the store as then
    admins: list[str] = Field(default_factory=list)  # Slack user ids, Discord role or user ids
    maintainers_channel: str | None = None  # a target for store errors and delivery failures
    default_deals: dict[str, str] = Field(default_factory=dict)  # target -> deal id
    language: str = "en"  # answers' language when neither the command (lang:) nor the reader's platform says
    channel_languages: dict[str, str] = Field(default_factory=dict)  # target -> en or fr, a channel's default
    subscriptions: list[SubscriptionConfig] = Field(default_factory=list)
    briefing: BriefingOptions = Field(default_factory=BriefingOptions)
    scheduler: SchedulerOptions = Field(default_factory=SchedulerOptions)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    http: HttpConfig = Field(default_factory=HttpConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    log_level: str = "INFO"
    max_concurrent_commands: int = Field(16, ge=1, le=10_000)  # evaluations at once; the rest wait, acked at once

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Command-line flags (init) over BRIEFBOT_* variables over the config file: one validation for all three.
        return init_settings, env_settings, ConfigFileSource(settings_cls, _CONFIG_FILE.get())

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return valid_zone(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return valid_language(value)

    @field_validator("channel_languages")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return {target: valid_language(language) for target, language in value.items()}


def config_path(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    if os.environ.get("BRIEFBOT_CONFIG"):
        return Path(os.environ["BRIEFBOT_CONFIG"])
    if LOCAL_CONFIG.is_file():
        return LOCAL_CONFIG
    return PACKAGED_CONFIG if PACKAGED_CONFIG.is_file() else None


def load_settings(explicit: Path | None = None, **overrides: Any) -> Settings:
    """Read the chosen config file, apply ``BRIEFBOT_*`` and then ``overrides`` (command-line flags)."""
    path = config_path(explicit)
    if path is not None and not path.is_file():  # the YAML source would skip a missing file without a word
        reason = "is a folder" if path.is_dir() else "does not exist"
        raise ConfigError(f"config file {path} cannot be read (it {reason})")
    flags = {k: v for k, v in overrides.items() if v is not None}
    token = _CONFIG_FILE.set(path)
    try:
        return Settings(**flags)  # flags are validated like everything else, never copied in unchecked
    except ValidationError as exc:
        raise ConfigError(describe_invalid(exc, path, set(flags))) from None
    finally:
        _CONFIG_FILE.reset(token)
