"""End to end through the real slack-bolt ``AsyncApp`` and slack_sdk clients, against a fake Slack on loopback:
Socket Mode slash commands and buttons, ``response_url`` follow-ups, and scheduled posts through the post-once
path (``bot.posting``) on a real SQLite post log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack import RENDER_FAILED, WORKING, SlackService
from bot.adapters.slack_delivery import EVENT_TYPE, SlackDelivery
from bot.adapters.slack_render import RUN_ACTION, SHARE_ACTION
from bot.app import App
from bot.credentials import Secrets
from bot.errors import ConfigError, PermanentDeliveryError
from bot.posting import PostOutcome
from bot.targets import Target
from handlers import CORE_COMMANDS
from tests.adapters.conftest import APP_TOKEN, BOT_TOKEN, PostOnce, slack_settings, slow_command, socket_app, started
from tests.fakes.slack_api import TEAM_ID, FakeSlack

CHANNEL = "C0BRIEF"
DEAL = "northwind-fisheries"  # the fixture store follows two deals
TARGET = Target("slack", (TEAM_ID, CHANNEL))


def texts(message: dict[str, Any]) -> str:
    """Every piece of text a reader would see in a message, joined."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                found.append(value["text"])
            for key, item in value.items():
                if key != "text" or not isinstance(item, str):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(found)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# --- slash commands over Socket Mode ------------------------------------------------------------------------


async def test_status_is_answered_inside_the_ack(slack_app: App, fake_slack: FakeSlack) -> None:
    ack = await fake_slack.slash_command("/status", "cod")

    assert ack["response_type"] == "ephemeral"
    assert ack["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Cod quota", "emoji": True},
    }
    shown = texts(ack)
    assert "two seasons" in shown
    assert "funds part of the patrol fleet" in shown
    assert "Cod quota" in ack["text"]  # the notification fallback
    assert [b["value"] for b in buttons(ack) if b["action_id"] == SHARE_ACTION] == ["/status cod"]
    # bolt authorised with the bot token and Socket Mode was opened with the app token, both at the fake
    assert fake_slack.calls_to("auth.test")[0].token == BOT_TOKEN
    assert fake_slack.calls_to("apps.connections.open")[0].token == APP_TOKEN


async def test_a_lookup_of_channel_markup_comes_back_escaped(slack_app: App, fake_slack: FakeSlack) -> None:
    ack = await fake_slack.slash_command("/status", "x <!channel> <@U0BOSS> <!here>")

    raw = json.dumps(ack)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0BOSS>" not in raw
    assert "&lt;!channel&gt;" in texts(ack) or "&lt;!channel&gt;" in ack["text"]


async def test_share_button_reposts_the_answer_for_the_channel(slack_app: App, fake_slack: FakeSlack) -> None:
    ack = await fake_slack.slash_command("/status", "cod")
    share = next(b for b in buttons(ack) if b["action_id"] == SHARE_ACTION)

    await fake_slack.block_action(share["action_id"], share["value"], user="U0SHARER")
    posted = await fake_slack.next_response()
    cleanup = await fake_slack.next_response()

    assert posted["response_type"] == "in_channel"
    assert posted["replace_original"] is False
    assert "two seasons" in texts(posted)
    assert "Shared by <@U0SHARER>" in texts(posted)
    assert not [b for b in buttons(posted) if b["action_id"] == SHARE_ACTION]  # already visible to all
    assert cleanup["delete_original"] is True  # the private copy goes away


async def test_a_share_click_never_runs_a_command_with_effects_again(slack_app: App, fake_slack: FakeSlack) -> None:
    reloads = slack_app.live_store.reloads

    # an old or forged Share button carrying a command with effects is answered privately, never run
    await fake_slack.block_action(SHARE_ACTION, "/reload", user="U0SHARER")
    refused = await fake_slack.next_response()

    assert refused["response_type"] == "ephemeral" and refused["replace_original"] is False
    assert "cannot be shared" in texts(refused)
    assert slack_app.live_store.reloads == reloads  # the store was not re-read


async def test_a_choice_button_answers_as_if_the_name_had_been_typed(slack_app: App, fake_slack: FakeSlack) -> None:
    ack = await fake_slack.slash_command("/status", "port")  # ambiguous: port access in either deal
    choices = [b for b in buttons(ack) if b["action_id"].startswith(RUN_ACTION)]
    assert [b["value"] for b in choices] == [
        "/status port-access deal:northwind-fisheries",
        "/status port-access deal:northwind-timber",
    ]

    await fake_slack.block_action(choices[0]["action_id"], choices[0]["value"])
    answer = await fake_slack.next_response()

    assert answer["replace_original"] is True  # the private question is replaced by its answer
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Port access for fishing fleets"


