"""E-mail digests: ``email:ADDRESS`` targets, sent over SMTP with aiosmtplib (the ``email:`` config section, the
password from the secret ``BRIEFBOT_SMTP_PASSWORD``).

Exactly once, as for webhooks (see :mod:`bot.adapters.webhooks`): a mailbox cannot be searched, so this delivery
does not implement ``FindsPosts``. The post is claimed before it is sent; a failure before the message was handed
over (no connection, STARTTLS or login refused, a 4xx/5xx answer to the sender or recipient) is certain and is
retried or refused as usual; a connection lost or a timeout while the message is being handed over is uncertain:
not sent again, closed as ``uncertain`` and reported to the maintainers. Should a message go out twice anyway
(a server that delivered it and then failed to say so, and an operator who resends), both copies carry the same
``Message-ID``, derived from the post key.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable

import aiosmtplib

from bot.adapters.email_render import build_message
from bot.config import EmailConfig
from bot.errors import PermanentDeliveryError, TransientDeliveryError
from bot.reply import Reply
from bot.targets import Target

Now = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EmailDelivery:
    platform = "email"

    def __init__(self, config: EmailConfig, password: str | None = None, *, now: Now = _utc_now) -> None:
        if not config.host:
            raise ValueError("e-mail delivery needs email.host")
        self.config = config
        self._password = password
        self.now = now

    async def deliver(self, target: Target, reply: Reply, key: str) -> str:
        if target.platform != self.platform:
            raise PermanentDeliveryError(f"{target} is not an e-mail target", target=str(target))
        message = build_message(reply, to=target.channel, key=key, config=self.config, now=self.now())
        smtp = self._client()
        where = str(target)
        try:
            await smtp.connect()  # TLS or STARTTLS, then the login: nothing has been sent if this fails
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise PermanentDeliveryError(
                f"{where}: the SMTP server refused the login ({exc.code})",
                target=where,
                reason="smtp_auth",
                fix="Check email.username in the config and the secret BRIEFBOT_SMTP_PASSWORD.",
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise _refused(exc, where) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(
                f"{where}: the SMTP server could not be reached ({type(exc).__name__})", target=where
            ) from None
        try:
            await smtp.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if not exc.recipients:
                raise PermanentDeliveryError(f"{where}: the SMTP server refused the recipient", target=where) from None
            raise _refused(exc.recipients[0], where) from None
        except aiosmtplib.SMTPResponseException as exc:  # an answer, so the server holds no copy to deliver
            raise _refused(exc, where) from None
        except (aiosmtplib.SMTPException, OSError) as exc:  # a lost connection or a timeout mid-handover
            raise TransientDeliveryError(
                f"{where}: the SMTP connection failed while sending ({type(exc).__name__}); the message may be out",
                target=where,
                uncertain=True,
            ) from None
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        return str(message["Message-ID"])

    def _client(self) -> aiosmtplib.SMTP:
        config = self.config
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        return aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.tls,
            start_tls=False if config.tls else config.starttls,  # True: refuse a server without STARTTLS
            tls_context=context if (config.tls or config.starttls) else None,
            username=config.username if config.username and self._password else None,
            password=self._password if config.username else None,
            timeout=config.timeout,
        )


def _refused(exc: aiosmtplib.SMTPResponseException, where: str) -> TransientDeliveryError | PermanentDeliveryError:
    """A 4xx answer is "try later" (nothing kept), a 5xx one is a refusal a human must look at."""
    said = " ".join(str(exc.message).split())[:120]
    if 400 <= exc.code < 500:
        return TransientDeliveryError(f"{where}: the SMTP server said {exc.code} {said}", target=where)
    return PermanentDeliveryError(
        f"{where}: the SMTP server refused the message ({exc.code} {said})",
        target=where,
        reason="smtp_refused",
        fix="Check the address, and that the SMTP server relays mail from email.from_address.",
    )


__all__ = ["EmailDelivery"]
