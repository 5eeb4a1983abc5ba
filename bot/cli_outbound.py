"""``briefbot brief --channel email:ADDRESS`` (or a webhook target): what would be sent, byte for byte.

For an e-mail target, the whole MIME message (headers, plain and HTML parts) the SMTP server would receive; for a
webhook target, the JSON body posted to it. The post key is the scheduler's (target, deal, date), so the
``Message-ID`` and the key in the footer are those of that day's scheduled briefing.
"""

from __future__ import annotations

import json

from bot.commands import Command
from bot.config import EmailConfig
from bot.context import Context
from bot.reply import Reply
from bot.schedule_plan import post_key
from bot.targets import WEBHOOKS

OUTBOUND = ("email", *WEBHOOKS)


def outbound_text(reply: Reply, command: Command, ctx: Context, email: EmailConfig) -> str | None:
    """The message or body ``reply`` becomes for ``ctx.target``, or None for a chat or console target."""
    target = ctx.target
    if target.platform not in OUTBOUND:
        return None
    from handlers.common import resolve_deal

    key = post_key(str(target), resolve_deal(command, ctx, command.arg or None).id, ctx.as_of(command))
    reply = reply.shared()  # as the scheduler posts it
    if target.platform == "email":
        from bot.adapters.email_render import build_message

        message = build_message(reply, to=target.channel, key=key, config=email, now=ctx.ports.clock.now())
        return message.as_string()
    from bot.adapters.webhooks import payload

    return json.dumps(payload(target, reply, key), indent=2, ensure_ascii=False) + "\n"


__all__ = ["OUTBOUND", "outbound_text"]