async def test_a_slow_answer_is_acked_at_once_and_follows_through_the_response_url(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    release = asyncio.Event()
    commands = [*CORE_COMMANDS, slow_command(release)]
    app = socket_app(tmp_path, fake_slack, commands=commands)
    service = await started(app, fake_slack)
    service.ack_budget = 0.01
    try:
        ack = await fake_slack.slash_command("/slow")
        assert ack == {"text": WORKING, "response_type": "ephemeral"}
        release.set()
        follow_up = await fake_slack.next_response()
    finally:
        await service.stop()

    assert follow_up["blocks"][0]["text"]["text"] == "Slow answer"
    assert "Done *now*." in texts(follow_up)
    assert follow_up["response_type"] == "ephemeral"


async def test_commands_carry_the_configured_prefix(tmp_path: Path, fake_slack: FakeSlack) -> None:
    app = socket_app(tmp_path, fake_slack, command_prefix="trade-")
    service = await started(app, fake_slack)
    try:
        ack = await fake_slack.slash_command("/trade-status", "cod")
    finally:
        await service.stop()

    assert "two seasons" in texts(ack)
    assert "`/trade-timeline cod-quota deal:northwind-fisheries`" in texts(ack)  # pointers use the names users can type


async def test_app_builds_the_slack_service_from_its_secrets(slack_app: App) -> None:
    services = slack_app._platform_services()

    assert [type(s) for s in services] == [SlackService]
    assert isinstance(slack_app.deliveries["slack"], SlackDelivery)


# --- scheduled posts through the delivery protocol ------------------------------------------------------------


async def test_a_briefing_is_posted_once_with_its_key_in_metadata(
    slack_app: App, fake_slack: FakeSlack, post_once: PostOnce
) -> None:
    delivery = slack_app.deliveries["slack"]
    reply = await slack_app.ask(f"/brief {DEAL}", TARGET)

    ts = (await post_once(delivery, TARGET, reply, f"{DEAL}:2030-03-10", sleep=RecordingSleep())).message_id

    [post] = fake_slack.posts(CHANNEL)
    assert post["ts"] == ts
    assert post["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": f"{DEAL}:2030-03-10"}}
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    assert post["blocks"][0]["text"]["text"].startswith("Daily briefing")
    assert not [b for b in buttons(post) if b["action_id"] == SHARE_ACTION]  # a post is already shared
    assert isinstance(delivery, SlackDelivery)
    assert await delivery.find_post(TARGET, f"{DEAL}:2030-03-10") == ts
    assert await delivery.find_post(TARGET, f"{DEAL}:2030-03-11") is None


async def test_a_429_is_waited_out_by_the_post_once_path_not_the_sdk(
    slack_app: App, fake_slack: FakeSlack, post_once: PostOnce
) -> None:
    fake_slack.fail("chat.postMessage", status=429, retry_after=0, times=2)
    sleep = RecordingSleep()
    reply = await slack_app.ask(f"/deal {DEAL}", TARGET)

    ts = (await post_once(slack_app.deliveries["slack"], TARGET, reply, "k-429x2", sleep=sleep)).message_id

    assert len(fake_slack.calls_to("chat.postMessage")) == 3  # refused twice, then accepted
    assert [p["ts"] for p in fake_slack.posts(CHANNEL)] == [ts]
    # Retry-After, not the exponential backoff, waited out where the claim's lease is renewed: the SDK's own
    # rate-limit handler never repeats a post (it would wait inside the call, outliving the lease)
    assert sleep.waits == [0.0, 0.0]


async def test_a_post_that_failed_after_landing_is_found_not_repeated(
    slack_app: App, fake_slack: FakeSlack, post_once: PostOnce
) -> None:
    fake_slack.fail("chat.postMessage", status=500, error="internal_error", retry_after=None, commit=True)
    reply = await slack_app.ask(f"/deal {DEAL}", TARGET)

    result = await post_once(slack_app.deliveries["slack"], TARGET, reply, "k-500", sleep=RecordingSleep())
    ts = result.message_id
    assert result.outcome is PostOutcome.FOUND

    assert [p["ts"] for p in fake_slack.posts(CHANNEL)] == [ts]  # looked up by key instead of posted twice
    assert fake_slack.calls_to("conversations.history")


