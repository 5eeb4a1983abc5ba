"""/verify <topic>: record that a topic was reviewed, without editing its file (kept in the state database).

Only the topic's owner (``owner:`` in its front matter, as a target or a person's ``contact:``) or a Briefbot admin
may verify it. The review restarts the ``review_every:`` clock and takes the topic out of the briefing's stale
section; ``/status`` shows it.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.commands import Command, CommandSpec, Param, ParamKind
from bot.context import Context
from bot.errors import UserError
from bot.markup import escape
from bot.reply import Reply, Section
from bot.router import CommandDef
from bot.store.dates import human_day
from bot.store.documents import Document
from bot.store.review import due_on, owner_target, people_of
from bot.targets import Target
from handlers.running import state_of
from handlers.watch import exact_topic

log = logging.getLogger(__name__)
SPEC = CommandSpec(
    name="verify",
    description="Record that a topic was reviewed and is still right (its owner or an admin).",
    params=(
        Param("topic", ParamKind.TOPIC, "The topic you reviewed", positional=True, required=True),
        Param("deal", ParamKind.DEAL, "The topic's deal, when several have it"),
    ),
    examples=("/verify tariffs",),
    effects=True,
)


def asker(ctx: Context) -> Target | None:
    """The asker as a direct-message target (``slack:T1:@U2``), the form owners are written in."""
    if ctx.user is None or ctx.target.platform == "console":
        return None
    return Target(ctx.target.platform, (*ctx.target.parts[:-1], f"@{ctx.user}"))


async def handle(command: Command, ctx: Context) -> Reply:
    from bot.state import reviews

    entity = exact_topic(command, ctx)
    assert entity.deal_id is not None
    entry = ctx.store.topic(entity.deal_id, entity.id)
    assert entry is not None
    owner = owner_target(entry.topic.owner, people_of(ctx.store))
    if not ctx.is_admin and (owner is None or owner != asker(ctx)):
        who = "its owner" if owner is not None else "a Briefbot admin (it has no owner: add owner: to its file)"
        raise UserError(f"Only {who} can verify {entity.label}.")
    today = ctx.today
    async with state_of(ctx, "/verify") as state:
        await reviews.record(state, entry.doc.path, on=today, by=ctx.user, now=ctx.ports.clock.now())
    return Reply(
        title=f"Review recorded: {entry.topic.title}",
        sections=(Section(text=escape(_next_review(entry.doc, today, ctx))),),
        footer=(entry.doc.path,),
    )


def _stale_after(ctx: Context) -> int:
    from bot.config import BriefingOptions

    return (ctx.ports.briefing or BriefingOptions()).stale_after_days


def _next_review(doc: Document, today: dt.date, ctx: Context) -> str:
    found = due_on(doc, _stale_after(ctx), {doc.path: today})
    return f"Reviewed today; the next review is due {human_day(found[0])}." if found else "Reviewed today."


async def review_note(ctx: Context, doc: Document) -> tuple[str, ...]:
    """``/status``'s line about reviews, for a document with an ``owner:`` or ``review_every:`` (only those read
    the state database, so a plain lookup never opens one) in a process that has a state database."""
    if ctx.ports.state is None or not (getattr(doc.model, "owner", None) or getattr(doc.model, "review_every", None)):
        return ()
    from bot.state import reviews

    async with ctx.ports.state() as state:
        review = await reviews.review_of(state, doc.path)
    found = due_on(doc, _stale_after(ctx), {doc.path: review.reviewed_on} if review else {})
    due = f"next review due {human_day(found[0])}" if found else "no review due"
    if review is None:
        return (f"Not verified yet; {due}",)
    by = f" by {review.reviewed_by}" if review.reviewed_by else ""
    return (f"Verified {human_day(review.reviewed_on)}{by}; {due}",)


async def reviewed_days(ctx: Context) -> dict[str, dt.date]:
    """Reviews recorded with /verify, for the briefing's stale section, where the running bot has a state database
    (a console or one-shot answer does not open one just for this)."""
    if ctx.ports.state is None or ctx.target.platform == "console":
        return {}
    from bot.state import reviews

    try:
        async with ctx.ports.state() as state:
            return await reviews.reviewed_days(state)
    except Exception:  # a briefing that lists a reviewed document as stale beats no briefing
        log.warning("could not read the recorded reviews", exc_info=True)
        return {}


COMMAND = CommandDef(SPEC, handle)
