"""A reply's attachments on a terminal: written to files in a fresh private folder, and named in the output."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.reply import Reply


def save_attachments(reply: Reply, folder: Path | None = None) -> list[str]:
    """Write each attachment (a chart) to a file; one line per file saying where it is and what it shows."""
    if not reply.attachments:
        return []
    where = folder or Path(tempfile.mkdtemp(prefix="briefbot-"))  # private to this user (mode 0700)
    lines = []
    for attachment in reply.attachments:
        path = where / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        lines.append(f"Chart saved to {path}: {attachment.alt}")
    return lines
