"""A reply's attachments (a chart) on Slack: uploaded with files upload v2 (``files.getUploadURLExternal``, the
upload itself, ``files.completeUploadExternal``; ``files_upload_v2`` in the SDK does the three steps).

A file shared in a channel is seen by everyone there, so it follows the answer's visibility: a shared answer's
chart goes to the channel, a private answer's to the asker's direct messages with the bot.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.reply import Reply, Visibility

log = logging.getLogger(__name__)

ALT_MAX = 1000  # Slack's limit on a file's alt text


async def upload_attachments(client: AsyncWebClient, reply: Reply, *, channel: str | None, user: str | None) -> None:
    """Upload ``reply``'s files after its answer was sent; a failure is logged (the answer itself stands)."""
    if not reply.attachments:
        return
    try:
        where = channel if reply.visibility is Visibility.SHARED and channel else None
        if where is None:
            if not user:
                return
            opened = await client.conversations_open(users=user)
            where = str(opened["channel"]["id"])
        for attachment in reply.attachments:
            await client.files_upload_v2(
                channel=where,
                file=attachment.data,
                filename=attachment.filename,
                title=f"{reply.title}: {attachment.filename}",
                alt_txt=attachment.alt[:ALT_MAX],
                initial_comment=f"The chart for {reply.command or reply.title}",
            )
    except SlackApiError as exc:
        error = exc.response.get("error") if hasattr(exc.response, "get") else exc
        log.warning("could not upload %s to Slack: %s", [a.filename for a in reply.attachments], error)
