"""E-mail digests end to end: the real aiosmtplib client against a real aiosmtpd server on 127.0.0.1, plain and
with STARTTLS and a login (a self-signed certificate made for the test), and through the post-once path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.email import EmailDelivery
from bot.adapters.email_render import KEY_HEADER, message_id
from bot.config import EmailConfig
from bot.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from bot.markup import escape
from bot.posting import Poster, PostKind, PostOutcome, PostRequest
from bot.reply import Field, Progress, Reply, Section, SourceRef
from bot.state import claims, open_state
from bot.state.claims import PostState
from bot.targets import Target
from tests.fakes.smtp import PASSWORD, USER, Sink, free_port, self_signed, smtp_server

TO = Target.parse("email:reader@example.org")
KEY = f"{TO}|canada-us|2025-05-05"
NOW = dt.datetime(2025, 5, 5, 12, 0, tzinfo=dt.UTC)
REPLY = Reply(
    title="Canada–US trade talks: briefing",
    subtitle="Monday 5 May 2025",
    sections=(
        Section(
            heading="What changed",
            text="**Dairy** moved to _in progress_.\n\n- " + escape("<script>alert(1)</script> & *stars*"),
        ),
        Section(heading="Progress", progress=(Progress("Chapters", 3, 7, "2/7 → 3/7"),)),
        Section(fields=(Field("Next round", "[12 May](https://example.org/round)"),)),
    ),
    sources=(SourceRef("Wire", "Talks resume", "2 May 2025", "https://example.org/wire"),),
    footer=("as of 2 May 2025",),
).shared()


def config(port: int, **changes: object) -> EmailConfig:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "from_address": "briefs@example.com",
        "timeout": 5,
    }
    values.update(changes)
    return EmailConfig.model_validate(values)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def plain_port(sink: Sink) -> Iterator[int]:
    with smtp_server(sink) as port:
        yield port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


async def test_a_digest_is_one_message_with_text_and_html_from_the_same_reply(sink: Sink, plain_port: int) -> None:
    sent_id = await EmailDelivery(config(plain_port), now=lambda: NOW).deliver(TO, REPLY, KEY)

    (received,) = sink.messages
    assert sink.recipients == [["reader@example.org"]]
    assert received["To"] == "reader@example.org"
    assert received["From"] == "Briefbot <briefs@example.com>"
    assert received["Subject"] == "Canada–US trade talks: briefing: Monday 5 May 2025"
    assert received["Message-ID"] == sent_id == message_id(KEY, "briefs@example.com")
    assert sent_id.endswith("@example.com>")
    assert (
        received["List-Unsubscribe"].strip() == "<mailto:briefs@example.com?subject=unsubscribe%20reader%40example.org>"
    )
    assert received["Auto-Submitted"] == "auto-generated"
    assert received[KEY_HEADER] == KEY
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    for part in (plain, markup):
        assert "Canada–US trade talks: briefing" in part and "What changed" in part and KEY in part
    assert "Dairy moved to in progress." in plain and "Chapters  █████░░░░░░░  3/7  (2/7 → 3/7)" in plain
    assert "<strong>Dairy</strong> moved to <em>in progress</em>" in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; *stars*" in markup  # store text is text, never markup
    assert "<script>" not in markup
    assert '<a href="https://example.org/round">12 May</a>' in markup
    assert '<a href="https://example.org/wire">' in markup


async def test_the_same_post_key_gives_the_same_message_id_so_a_resend_is_recognisable(
    sink: Sink, plain_port: int
) -> None:
    delivery = EmailDelivery(config(plain_port, unsubscribe="https://example.org/unsubscribe?list=briefs"))

    first = await delivery.deliver(TO, REPLY, KEY)
    again = await delivery.deliver(TO, REPLY, KEY)
    other = await delivery.deliver(TO, REPLY, KEY.replace("05-05", "05-06"))

    assert first == again != other
    assert [m["Message-ID"] for m in sink.messages] == [first, first, other]
    assert sink.messages[0]["List-Unsubscribe"].strip() == "<https://example.org/unsubscribe?list=briefs>"


async def test_starttls_and_login_with_a_private_ca(sink: Sink, certificate: tuple[Path, Path]) -> None:
    cert, _ = certificate
    with smtp_server(sink, tls=certificate) as port:
        secure = config(port, starttls=True, username=USER, ca_file=cert)
        await EmailDelivery(secure, PASSWORD).deliver(TO, REPLY, KEY)
        with pytest.raises(PermanentDeliveryError) as refused:
            await EmailDelivery(secure, "wrong password").deliver(TO, REPLY, KEY)
        with pytest.raises(TransientDeliveryError) as untrusted:  # the certificate is not trusted without ca_file
            await EmailDelivery(config(port, starttls=True, username=USER), PASSWORD).deliver(TO, REPLY, KEY)

    assert sink.logins == [USER] and len(sink.messages) == 1
    assert refused.value.reason == "smtp_auth" and "BRIEFBOT_SMTP_PASSWORD" in refused.value.fix
    assert PASSWORD not in str(refused.value)
    assert not untrusted.value.uncertain


async def test_a_server_requiring_starttls_gets_no_plain_message(sink: Sink, certificate: tuple[Path, Path]) -> None:
    with smtp_server(sink, tls=certificate) as port, pytest.raises(DeliveryError):
        await EmailDelivery(config(port, starttls=False, username=USER), PASSWORD).deliver(TO, REPLY, KEY)

    assert sink.messages == []


async def test_refused_recipients_are_permanent_or_transient_by_their_code(sink: Sink, plain_port: int) -> None:
    delivery = EmailDelivery(config(plain_port))
    sink.refuse_rcpt = "550 5.1.1 No such user"
    with pytest.raises(PermanentDeliveryError) as unknown:
        await delivery.deliver(TO, REPLY, KEY)
    sink.refuse_rcpt = "451 4.7.1 Greylisted, try again later"
    with pytest.raises(TransientDeliveryError) as later:
        await delivery.deliver(TO, REPLY, KEY)

    assert "No such user" in str(unknown.value)
    assert not later.value.uncertain  # an answer: the server kept nothing
    assert sink.messages == []


async def test_an_unreachable_server_is_a_certain_failure() -> None:
    with pytest.raises(TransientDeliveryError) as failed:
        await EmailDelivery(config(free_port())).deliver(TO, REPLY, KEY)

    assert not failed.value.uncertain


async def test_a_connection_lost_after_handing_the_message_over_is_uncertain_and_not_resent(
    sink: Sink, plain_port: int, db_url: str
) -> None:
    sink.drop_data = True  # accepted, then the connection is cut before "250"
    state = await open_state(db_url)
    try:
        poster = Poster(
            state=state,
            deliveries={"email": EmailDelivery(config(plain_port))},
            claimant="a",
            now=lambda: dt.datetime.now(dt.UTC),
        )
        request = PostRequest(
            kind=PostKind.BRIEFING,
            key=KEY,
            target=TO,
            deal="canada-us",
            local_date=dt.date(2025, 5, 5),
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
            reply=REPLY,
        )
        result = await poster.post(request)
        again = await poster.post(request)
        post = await claims.get(state, KEY)
    finally:
        await state.close()

    assert result.outcome is PostOutcome.UNCERTAIN and again.outcome is PostOutcome.DONE
    assert len(sink.messages) == 1
    assert post is not None and post.state is PostState.UNCERTAIN


def test_the_readme_email_example_is_a_valid_config() -> None:
    import re

    import yaml

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### E-mail and webhooks", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    parsed = EmailConfig.model_validate(yaml.safe_load(example.group(1))["email"])

    assert parsed.enabled and parsed.starttls and parsed.port == 587
