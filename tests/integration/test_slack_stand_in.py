"""The Slack Web API stand-in and the signed-request builders, checked with real clients.

slack_sdk's own WebClient and WebhookClient talk to the stand-in over HTTP; bolt's App
accepts the builders' requests (signature, payload shapes) and its say()/respond() land
in the stand-in (docs/slack.md). The stand-in refuses what a real workspace
refuses: Block Kit limits (hand-written checks and slack_sdk's own models, options
included), posts to channels the bot is not in, a sixth post to one response_url; each
rule is shown refusing a payload that breaks it and taking one that keeps it.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qs

import pytest
import yaml
from slack_bolt import Ack, App, BoltRequest, Respond, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.support import slack_requests
from tests.support.slack_api import (
    BOT_USER_ID,
    Call,
    SlackStandIn,
    block_kit_problems,
    blocks_model_problems,
    channel_kind,
    limit_problems,
    view_model_problems,
)
from tests.support.slack_workspace import MANIFEST

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server
    assert not server.errors, server.errors


@pytest.fixture
def client(stand_in: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=stand_in.api_url)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


# --- the Web API through slack_sdk ------------------------------------------------------


def test_auth_test_names_the_bot(stand_in: SlackStandIn, client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == ("UBOT", "BBOT", "T0001")
    (call,) = stand_in.calls_to("auth.test")
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.ok


def test_post_message_ts_are_unique_and_increasing(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="one", blocks=[section("*one*")])
    second = client.chat_postMessage(channel="C1", text="two")
    assert re.fullmatch(r"\d{10}\.\d{6}", first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C1"
    assert first["message"]["text"] == "one"
    assert first["message"]["blocks"] == [section("*one*")]
    calls = stand_in.calls_to("chat.postMessage")
    assert [call.body["text"] for call in calls] == ["one", "two"]
    assert calls[0].headers["content-type"].startswith("application/json")
    assert stand_in.messages[("C1", first["ts"])]["text"] == "one"


def test_update_ephemeral_delete_and_dm(stand_in: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final")
    assert (updated["ts"], updated["text"]) == (posted["ts"], "final")
    assert stand_in.messages[("C1", posted["ts"])]["text"] == "final"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert ("C1", posted["ts"]) not in stand_in.messages
    opened = client.conversations_open(users="U42")  # a form-encoded method
    assert opened["channel"]["id"] == "DU42"
    (call,) = stand_in.calls_to("conversations.open")
    assert call.body == {"users": "U42"}
    assert call.headers["Content-Type"].startswith("application/x-www-form-urlencoded")


def test_views_publish_and_open(stand_in: SlackStandIn, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("budgets")]}
    published = client.views_publish(user_id="U1", view=home)
    assert published["view"]["id"].startswith("V")
    modal = {
        "type": "modal",
        "callback_id": "incident",
        "title": {"type": "plain_text", "text": "Declare an incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            {
                "type": "input",
                "block_id": "slo",
                "label": {"type": "plain_text", "text": "SLO"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    opened = client.views_open(trigger_id="1.2.abc", view=modal)
    updated = client.views_update(view_id=opened["view"]["id"], view=modal)
    assert updated["view"]["id"] == opened["view"]["id"]
    assert client.views_push(trigger_id="1.2.abc", view=modal)["ok"]
    assert not stand_in.violations


def test_views_publish_with_101_blocks_is_rejected(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 100})
    with pytest.raises(SlackApiError) as rejected:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")] * 101})
    assert rejected.value.response["error"] == "invalid_blocks"
    assert rejected.value.response.status_code == 200
    (violation,) = stand_in.violations
    assert violation.method == "views.publish"
    assert violation.problems == [
        "must have at most 100 items (got 101) [json-pointer:/blocks]",
        "views must contain between 1 and 100 blocks (slack_sdk View) [json-pointer:/blocks]",
    ]
    assert violation.error == "invalid_blocks"
    assert [call.ok for call in stand_in.calls_to("views.publish")] == [True, False]


def test_section_text_over_3000_chars_is_rejected(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="fits", blocks=[section("x" * 3000)])
    with pytest.raises(SlackApiError) as rejected:
        client.chat_postMessage(channel="C1", text="long", blocks=[section("x" * 3001)])
    assert rejected.value.response["error"] == "invalid_blocks"
    assert rejected.value.response["errors"] == [
        "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]",
        "text attribute cannot exceed 3000 characters (slack_sdk SectionBlock)"
        " [json-pointer:/blocks/0/text]",
    ]
    assert len(stand_in.violations) == 1
    assert len(stand_in.messages) == 1  # the rejected message was never posted


def test_form_encoded_blocks_are_parsed_and_checked(stand_in: SlackStandIn) -> None:
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    blocks = json.dumps([{"type": "header", "text": {"type": "mrkdwn", "text": "Budget"}}])
    with pytest.raises(SlackApiError) as rejected:
        client.api_call("chat.postMessage", params={"channel": "C1", "blocks": blocks})
    assert rejected.value.response["errors"] == [
        "must be plain_text [json-pointer:/blocks/0/text/type]"
    ]
    (call,) = stand_in.calls_to("chat.postMessage")
    assert call.body["blocks"][0]["type"] == "header"  # recorded decoded


def test_unknown_method_and_bad_tokens(stand_in: SlackStandIn) -> None:
    good = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    with pytest.raises(SlackApiError) as unknown:
        good.api_call("no.suchMethod")
    assert unknown.value.response["error"] == "unknown_method"
    for token in (None, "xoxp-user-token"):
        with pytest.raises(SlackApiError) as denied:
            WebClient(token=token, base_url=stand_in.api_url).auth_test()
        assert denied.value.response["error"] == "invalid_auth"


def test_rate_limit_is_honoured_by_the_retry_handler(stand_in: SlackStandIn) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=stand_in.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    stand_in.fail_next("chat.postMessage", status=429, retry_after=1)
    began = time.monotonic()
    answer = client.chat_postMessage(channel="C1", text="hello")
    assert time.monotonic() - began >= 1.0  # slept Retry-After before retrying
    assert answer["ok"]
    limited, delivered = stand_in.calls_to("chat.postMessage")
    assert (limited.status, limited.reply) == (429, {"ok": False, "error": "ratelimited"})
    assert delivered.ok
    assert delivered.at - limited.at >= 1.0


def test_rate_limit_without_retry_handler_raises(stand_in: SlackStandIn) -> None:
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    stand_in.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="hello")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "7"


def test_server_errors_and_ok_false_errors(stand_in: SlackStandIn) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=stand_in.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    posted = client.chat_postMessage(channel="C1", text="draft")
    stand_in.fail_next("chat.update", status=500)
    assert client.chat_update(channel="C1", ts=posted["ts"], text="x")["ok"]
    assert [call.status for call in stand_in.calls_to("chat.update")] == [500, 200]
    stand_in.error_next("chat.postMessage", "channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C404", text="x")
        assert failed.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C404", text="x")["ok"]


def test_files_upload_v2_end_to_end(stand_in: SlackStandIn, client: WebClient) -> None:
    answer = client.files_upload_v2(channel="C1", content=b"png bytes", filename="chart.png")
    assert answer["file"]["name"] == "chart.png"
    (upload,) = stand_in.uploads.values()
    assert (upload.file_id, upload.size, upload.length) == (answer["file"]["id"], 9, 9)
    assert (upload.data, upload.channel_id, upload.completed) == (b"png bytes", "C1", True)
    assert [call.method for call in stand_in.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert stand_in.calls_to("upload")[0].body == {"file_id": upload.file_id, "size": 9}


def test_completing_an_upload_that_never_came_fails(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    url = client.files_getUploadURLExternal(filename="a.png", length=3)
    with pytest.raises(SlackApiError) as failed:
        client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C1")
    assert failed.value.response["error"] == "file_not_found"


def test_response_url_posts_are_recorded(stand_in: SlackStandIn) -> None:
    webhook = WebhookClient(stand_in.response_url("cmd-1"))
    sent = webhook.send(text="Budgets", response_type="ephemeral", replace_original=False)
    assert (sent.status_code, sent.body) == (200, "ok")
    (response,) = stand_in.responses()
    assert response.body == {
        "text": "Budgets",
        "response_type": "ephemeral",
        "replace_original": False,
    }
    assert response.path == "/response/cmd-1"
    too_many = webhook.send(text="x", blocks=[section("x")] * 51)
    assert too_many.status_code == 400
    assert too_many.body.startswith("invalid_blocks")
    assert stand_in.violations[0].method == "response_url"


def test_wait_for_sees_calls_from_other_threads(stand_in: SlackStandIn) -> None:
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)

    def later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C2", text="two")

    worker = threading.Thread(target=later)
    worker.start()
    try:
        calls = stand_in.wait_for("chat.postMessage", count=2, timeout=10)
        in_c2 = stand_in.wait_for(lambda call: call.body.get("channel") == "C2")
    finally:
        worker.join()
    assert [call.body["channel"] for call in calls] == ["C1", "C2"]
    assert len(in_c2) == 1


def test_wait_for_times_out_naming_what_it_saw(stand_in: SlackStandIn, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"(?s)chat\.postMessage.*got 0.*auth\.test"):
        stand_in.wait_for("chat.postMessage", timeout=0.3)
    stand_in.reset()
    assert stand_in.calls == []


def test_unknown_paths_answer_404(stand_in: SlackStandIn) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{stand_in.url}/nope", timeout=5)
    with missing.value:
        assert missing.value.code == 404


# --- slack_sdk's models on every endpoint that takes blocks or a view --------------------

UNKNOWN_FIELD = [section("x") | {"colour": "red"}]  # only slack_sdk's models refuse it
UNKNOWN_FIELD_PROBLEM = (
    "field 'colour' is unknown to slack_sdk's SectionBlock [json-pointer:/blocks/0/colour]"
)


def call_with_blocks(client: WebClient, method: str, blocks: list[dict[str, Any]]) -> Any:
    """`method` of the Web API called with `blocks` (in a message, or in a view)."""
    home = {"type": "home", "blocks": blocks}
    form = modal(blocks=blocks)
    if method == "chat.postMessage":
        return client.chat_postMessage(channel="C1", text="x", blocks=blocks)
    if method == "chat.update":
        ts = client.chat_postMessage(channel="C1", text="draft")["ts"]
        return client.chat_update(channel="C1", ts=ts, text="x", blocks=blocks)
    if method == "chat.postEphemeral":
        return client.chat_postEphemeral(channel="C1", user="U1", text="x", blocks=blocks)
    if method == "views.publish":
        return client.views_publish(user_id="U1", view=home)
    if method == "views.open":
        return client.views_open(trigger_id="1.2.abc", view=form)
    if method == "views.push":
        return client.views_push(trigger_id="1.2.abc", view=form)
    if method == "views.update":
        return client.views_update(view_id="V1", view=form)
    raise AssertionError(method)


BLOCK_METHODS = [
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.publish",
    "views.open",
    "views.push",
    "views.update",
]


@pytest.mark.parametrize("method", BLOCK_METHODS)
def test_every_method_checks_blocks_with_slack_sdk_models(
    stand_in: SlackStandIn, client: WebClient, method: str
) -> None:
    assert call_with_blocks(client, method, [section("x")])["ok"]
    with pytest.raises(SlackApiError) as rejected:
        call_with_blocks(client, method, UNKNOWN_FIELD)
    assert rejected.value.response["error"] == "invalid_blocks"
    assert rejected.value.response["errors"] == [UNKNOWN_FIELD_PROBLEM]
    (violation,) = stand_in.violations
    assert (violation.method, violation.error) == (method, "invalid_blocks")


def test_response_url_posts_are_checked_with_slack_sdk_models(stand_in: SlackStandIn) -> None:
    webhook = WebhookClient(stand_in.response_url("models"))
    assert webhook.send(text="x", blocks=[section("x")]).status_code == 200
    refused = webhook.send(text="x", blocks=UNKNOWN_FIELD)
    assert (refused.status_code, refused.body) == (400, f"invalid_blocks\n{UNKNOWN_FIELD_PROBLEM}")
    (violation,) = stand_in.violations
    assert (violation.method, violation.problems) == ("response_url", [UNKNOWN_FIELD_PROBLEM])


def test_a_modal_with_too_many_options_is_refused(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    def form(count: int) -> dict[str, Any]:
        select = {"type": "static_select", "action_id": "slo", "options": options(count)}
        label = {"type": "plain_text", "text": "SLO"}
        return modal(
            submit={"type": "plain_text", "text": "Declare"},
            blocks=[{"type": "input", "label": label, "element": select}],
        )

    assert client.views_open(trigger_id="1.2.abc", view=form(100))["ok"]
    with pytest.raises(SlackApiError) as rejected:
        client.views_open(trigger_id="1.2.abc", view=form(101))
    assert rejected.value.response["errors"] == [
        "must have at most 100 items (got 101) [json-pointer:/blocks/0/element/options]",
        sdk(
            "options attribute cannot exceed 100 elements",
            "StaticSelectElement",
            "/blocks/0/element/options",
        ),
    ]


# --- channel membership ---------------------------------------------------------------


def test_channel_kinds_follow_the_id() -> None:
    assert [channel_kind(c) for c in ("C1", "G1", "D1", "#general")] == [
        "public",
        "private",
        "dm",
        "public",
    ]


def test_the_bot_scopes_come_from_the_manifest(stand_in: SlackStandIn, client: WebClient) -> None:
    scopes = yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"]
    assert "chat:write.public" in scopes
    assert stand_in.bot_channels == frozenset()
    assert client.chat_postMessage(channel="C0PAY", text="burn")["ok"]  # never invited


def test_a_private_channel_needs_an_invitation(stand_in: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="G1", text="secret")
    assert refused.value.response["error"] == "channel_not_found"
    (violation,) = stand_in.violations
    assert (violation.method, violation.error) == ("chat.postMessage", "channel_not_found")
    assert violation.problems == [
        "channel_not_found: the bot is not a member of private channel G1 (SlackStandIn.invite)"
    ]
    assert stand_in.messages == {}
    stand_in.invite("G1")
    assert stand_in.bot_channels == frozenset({"G1"})
    posted = client.chat_postMessage(channel="G1", text="secret")
    assert ("G1", posted["ts"]) in stand_in.messages
    stand_in.remove("G1")
    with pytest.raises(SlackApiError) as removed:
        client.chat_postMessage(channel="G1", text="again")
    assert removed.value.response["error"] == "channel_not_found"
    with pytest.raises(AssertionError, match=r"chat\.postMessage \(channel_not_found\)"):
        stand_in.assert_no_violations()


def test_without_chat_write_public_a_public_channel_answers_not_in_channel() -> None:
    with SlackStandIn(scopes=["chat:write", "commands"]) as stand_in:
        client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
        with pytest.raises(SlackApiError) as refused:
            client.chat_postMessage(channel="C1", text="hello")
        assert refused.value.response["error"] == "not_in_channel"
        stand_in.invite("C1")
        assert client.chat_postMessage(channel="C1", text="hello")["ok"]
        assert [v.error for v in stand_in.violations] == ["not_in_channel"]


def test_a_dm_needs_opening_first(stand_in: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="DU42", text="hi")
    assert refused.value.response["error"] == "channel_not_found"
    opened = client.conversations_open(users="U42")["channel"]["id"]
    assert client.chat_postMessage(channel=opened, text="hi")["channel"] == "DU42"
    assert client.chat_postMessage(channel="U7", text="hi")["channel"] == "DU7"  # opens it
    assert stand_in.bot_channels == frozenset({"DU42", "DU7"})
    assert stand_in.members["DU7"] == frozenset({"U7", BOT_USER_ID})
    group = client.conversations_open(users="U1,U2")["channel"]["id"]
    assert client.chat_postMessage(channel=group, text="both of you")["ok"]


def test_ephemeral_messages_go_to_members_only(stand_in: SlackStandIn, client: WebClient) -> None:
    assert client.chat_postEphemeral(channel="C1", user="U9", text="members unknown: any")["ok"]
    stand_in.add_members("C1", "U1", "U2")
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["ok"]
    with pytest.raises(SlackApiError) as outsider:
        client.chat_postEphemeral(channel="C1", user="U9", text="psst")
    assert outsider.value.response["error"] == "user_not_in_channel"
    client.conversations_open(users="U42")
    assert client.chat_postEphemeral(channel="DU42", user="U42", text="psst")["ok"]
    with pytest.raises(SlackApiError) as third:
        client.chat_postEphemeral(channel="DU42", user="U9", text="psst")
    assert third.value.response["error"] == "user_not_in_channel"
    with pytest.raises(SlackApiError) as hidden:
        client.chat_postEphemeral(channel="G5", user="U1", text="psst")
    assert hidden.value.response["error"] == "channel_not_found"
    assert [v.error for v in stand_in.violations] == [
        "user_not_in_channel",
        "user_not_in_channel",
        "channel_not_found",
    ]
    assert stand_in.violations[0].problems == ["user_not_in_channel: U9 is not a member of C1"]


def test_update_and_delete_need_a_posted_message(stand_in: SlackStandIn, client: WebClient) -> None:
    for never_posted in (
        lambda: client.chat_update(channel="C1", ts="1700000000.000100", text="x"),
        lambda: client.chat_delete(channel="C1", ts="1700000000.000100"),
    ):
        with pytest.raises(SlackApiError) as missing:
            never_posted()
        assert missing.value.response["error"] == "message_not_found"
    posted = client.chat_postMessage(channel="C1", text="draft")
    with pytest.raises(SlackApiError) as elsewhere:
        client.chat_update(channel="C2", ts=posted["ts"], text="x")
    assert elsewhere.value.response["error"] == "message_not_found"
    assert client.chat_update(channel="C1", ts=posted["ts"], text="final")["ok"]
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ok"]
    with pytest.raises(SlackApiError) as deleted:
        client.chat_update(channel="C1", ts=posted["ts"], text="again")
    assert deleted.value.response["error"] == "message_not_found"


def test_files_go_to_private_channels_only_once_invited(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.files_upload_v2(channel="G1", content=b"png", filename="chart.png")
    assert refused.value.response["error"] == "channel_not_found"
    stand_in.invite("G1")
    assert client.files_upload_v2(channel="G1", content=b"png", filename="chart.png")["ok"]


# --- response_url: 5 posts each ---------------------------------------------------------


def test_a_response_url_takes_five_posts(stand_in: SlackStandIn) -> None:
    webhook = WebhookClient(stand_in.response_url("cmd-5"))
    assert webhook.send(text="x", blocks=[section("x")] * 51).status_code == 400  # not a use
    for n in range(5):
        assert webhook.send(text=f"post {n}").status_code == 200
    sixth = webhook.send(text="one too many")
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    assert WebhookClient(stand_in.response_url("other")).send(text="x").status_code == 200
    assert stand_in.response_url_uses == {"/response/cmd-5": 5, "/response/other": 1}
    used = [v for v in stand_in.violations if v.error == "used_url"]
    assert [(v.method, v.problems, v.body["text"]) for v in used] == [
        (
            "response_url",
            ["used_url: /response/cmd-5 took 5 posts already (Slack allows 5)"],
            "one too many",
        )
    ]
    with pytest.raises(AssertionError, match=r"response_url \(used_url\)"):
        stand_in.assert_no_violations()
    stand_in.reset()
    assert stand_in.response_url_uses == {}
    assert webhook.send(text="a fresh start").status_code == 200


def test_injected_response_url_failures_are_no_use(stand_in: SlackStandIn) -> None:
    webhook = WebhookClient(stand_in.response_url("flaky"))
    stand_in.fail_next("response_url", status=500, times=3)
    assert [webhook.send(text="x").status_code for _ in range(3)] == [500, 500, 500]
    assert [webhook.send(text="x").status_code for _ in range(6)] == [200] * 5 + [404]


# --- block_kit_problems -----------------------------------------------------------------
#
# Each row names what it breaks; the expected problems are the hand-written checks' first,
# then slack_sdk's (the lines naming a slack_sdk model): a row with both is a limit both
# catch, a row with only the first is one slack_sdk misses, a row with only slack_sdk's is
# one only its models see.

SDK = "(slack_sdk {}) [json-pointer:{}]"


def sdk(message: str, model: str, path: str) -> str:
    return f"{message} {SDK.format(model, path)}"


def ctx(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * count}


def actions(count: int, text: str = "Go") -> dict[str, Any]:
    return {"type": "actions", "elements": [button(text)] * count}


def modal(**fields: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Budget"},
        "blocks": [section("x")],
    } | fields


def option(text: str, value: str | None = None, kind: str = "plain_text") -> dict[str, Any]:
    return {"text": {"type": kind, "text": text}, "value": text if value is None else value}


def options(count: int) -> list[dict[str, Any]]:
    return [option(f"option {index}") for index in range(count)]


def menu(**fields: Any) -> dict[str, Any]:
    """A message whose one section carries a static_select with `fields`."""
    accessory = {"type": "static_select", "action_id": "pick"} | fields
    return {"blocks": [section("Pick one") | {"accessory": accessory}]}


def element(**fields: Any) -> dict[str, Any]:
    """A message whose one actions block holds the element `fields`."""
    return {"blocks": [{"type": "actions", "elements": [{"action_id": "act"} | fields]}]}


def group(label: str, count: int = 1) -> dict[str, Any]:
    return {"label": {"type": "plain_text", "text": label}, "options": options(count)}


MENU = "/blocks/0/accessory"
ELEMENT = "/blocks/0/elements/0"

BLOCK_KIT_TABLE: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("no blocks", "message", {"text": "hi"}, []),
    ("50 blocks", "message", {"blocks": [section("x")] * 50}, []),
    (
        "51 blocks",
        "message",
        {"blocks": [section("x")] * 51},
        ["must have at most 50 items (got 51) [json-pointer:/blocks]"],
    ),
    ("100 view blocks", "home", {"type": "home", "blocks": [section("x")] * 100}, []),
    (
        "101 view blocks",
        "view",
        {"type": "home", "blocks": [section("x")] * 101},
        [
            "must have at most 100 items (got 101) [json-pointer:/blocks]",
            sdk("views must contain between 1 and 100 blocks", "View", "/blocks"),
        ],
    ),
    (
        "view without blocks",
        "home",
        {"type": "home", "blocks": []},
        [sdk("views must contain between 1 and 100 blocks", "View", "/blocks")],
    ),
    ("section 3000", "message", {"blocks": [section("x" * 3000)]}, []),
    (
        "section 3001",
        "message",
        {"blocks": [section("x" * 3001)]},
        [
            "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]",
            sdk("text attribute cannot exceed 3000 characters", "SectionBlock", "/blocks/0/text"),
        ],
    ),
    (
        "empty section text",
        "message",
        {"blocks": [section("")]},
        ["must be more than 0 characters [json-pointer:/blocks/0/text/text]"],
    ),
    (
        "section without text or fields",
        "message",
        {"blocks": [{"type": "section"}]},
        [
            "must have text or fields [json-pointer:/blocks/0]",
            sdk("text or fields attribute must be specified", "SectionBlock", "/blocks/0"),
        ],
    ),
    (
        "header 151",
        "message",
        {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
        [
            "must be at most 150 characters (got 151) [json-pointer:/blocks/0/text/text]",
            sdk("text attribute cannot exceed 150 characters", "HeaderBlock", "/blocks/0/text"),
        ],
    ),
    (
        "header in mrkdwn",
        "message",
        {"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}]},
        ["must be plain_text [json-pointer:/blocks/0/text/type]"],
    ),
    (
        "11 fields",
        "message",
        {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]},
        [
            "must have at most 10 items (got 11) [json-pointer:/blocks/0/fields]",
            sdk("fields attribute cannot exceed 10 items", "SectionBlock", "/blocks/0/fields"),
        ],
    ),
    (
        "field 2001",
        "message",
        {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}]},
        ["must be at most 2000 characters (got 2001) [json-pointer:/blocks/0/fields/0/text]"],
    ),
    ("10 context elements", "message", {"blocks": [ctx(10)]}, []),
    (
        "11 context elements",
        "message",
        {"blocks": [ctx(11)]},
        [
            "must have at most 10 items (got 11) [json-pointer:/blocks/0/elements]",
            sdk(
                "elements attribute cannot exceed 10 elements", "ContextBlock", "/blocks/0/elements"
            ),
        ],
    ),
    ("25 actions", "message", {"blocks": [actions(25)]}, []),
    (
        "26 actions",
        "message",
        {"blocks": [actions(26)]},
        [
            "must have at most 25 items (got 26) [json-pointer:/blocks/0/elements]",
            sdk(
                "elements attribute cannot exceed 25 elements", "ActionsBlock", "/blocks/0/elements"
            ),
        ],
    ),
    (
        "button text 76",
        "message",
        {"blocks": [actions(1, "b" * 76)]},
        [
            "must be at most 75 characters (got 76) [json-pointer:/blocks/0/elements/0/text/text]",
            sdk("text attribute cannot exceed 75 characters", "ButtonElement", f"{ELEMENT}/text"),
        ],
    ),
    (
        "button accessory in mrkdwn",
        "message",
        {
            "blocks": [
                section("x")
                | {"accessory": {"type": "button", "text": {"type": "mrkdwn", "text": "*b*"}}}
            ]
        },
        ["must be plain_text [json-pointer:/blocks/0/accessory/text/type]"],
    ),
    (
        "block_id 256",
        "message",
        {"blocks": [{"type": "divider", "block_id": "b" * 256}]},
        [
            "must be at most 255 characters (got 256) [json-pointer:/blocks/0/block_id]",
            sdk("block_id cannot exceed 255 characters", "DividerBlock", "/blocks/0/block_id"),
        ],
    ),
    (
        "duplicate block_id",
        "message",
        {"blocks": [{"type": "divider", "block_id": "d"}] * 2},
        ["duplicate block_id 'd' [json-pointer:/blocks/1/block_id]"],
    ),
    (
        "unknown block type",
        "message",
        {"blocks": [{"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}}]},
        [
            "unknown block type 'sektion' [json-pointer:/blocks/0/type]",
            "slack_sdk cannot parse this block (type 'sektion') [json-pointer:/blocks/0]",
        ],
    ),
    (
        "block without type",
        "message",
        {"blocks": [{"text": {"type": "mrkdwn", "text": "x"}}]},
        [
            "unknown block type None [json-pointer:/blocks/0/type]",
            "slack_sdk cannot parse this block (type None) [json-pointer:/blocks/0]",
        ],
    ),
    (
        "bad text type",
        "message",
        {"blocks": [{"type": "section", "text": {"type": "markdown", "text": "x"}}]},
        ["must be plain_text or mrkdwn [json-pointer:/blocks/0/text/type]"],
    ),
    (
        "blocks as a JSON string",
        "message",
        {"blocks": json.dumps([section("x" * 3001)])},
        [
            "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]",
            sdk("text attribute cannot exceed 3000 characters", "SectionBlock", "/blocks/0/text"),
        ],
    ),
    (
        "blocks not JSON",
        "message",
        {"blocks": "[{"},
        ["must be valid JSON [json-pointer:/blocks]"],
    ),
    ("modal title 24", "modal", modal(title={"type": "plain_text", "text": "t" * 24}), []),
    (
        "modal title 25",
        "modal",
        modal(title={"type": "plain_text", "text": "t" * 25}),
        [
            "must be at most 24 characters (got 25) [json-pointer:/title/text]",
            sdk("title must be between 1 and 24 characters", "View", "/title"),
        ],
    ),
    (
        "modal without title",
        "modal",
        {"type": "modal", "blocks": [section("x")]},
        ["is required [json-pointer:/title]"],
    ),
    ("private_metadata 3000", "modal", modal(private_metadata="m" * 3000), []),
    (
        "private_metadata 3001",
        "modal",
        modal(private_metadata="m" * 3001),
        [
            "must be at most 3000 characters (got 3001) [json-pointer:/private_metadata]",
            sdk("private_metadata cannot exceed 3000 characters", "View", "/private_metadata"),
        ],
    ),
    (
        "input without submit",
        "modal",
        modal(
            blocks=[
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "SLO"},
                    "element": {"type": "plain_text_input", "action_id": "slo"},
                }
            ]
        ),
        ["is required when the view has input blocks [json-pointer:/submit]"],
    ),
    (
        "home sent as a modal",
        "modal",
        {"type": "home", "blocks": [section("x")]},
        ["must be modal [json-pointer:/type]"],
    ),
    (
        "unknown view type",
        "view",
        {"type": "sheet", "blocks": []},
        ["must be one of modal, home [json-pointer:/type]"],
    ),
    (
        "many problems at once",
        "message",
        {"blocks": [section("x" * 3001), {"type": "header", "text": {"type": "mrkdwn"}}]},
        [
            "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]",
            "must be plain_text [json-pointer:/blocks/1/text/type]",
            "must be a string [json-pointer:/blocks/1/text/text]",
            sdk("text attribute cannot exceed 3000 characters", "SectionBlock", "/blocks/0/text"),
            "slack_sdk cannot parse this block (TypeError: MarkdownTextObject.__init__() missing"
            " 1 required keyword-only argument: 'text') [json-pointer:/blocks/1]",
        ],
    ),
    # -- only slack_sdk's models see these ------------------------------------------------
    (
        "a field no block has",
        "message",
        {"blocks": [section("x") | {"colour": "red"}]},
        ["field 'colour' is unknown to slack_sdk's SectionBlock [json-pointer:/blocks/0/colour]"],
    ),
    (
        "a field no view has",
        "modal",
        modal(titel="Budget"),
        ["field 'titel' is unknown to slack_sdk's View [json-pointer:/titel]"],
    ),
    (
        "an element no block has",
        "message",
        element(type="buton", text={"type": "plain_text", "text": "Go"}),
        [
            "slack_sdk's ActionsBlock cannot parse this item (type 'buton')"
            f" [json-pointer:{ELEMENT}]"
        ],
    ),
    (
        "image without alt_text",
        "message",
        {"blocks": [{"type": "image", "image_url": "https://example.com/chart.png"}]},
        [
            "is required [json-pointer:/blocks/0/alt_text]",
            "slack_sdk cannot parse this block (TypeError: ImageBlock.__init__() missing 1"
            " required keyword-only argument: 'alt_text') [json-pointer:/blocks/0]",
        ],
    ),
    (
        "confirm text 301",
        "message",
        element(
            type="button",
            text={"type": "plain_text", "text": "Freeze"},
            confirm={
                "title": {"type": "plain_text", "text": "Sure?"},
                "text": {"type": "plain_text", "text": "c" * 301},
                "confirm": {"type": "plain_text", "text": "Yes"},
                "deny": {"type": "plain_text", "text": "No"},
            },
        ),
        [
            sdk(
                "text attribute cannot exceed 300 characters",
                "ConfirmObject",
                f"{ELEMENT}/confirm/text",
            )
        ],
    ),
    (
        "datepicker initial_date not ISO",
        "message",
        element(type="datepicker", initial_date="2026/03/02"),
        [
            sdk(
                "initial_date attribute must be in format 'YYYY-MM-DD'",
                "DatePickerElement",
                f"{ELEMENT}/initial_date",
            )
        ],
    ),
    # -- options ------------------------------------------------------------------------------
    ("static_select 100 options", "message", menu(options=options(100)), []),
    (
        "static_select 101 options",
        "message",
        menu(options=options(101)),
        [
            f"must have at most 100 items (got 101) [json-pointer:{MENU}/options]",
            sdk(
                "options attribute cannot exceed 100 elements",
                "StaticSelectElement",
                f"{MENU}/options",
            ),
        ],
    ),
    (
        "multi_static_select 101 options",
        "message",
        element(type="multi_static_select", options=options(101)),
        [
            f"must have at most 100 items (got 101) [json-pointer:{ELEMENT}/options]",
            sdk(
                "options attribute cannot exceed 100 elements",
                "StaticMultiSelectElement",
                f"{ELEMENT}/options",
            ),
        ],
    ),
    (
        "static_select without options",
        "message",
        menu(),
        [
            f"is required [json-pointer:{MENU}/options]",
            sdk("options or option_groups must be specified", "StaticSelectElement", MENU),
        ],
    ),
    ("external_select without options", "message", menu(type="external_select"), []),
    ("option text 75", "message", menu(options=[option("t" * 75, "v")]), []),
    (
        "option text 76",
        "message",
        menu(options=[option("t" * 76, "v")]),
        [
            f"must be at most 75 characters (got 76) [json-pointer:{MENU}/options/0/text/text]",
            sdk("text attribute cannot exceed 75 characters", "Option", f"{MENU}/options/0/text"),
        ],
    ),
    ("option value 150", "message", menu(options=[option("t", "v" * 150)]), []),
    (
        "option value 151",
        "message",
        menu(options=[option("t", "v" * 151)]),
        [
            f"must be at most 150 characters (got 151) [json-pointer:{MENU}/options/0/value]",
            sdk(
                "value attribute cannot exceed 150 characters", "Option", f"{MENU}/options/0/value"
            ),
        ],
    ),
    (
        "option description 76",
        "message",
        menu(options=[option("t") | {"description": {"type": "plain_text", "text": "d" * 76}}]),
        [
            "must be at most 75 characters (got 76)"
            f" [json-pointer:{MENU}/options/0/description/text]"
        ],
    ),
    (
        "option in mrkdwn in a menu",
        "message",
        menu(options=[option("*t*", "t", kind="mrkdwn")]),
        [f"must be plain_text [json-pointer:{MENU}/options/0/text/type]"],
    ),
    (
        "option url in a menu",
        "message",
        menu(options=[option("t") | {"url": "https://example.com"}]),
        [f"is only allowed in overflow menus [json-pointer:{MENU}/options/0/url]"],
    ),
    (
        "initial_option among the options",
        "message",
        menu(options=options(3), initial_option=option("option 1")),
        [],
    ),
    (
        "initial_option not among the options",
        "message",
        menu(options=options(3), initial_option=option("option 9")),
        [f"must be one of the options (value 'option 9') [json-pointer:{MENU}/initial_option]"],
    ),
    (
        "initial_option with the value but not the text of an option",
        "message",
        menu(options=options(3), initial_option=option("Option 1", "option 1")),
        [f"must be one of the options (value 'option 1') [json-pointer:{MENU}/initial_option]"],
    ),
    (
        "initial_option among option_groups",
        "message",
        menu(option_groups=[group("SLOs", 2)], initial_option=option("option 1")),
        [],
    ),
    (
        "100 option_groups",
        "message",
        menu(option_groups=[group("SLOs")] * 100),
        [],
    ),
    (
        "101 option_groups",
        "message",
        menu(option_groups=[group("SLOs")] * 101),
        [
            f"must have at most 100 items (got 101) [json-pointer:{MENU}/option_groups]",
            sdk(
                "option_groups attribute cannot exceed 100 elements",
                "StaticSelectElement",
                f"{MENU}/option_groups",
            ),
        ],
    ),
    (
        "option group of 101 options",
        "message",
        menu(option_groups=[group("SLOs", 101)]),
        [
            f"must have at most 100 items (got 101) [json-pointer:{MENU}/option_groups/0/options]",
            sdk(
                "options attribute cannot exceed 100 elements",
                "OptionGroup",
                f"{MENU}/option_groups/0/options",
            ),
        ],
    ),
    (
        "option group label 76",
        "message",
        menu(option_groups=[group("g" * 76)]),
        [
            "must be at most 75 characters (got 76)"
            f" [json-pointer:{MENU}/option_groups/0/label/text]",
            sdk(
                "label attribute cannot exceed 75 characters",
                "OptionGroup",
                f"{MENU}/option_groups/0/label",
            ),
        ],
    ),
    (
        "options and option_groups",
        "message",
        menu(options=options(1), option_groups=[group("SLOs")]),
        [
            f"must have options or option_groups, not both [json-pointer:{MENU}]",
            sdk(
                "options and option_groups cannot both be specified",
                "StaticSelectElement",
                MENU,
            ),
        ],
    ),
    ("radio_buttons 10 options", "message", element(type="radio_buttons", options=options(10)), []),
    (
        "radio_buttons 11 options",
        "message",
        element(type="radio_buttons", options=options(11)),
        [f"must have at most 10 items (got 11) [json-pointer:{ELEMENT}/options]"],
    ),
    (
        "radio_buttons initial_option not among the options",
        "message",
        element(type="radio_buttons", options=options(2), initial_option=option("option 5")),
        [f"must be one of the options (value 'option 5') [json-pointer:{ELEMENT}/initial_option]"],
    ),
    (
        "checkboxes in mrkdwn, initial_options among the options",
        "message",
        element(
            type="checkboxes",
            options=[option("*a*", "a", kind="mrkdwn"), option("*b*", "b", kind="mrkdwn")],
            initial_options=[option("*b*", "b", kind="mrkdwn")],
        ),
        [],
    ),
    (
        "checkboxes 11 options",
        "message",
        element(type="checkboxes", options=options(11)),
        [f"must have at most 10 items (got 11) [json-pointer:{ELEMENT}/options]"],
    ),
    (
        "checkboxes initial_options not among the options",
        "message",
        element(
            type="checkboxes",
            options=options(2),
            initial_options=[option("option 0"), option("option 7")],
        ),
        [
            "must be one of the options (value 'option 7')"
            f" [json-pointer:{ELEMENT}/initial_options/1]"
        ],
    ),
    ("overflow 5 options", "message", element(type="overflow", options=options(5)), []),
    (
        "overflow 6 options",
        "message",
        element(type="overflow", options=options(6)),
        [
            f"must have at most 5 items (got 6) [json-pointer:{ELEMENT}/options]",
            sdk(
                "options attribute must have between 1 and 5 items",
                "OverflowMenuElement",
                f"{ELEMENT}/options",
            ),
        ],
    ),
    (
        "overflow option url",
        "message",
        element(type="overflow", options=[option("docs") | {"url": "https://example.com"}]),
        [],
    ),
    (
        "options in a modal's input",
        "modal",
        modal(
            submit={"type": "plain_text", "text": "Save"},
            blocks=[
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "SLO"},
                    "element": {
                        "type": "static_select",
                        "action_id": "slo",
                        "options": options(101),
                        "initial_option": option("nope"),
                    },
                }
            ],
        ),
        [
            "must have at most 100 items (got 101) [json-pointer:/blocks/0/element/options]",
            "must be one of the options (value 'nope')"
            " [json-pointer:/blocks/0/element/initial_option]",
            sdk(
                "options attribute cannot exceed 100 elements",
                "StaticSelectElement",
                "/blocks/0/element/options",
            ),
        ],
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [case[1:] for case in BLOCK_KIT_TABLE],
    ids=[case[0] for case in BLOCK_KIT_TABLE],
)
def test_block_kit_problems(kind: str, payload: dict[str, Any], expected: list[str]) -> None:
    assert block_kit_problems(kind, payload) == expected


def test_the_hand_written_checks_and_slack_sdk_models_make_up_block_kit_problems() -> None:
    payload = {"blocks": [section("x" * 3001) | {"colour": "red"}]}
    hand_written = limit_problems("message", payload)
    models = blocks_model_problems(payload["blocks"])
    assert hand_written == [
        "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]"
    ]
    assert models == [
        sdk("text attribute cannot exceed 3000 characters", "SectionBlock", "/blocks/0/text")
    ]  # the unknown field shows once the block is valid
    assert block_kit_problems("message", payload) == hand_written + models
    fixed = {"blocks": [section("x") | {"colour": "red"}]}
    assert limit_problems("message", fixed) == []
    assert blocks_model_problems(fixed["blocks"]) == [
        "field 'colour' is unknown to slack_sdk's SectionBlock [json-pointer:/blocks/0/colour]"
    ]
    assert view_model_problems(modal()) == []


def test_block_kit_problems_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        block_kit_problems("email", {})


# --- signed requests --------------------------------------------------------------------


def test_sign_matches_an_independent_hmac() -> None:
    body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fslo&text=status"
    timestamp = 1531420618
    expected = (
        "v0="
        + hmac.new(
            SECRET.encode(),
            b"v0:1531420618:" + body,
            hashlib.sha256,
        ).hexdigest()
    )
    assert slack_requests.sign(SECRET, body, timestamp) == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": expected,
    }
    now = int(time.time())
    headers = slack_requests.sign(SECRET, body, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, str(now), headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + b"x", str(now), headers["X-Slack-Signature"])


def test_builders_shape_requests_like_slack() -> None:
    body, content_type = slack_requests.slash_command("/slo", "status checkout")
    assert content_type == "application/x-www-form-urlencoded"
    fields = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    assert (fields["command"], fields["text"], fields["user_id"]) == (
        "/slo",
        "status checkout",
        "U123",
    )
    assert fields["trigger_id"] and fields["response_url"]

    body, content_type = slack_requests.event_callback({"type": "app_mention"}, "Ev1")
    event = json.loads(body)
    assert (content_type, event["type"], event["event_id"]) == (
        "application/json",
        "event_callback",
        "Ev1",
    )
    assert json.loads(slack_requests.url_verification("abc").body)["challenge"] == "abc"

    body, _ = slack_requests.block_action("ack_alert", "slo-1", "U9")
    action = json.loads(parse_qs(body.decode())["payload"][0])
    assert action["type"] == "block_actions"
    assert (action["actions"][0]["value"], action["user"]["id"]) == ("slo-1", "U9")

    body, _ = slack_requests.view_submission("incident", {"slo": {"value": "checkout"}})
    view = json.loads(parse_qs(body.decode())["payload"][0])["view"]
    assert view["callback_id"] == "incident"
    assert view["state"]["values"]["slo"]["value"] == {
        "type": "plain_text_input",
        "value": "checkout",
    }


def test_post_signs_and_sends_retry_headers(stand_in: SlackStandIn) -> None:
    body = json.dumps({"text": "signed"}).encode()
    status, text = slack_requests.post(
        stand_in.response_url("signed"), body, "application/json", SECRET, retry_num=1
    )
    assert (status, text) == (200, "ok")
    (call,) = stand_in.responses()
    assert call.raw == body
    assert (call.headers["X-Slack-Retry-Num"], call.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    assert SignatureVerifier(SECRET).is_valid(
        body, call.headers["X-Slack-Request-Timestamp"], call.headers["X-Slack-Signature"]
    )
    status, text = slack_requests.post(f"{stand_in.url}/nope", body, "application/json", SECRET)
    assert (status, text) == (404, "not found")


# --- bolt accepts the builders' requests and its replies land in the stand-in -----------


@pytest.fixture
def bolt_app(stand_in: SlackStandIn) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-test", base_url=stand_in.api_url),
        process_before_response=True,  # listeners finish inside dispatch(): deterministic
    )

    @app.command("/slo")
    def slo(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(text=f"status of {command['text']}", response_type="ephemeral")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Say) -> None:
        say(text=f"hi <@{event['user']}>")

    @app.action("ack_alert")
    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(text=f"acknowledged {body['actions'][0]['value']}", replace_original=True)

    @app.view("incident")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        slo = view["state"]["values"]["slo"]["value"]["value"]
        ack(response_action="errors", errors={"slo": f"unknown SLO {slo}"})

    return app


def dispatch(
    app: App, request: slack_requests.SlackBody, timestamp: int | None = None
) -> tuple[int, str]:
    signed = slack_requests.sign(SECRET, request.body, timestamp or int(time.time()))
    headers: dict[str, str | Sequence[str]] = {"content-type": request.content_type, **signed}
    response = app.dispatch(BoltRequest(body=request.body.decode(), headers=headers))
    return response.status, response.body


def test_bolt_accepts_a_signed_slash_command(stand_in: SlackStandIn, bolt_app: App) -> None:
    request = slack_requests.slash_command("/slo", "checkout", response_url=stand_in.response_url())
    assert dispatch(bolt_app, request)[0] == 200
    (response,) = stand_in.responses()
    assert response.body["text"] == "status of checkout"


def test_bolt_refuses_a_stale_signature(stand_in: SlackStandIn, bolt_app: App) -> None:
    request = slack_requests.slash_command("/slo", "checkout", response_url=stand_in.response_url())
    assert dispatch(bolt_app, request, timestamp=int(time.time()) - 6 * 60)[0] == 401
    assert stand_in.responses() == []


def test_bolt_handles_event_action_and_view(stand_in: SlackStandIn, bolt_app: App) -> None:
    mention = {"type": "app_mention", "user": "U7", "channel": "C9", "text": "<@UBOT> hi"}
    assert dispatch(bolt_app, slack_requests.event_callback(mention))[0] == 200
    (posted,) = stand_in.calls_to("chat.postMessage")
    assert (posted.body["channel"], posted.body["text"]) == ("C9", "hi <@U7>")

    action = slack_requests.block_action("ack_alert", "slo-1", response_url=stand_in.response_url())
    assert dispatch(bolt_app, action)[0] == 200
    (response,) = stand_in.responses()
    assert response.body == {"text": "acknowledged slo-1", "replace_original": True}

    submission = slack_requests.view_submission("incident", {"slo": {"value": "nope"}})
    status, body = dispatch(bolt_app, submission)
    assert (status, json.loads(body)) == (
        200,
        {"response_action": "errors", "errors": {"slo": "unknown SLO nope"}},
    )


def test_call_ok_reads_the_reply() -> None:
    assert Call("chat.postMessage", {}, {}, 0.0, 200, {"ok": True}).ok
    assert not Call("chat.postMessage", {}, {}, 0.0, 200, {"ok": False}).ok
    assert not Call("response_url", {}, {}, 0.0, 400, "invalid_blocks").ok


def test_slow_next_answers_late_but_records_at_once(stand_in: SlackStandIn) -> None:
    stand_in.slow_next("chat.postMessage", 0.8)
    client = WebClient(token="xoxb-test", base_url=stand_in.api_url)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="slow")["ok"]
    assert time.monotonic() - started >= 0.8
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="fast")["ok"]
    assert time.monotonic() - started < 0.8  # only the next call was slow
