"""/subscribe and /unsubscribe (admins): the daily briefing of a deal in a channel, at a local time.

Subscriptions made here live in the state database and every replica picks them up within a minute (this one at
once). Those declared in config are read-only: /subscribe on one only resumes it after a delivery failure paused
it. Before subscribing, the bot checks that it can post there and says how to fix it if not.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.config import DAYS, SubscriptionConfig
from bot.context import Context
from bot.credentials import WEBHOOK_PREFIX, webhook_env_name
from bot.delivery import ChecksTargets
from bot.errors import BadArgument, BriefbotError, PermanentDeliveryError, TransientDeliveryError
from bot.i18n import LANGUAGES
from bot.markup import escape
from bot.reply import Reply, Section, Tone
from bot.router import CommandDef
from bot.store.dates import parse_day
from bot.store.index import EntityKind
from bot.targets import WEBHOOKS, Target
from handlers.common import resolve_deal, target_option
from handlers.running import apply_now, state_of
from handlers.subscription_text import describe, local_time

if TYPE_CHECKING:
    from bot.state import State

LANGUAGE_NAMES = {"en": "English", "fr": "French"}

CHANNEL = Param(  # 100 characters at most: Discord's limit for an option's description
    "channel",
    ParamKind.TARGET,
    "Target (default: here): slack:T1:C2, email:you@example.org, or a webhook such as teams-webhook:NAME",
)
SPEC = CommandSpec(
    name="subscribe",
    description="Post the daily deal briefing in this channel at a local time (admins).",
    params=(
        Param("deal", ParamKind.DEAL, "Which deal (optional when there is one)", positional=True),
        Param("time", ParamKind.TEXT, "Local time, HH:MM (default 08:00)"),
        Param("timezone", ParamKind.TEXT, "IANA time zone such as America/Toronto (default: the bot's)"),
        Param("days", ParamKind.TEXT, "Days: mon-fri (default), daily, or a list such as mon,wed,fri"),
        Param("skip", ParamKind.TEXT, "Dates to skip, such as 2025-05-19,2025-07-01"),
        CHANNEL,
        Param(
            "language",
            ParamKind.CHOICE,
            "The briefing's language: en or fr (default: the channel's, from config)",
            choices=LANGUAGES,
        ),
    ),
    # No e-mail or webhook example: every example must answer on a bare install (tests/handlers/test_help_examples).
    examples=("/subscribe time:08:00 timezone:America/Toronto", "/subscribe canada-us days:mon,wed,fri"),
    admin=True,
    effects=True,
)
UNSUBSCRIBE_SPEC = CommandSpec(
    name="unsubscribe",
    description="Stop the daily deal briefing in this channel (admins).",
    params=(Param("deal", ParamKind.DEAL, "Which deal (optional when there is one)", positional=True), CHANNEL),
    examples=("/unsubscribe", "/unsubscribe canada-us"),
    admin=True,
    effects=True,
)


async def handle(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "Subscriptions") as state:
        return await _handle_with(command, ctx, state)


async def _handle_with(command: Command, ctx: Context, state: State) -> Reply:
    from bot.state import subscriptions
    from bot.state.subscriptions import Subscription

    deal = resolve_deal(command, ctx, command.arg or None)
    target = target_option(command, ctx)
    refuse_restricted(ctx, deal.id, target)
    conf = _config(command, str(target), deal.id, ctx.ports.timezone)
    now = ctx.ports.clock.now()
    declared = next(
        (s for s in ctx.ports.configured_subscriptions if (s.target, s.deal) == (conf.target, conf.deal)), None
    )
    if declared is not None:
        if await subscriptions.resume(state, conf.target, conf.deal, now=now):
            await apply_now(ctx)
            return _answer("Subscription resumed", f"The briefing of **{deal.id}** in `{target}` is back on.")
        raise BadArgument(
            f"{target} already gets {deal.id} from the config file, which chat cannot change; edit "
            "config/briefbot.yaml instead."
        )
    problem = await _cannot_post(ctx, target)
    if problem is not None:
        return problem
    sub = replace(Subscription.from_config(conf), source=subscriptions.CHAT, created_by=ctx.user or "console")
    await subscriptions.upsert(state, sub, now=now)
    await apply_now(ctx)
    when = describe(sub) + (f", in {LANGUAGE_NAMES[sub.language]}" if sub.language else "")
    if ctx.ports.clock.frozen:
        return _answer(
            "Subscribed",
            f"The **{escape(deal.deal.title)}** briefing is set for `{target}` {when}. {ctx.ports.clock.frozen_note()}",
        )
    from bot.schedule_plan import next_occurrence, trigger_for  # brings APScheduler: only a subscriber needs it

    upcoming = next_occurrence(trigger_for(sub), now)
    nxt = f" Next: {local_time(sub, upcoming)}." if upcoming else ""
    return _answer(
        "Subscribed", f"The **{escape(deal.deal.title)}** briefing will be posted in `{target}` {when}.{nxt}"
    )


async def handle_unsubscribe(command: Command, ctx: Context) -> Reply:
    async with state_of(ctx, "Subscriptions") as state:
        return await _handle_unsubscribe_with(command, ctx, state)


async def _handle_unsubscribe_with(command: Command, ctx: Context, state: State) -> Reply:
    from bot.state import subscriptions

    deal = resolve_deal(command, ctx, command.arg or None)
    target = target_option(command, ctx)
    if any((s.target, s.deal) == (str(target), deal.id) for s in ctx.ports.configured_subscriptions):
        raise BadArgument(f"{target} gets {deal.id} from the config file; remove it from config/briefbot.yaml.")
    if not await subscriptions.delete(state, str(target), deal.id):
        raise BadArgument(f"{target} has no daily briefing of {deal.id}.")
    await apply_now(ctx)
    return _answer("Unsubscribed", f"No more daily **{escape(deal.id)}** briefings in `{target}`.")


def refuse_restricted(ctx: Context, deal_id: str, target: Target) -> None:
    """A deal restricted to some targets is never briefed elsewhere: refuse the subscription now, not at 08:00.
    The refusal is shown where the command was typed, where the asker can already see the deal."""
    if not ctx.store.index.visible(EntityKind.DEAL, deal_id, None, str(target)):
        raise BadArgument(
            f"{deal_id} is restricted to other channels, and {target} is not on its `restricted_to` list, so its "
            "briefing cannot be posted there."
        )


def parse_days(text: str) -> list[str]:
    """``mon-fri``, ``daily``, ``weekdays``, ``sat,sun`` or ``mon,wed-fri``."""
    text = text.strip().lower()
    if text in ("daily", "every day", "everyday", "all"):
        return list(DAYS)
    if text in ("weekdays", "workdays"):
        return list(DAYS[:5])
    days: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, _, end = part.partition("-")
        first, last = start[:3], (end or start)[:3]
        if first not in DAYS or last not in DAYS:
            raise BadArgument(f"days: '{part}' is not a day or range; use mon-fri, daily or mon,wed,fri")
        i, j = DAYS.index(first), DAYS.index(last)
        days.extend(DAYS[k % 7] for k in range(i, (j if j >= i else j + 7) + 1))
    if not days:
        raise BadArgument("days: name at least one day, such as mon-fri")
    return list(dict.fromkeys(d for d in DAYS if d in days))


_LOOSE_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?")


def local_time_option(text: str) -> str:
    """``9:00`` or ``9`` -> ``09:00``; anything else (``8am`` too: which notation next?) is returned as typed, for
    the validator to refuse with its usual words."""
    match = _LOOSE_TIME.fullmatch(text.strip())
    if not match:
        return text
    hour, minute = int(match[1]), int(match[2] or 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else text


def timezone_option(text: str) -> str:
    """An IANA zone, forgiving case and a bare city (``toronto`` -> ``America/Toronto``) when only one zone has it;
    a typo is refused with the zones it may mean: a subscription acts on what is certain, never on a guess."""
    from zoneinfo import available_timezones

    text = text.strip()
    zones = available_timezones()
    if text in zones:
        return text
    wanted = text.casefold().replace(" ", "_")
    same = [z for z in zones if z.casefold() == wanted] or sorted(
        z for z in zones if "/" in z and z.rsplit("/", 1)[1].casefold() == wanted
    )
    if len(same) == 1:
        return same[0]
    # rapidfuzz only for a zone not found as typed: not at import, which every one-shot `briefbot ask` pays for
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    # compare like with like: a city with cities, a full name with full names
    names = {z: (z.casefold() if "/" in wanted else z.rsplit("/", 1)[-1].casefold()) for z in zones}
    similar = DamerauLevenshtein.normalized_similarity
    near = same or [z for _, _, z in process.extract(wanted, names, scorer=similar, limit=3, score_cutoff=0.75)]
    if near:
        raise BadArgument(f"timezone: '{text}' is not a time zone; did you mean {' or '.join(sorted(near))}?")
    raise BadArgument(f"timezone: '{text}' is not a time zone: use an IANA name such as America/Toronto")


def _config(command: Command, target: str, deal: str, default_zone: str) -> SubscriptionConfig:
    skip = []
    for text in (s.strip() for s in (command.option("skip") or "").split(",")):
        if text:
            try:
                skip.append(parse_day(text))
            except ValueError as exc:
                raise BadArgument(f"skip: {exc}") from None
    values: dict[str, Any] = {
        "target": target,
        "deal": deal,
        "time": local_time_option(command.option("time") or "08:00"),
        "timezone": timezone_option(command.option("timezone") or default_zone),
        "skip_dates": skip,
    }
    if command.option("days"):
        values["days"] = parse_days(command.option("days") or "")
    if command.option("language"):
        values["language"] = command.option("language")
    try:
        return SubscriptionConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise BadArgument(problems) from None


async def _cannot_post(ctx: Context, target: Target) -> Reply | None:
    delivery = ctx.ports.deliveries.get(target.platform)
    if delivery is None:
        raise BadArgument(_not_set_up(target))
    if not isinstance(delivery, ChecksTargets):
        return None
    try:
        await delivery.check(target)
    except PermanentDeliveryError as exc:
        fix = exc.fix or "Check that Briefbot is in that channel and may post there."
        return Reply(
            title="Briefbot cannot post there yet",
            tone=Tone.ERROR,
            sections=(Section(text=f"{escape(str(exc))}\n\n{fix}"),),
        )
    except TransientDeliveryError as exc:
        raise BriefbotError(f"Could not check {target} right now ({exc}); try again in a moment.") from exc
    return None


def _not_set_up(target: Target) -> str:
    """E-mail and webhooks need no connection, only configuration: say which."""
    if target.platform == "email":
        return (
            f"E-mail is not set up, so Briefbot cannot send to {target}: add an email section with the SMTP host to "
            'config/briefbot.yaml (README, "E-mail and webhooks").'
        )
    if target.platform in WEBHOOKS:
        return (
            f"No incoming webhook is set up, so Briefbot cannot post to {target}: set "
            f'{WEBHOOK_PREFIX}{webhook_env_name(target.channel)} to its URL (README, "E-mail and webhooks").'
        )
    return f"Briefbot is not connected to {target.platform}, so it cannot post in {target}."


def _answer(title: str, text: str) -> Reply:
    return Reply(title=title, sections=(Section(text=text),))


COMMAND = CommandDef(SPEC, handle)
UNSUBSCRIBE = CommandDef(UNSUBSCRIBE_SPEC, handle_unsubscribe)
