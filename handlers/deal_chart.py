"""``/deal chart``: the deal's answer with a picture of its progress per track over time, from git history."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import cast

from bot.context import Context
from bot.reply import Attachment, Reply
from bot.store import DealEntry
from bot.store.documents import Document
from bot.store.model import Deal

WORD = "chart"
NO_HISTORY = "No chart: it is drawn from the store's git history, and this store is not served from a git checkout."


def wants_chart(arg: str) -> tuple[str, bool]:
    """``canada-us chart`` -> (``canada-us``, True); the word may come alone (``/deal chart``)."""
    words = arg.split()
    if words and words[-1].lower() == WORD:
        return " ".join(words[:-1]), True
    return arg, False


async def with_chart(reply: Reply, deal: DealEntry, ctx: Context, as_of: dt.date) -> Reply:
    from bot.charts import describe, progress_series, render_png  # only when a chart is asked for

    history = ctx.ports.history
    revisions = await history.revisions(deal.doc.path) if history is not None else []
    until = dt.datetime.combine(as_of, dt.time(23, 59), tzinfo=dt.UTC)
    committed = [
        (r.commit.when, cast(Deal, r.document.model))
        for r in revisions
        if isinstance(r.document, Document) and r.commit.day <= as_of
    ]
    if not committed:
        return replace(reply, footer=(*reply.footer, NO_HISTORY))
    series = progress_series([*committed, (until, deal.deal)])  # the deal as served now is the last point
    title = f"{deal.deal.title}: milestones done per track"
    png = await asyncio.to_thread(render_png, title, series, until)  # a few hundred ms of drawing: off the loop
    chart = Attachment(f"{deal.id}-progress.png", png, describe(deal.deal.title, series, until))
    return replace(reply, attachments=(*reply.attachments, chart))