@pytest.mark.parametrize(
    "error",
    ["not_in_channel", "channel_not_found", "is_archived", "account_inactive", "token_revoked", "invalid_auth"],
)
async def test_permanent_errors_are_not_retried_and_say_why(
    slack_app: App, fake_slack: FakeSlack, post_once: PostOnce, error: str
) -> None:
    fake_slack.channel_errors[CHANNEL] = error
    sleep = RecordingSleep()
    reply = await slack_app.ask(f"/deal {DEAL}", TARGET)

    result = await post_once(slack_app.deliveries["slack"], TARGET, reply, "k-perm", sleep=sleep)

    assert result.outcome is PostOutcome.REFUSED and isinstance(result.refusal, PermanentDeliveryError)
    assert result.refusal.reason == error
    assert result.refusal.target == str(TARGET)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1 and sleep.waits == []


async def test_a_direct_message_opens_the_conversation_first(
    slack_app: App, fake_slack: FakeSlack, post_once: PostOnce
) -> None:
    target = Target.parse(f"slack:{TEAM_ID}:@U0READER")
    reply = await slack_app.ask(f"/deal {DEAL}", target)

    await post_once(slack_app.deliveries["slack"], target, reply, "k-dm", sleep=RecordingSleep())

    assert fake_slack.calls_to("conversations.open")[0].args["users"] == "U0READER"
    assert len(fake_slack.posts("D0READER")) == 1


async def test_a_reissued_briefing_updates_the_post_in_place(slack_app: App, fake_slack: FakeSlack) -> None:
    delivery = slack_app.deliveries["slack"]
    assert isinstance(delivery, SlackDelivery)
    ts = await delivery.deliver(TARGET, await slack_app.ask(f"/deal {DEAL}", TARGET), "k-reissue")

    await delivery.update(TARGET, ts, await slack_app.ask(f"/brief {DEAL}", TARGET), "k-reissue")

    [post] = fake_slack.posts(CHANNEL)
    assert post["edited"] is True
    assert post["blocks"][0]["text"]["text"].startswith("Daily briefing")


async def test_check_tells_a_subscription_early_that_the_bot_cannot_post(slack_app: App, fake_slack: FakeSlack) -> None:
    delivery = slack_app.deliveries["slack"]
    assert isinstance(delivery, SlackDelivery)
    fake_slack.channel_errors["C0UNINVITED"] = "not_in_channel"

    await delivery.check(TARGET)
    with pytest.raises(PermanentDeliveryError) as caught:
        await delivery.check(Target("slack", (TEAM_ID, "C0UNINVITED")))

    assert caught.value.reason == "not_in_channel"
    assert "/invite" in str(caught.value)
    assert fake_slack.posts("C0UNINVITED") == []


async def test_a_rendering_bug_still_acks_politely(
    slack_app: App, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("bug")

    monkeypatch.setattr("bot.adapters.slack.render_message", broken)

    ack = await fake_slack.slash_command("/status", "cod")

    assert ack == {"text": RENDER_FAILED, "response_type": "ephemeral"}


async def test_a_refused_bot_token_stops_start_up_with_a_clear_error(tmp_path: Path, fake_slack: FakeSlack) -> None:
    app = App(
        slack_settings(tmp_path, fake_slack), Secrets(slack_bot_token="not-a-bot-token", slack_app_token=APP_TOKEN)
    )
    service = app.platform_service("slack")

    with pytest.raises(ConfigError, match="refused SLACK_BOT_TOKEN \\(invalid_auth\\)"):
        await service.start()
    await service.stop()
    assert fake_slack.calls_to("apps.connections.open") == []


async def test_a_button_from_an_older_version_is_acked_and_answered(slack_app: App, fake_slack: FakeSlack) -> None:
    await fake_slack.block_action("briefbot_v0_button", "/status cod")
    answer = await fake_slack.next_response()

    assert answer["response_type"] == "ephemeral" and "out of date" in answer["text"]


async def test_text_slack_sends_entity_encoded_is_decoded_once(slack_app: App, fake_slack: FakeSlack) -> None:
    ack = await fake_slack.slash_command("/search", "R&amp;D &lt;b&gt;")  # what Slack sends for `R&D <b>`

    shown = texts(ack)
    assert "R&amp;D &lt;b&gt;" in shown  # R&D <b>, escaped once for mrkdwn
    assert "&amp;amp;" not in shown and "&amp;lt;" not in shown
