"""The Slack Web API stand-in and the signed-request builders, checked with real clients.

slack_sdk's own WebClient and WebhookClient talk to the stand-in over HTTP; bolt's App
accepts the builders' requests (signature, payload shapes) and its say()/respond() land
in the stand-in (DESIGN.md sections 6 and 7).
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
from tests.support.slack_api import Call, SlackStandIn, block_kit_problems

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
    assert violation.problems == ["must have at most 100 items (got 101) [json-pointer:/blocks]"]
    assert [call.ok for call in stand_in.calls_to("views.publish")] == [True, False]


def test_section_text_over_3000_chars_is_rejected(
    stand_in: SlackStandIn, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="fits", blocks=[section("x" * 3000)])
    with pytest.raises(SlackApiError) as rejected:
        client.chat_postMessage(channel="C1", text="long", blocks=[section("x" * 3001)])
    assert rejected.value.response["error"] == "invalid_blocks"
    assert rejected.value.response["errors"] == [
        "must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]"
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
    stand_in.fail_next("chat.update", status=500)
    assert client.chat_update(channel="C1", ts="1.2", text="x")["ok"]
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


# --- block_kit_problems -----------------------------------------------------------------


def ctx(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * count}


def actions(count: int, text: str = "Go") -> dict[str, Any]:
    return {"type": "actions", "elements": [button(text)] * count}


def modal(**fields: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Budget"}, "blocks": []} | (
        fields
    )


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
        ["must have at most 100 items (got 101) [json-pointer:/blocks]"],
    ),
    ("section 3000", "message", {"blocks": [section("x" * 3000)]}, []),
    (
        "section 3001",
        "message",
        {"blocks": [section("x" * 3001)]},
        ["must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]"],
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
        ["must have text or fields [json-pointer:/blocks/0]"],
    ),
    (
        "header 151",
        "message",
        {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
        ["must be at most 150 characters (got 151) [json-pointer:/blocks/0/text/text]"],
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
        ["must have at most 10 items (got 11) [json-pointer:/blocks/0/fields]"],
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
        ["must have at most 10 items (got 11) [json-pointer:/blocks/0/elements]"],
    ),
    ("25 actions", "message", {"blocks": [actions(25)]}, []),
    (
        "26 actions",
        "message",
        {"blocks": [actions(26)]},
        ["must have at most 25 items (got 26) [json-pointer:/blocks/0/elements]"],
    ),
    (
        "button text 76",
        "message",
        {"blocks": [actions(1, "b" * 76)]},
        ["must be at most 75 characters (got 76) [json-pointer:/blocks/0/elements/0/text/text]"],
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
        ["must be at most 255 characters (got 256) [json-pointer:/blocks/0/block_id]"],
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
        ["unknown block type 'sektion' [json-pointer:/blocks/0/type]"],
    ),
    (
        "block without type",
        "message",
        {"blocks": [{"text": {"type": "mrkdwn", "text": "x"}}]},
        ["unknown block type None [json-pointer:/blocks/0/type]"],
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
        ["must be at most 3000 characters (got 3001) [json-pointer:/blocks/0/text/text]"],
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
        ["must be at most 24 characters (got 25) [json-pointer:/title/text]"],
    ),
    (
        "modal without title",
        "modal",
        {"type": "modal", "blocks": []},
        ["is required [json-pointer:/title]"],
    ),
    ("private_metadata 3000", "modal", modal(private_metadata="m" * 3000), []),
    (
        "private_metadata 3001",
        "modal",
        modal(private_metadata="m" * 3001),
        ["must be at most 3000 characters (got 3001) [json-pointer:/private_metadata]"],
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
        {"type": "home", "blocks": []},
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
