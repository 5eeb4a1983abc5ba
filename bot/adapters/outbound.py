"""The deliveries that need no chat connection: incoming webhooks and e-mail, built when configured.

Webhooks are registered (for all three webhook platforms) when any ``BRIEFBOT_WEBHOOK_<NAME>`` secret is set; a
target naming a webhook without a URL is refused when subscribed (``check``). E-mail is registered when the
``email:`` config section names a host. Imported lazily, so a run without them loads neither httpx's nor
aiosmtplib's code paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.config import Settings
from bot.credentials import Secrets
from bot.delivery import Delivery
from bot.targets import WEBHOOKS


def outbound_deliveries(
    settings: Settings, secrets: Secrets, *, now: Callable[[], dt.datetime] | None = None
) -> dict[str, Delivery]:
    """Deliveries by platform name, for the composition root's ``deliveries``."""
    found: dict[str, Delivery] = {}
    if secrets.webhooks:
        from bot.adapters.webhooks import WebhookDelivery

        timeout = settings.scheduler.retry_policy().call_timeout  # the post-once path gives up then anyway
        for platform in WEBHOOKS:
            found[platform] = WebhookDelivery(platform, secrets.webhook_url, timeout=timeout)
    if settings.email.enabled:
        from bot.adapters.email import EmailDelivery

        found["email"] = EmailDelivery(settings.email, secrets.smtp_password, **({"now": now} if now else {}))
    return found


__all__ = ["outbound_deliveries"]
