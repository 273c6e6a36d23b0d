"""Requests as Slack sends them to the app, signed (docs/slack.md).

Builders return a `SlackBody` (a `(body bytes, content type)` tuple) shaped like Slack's
own: slash commands form-encoded, events as JSON, interactivity as a form field
`payload` holding JSON. `post()` signs one and sends it with urllib.
"""

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM_ID = "T0001"
TEAM_DOMAIN = "budgetbot-test"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated by Slack; still sent
# Port 9 (discard) on loopback: a response_url that fails fast instead of reaching Slack.
# Pass SlackStandIn.response_url(...) to have the posts recorded.
NOWHERE_RESPONSE_URL = "http://127.0.0.1:9/response/unset"

_serial = itertools.count(1)


class SlackBody(NamedTuple):
    body: bytes
    content_type: str


def sign(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """Slack's signature headers: v0=HMAC-SHA256(secret, b"v0:<timestamp>:<body>")."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def new_trigger_id() -> str:
    """A fresh trigger_id shaped like Slack's."""
    n = next(_serial)
    return f"{1_700_000_000 + n}.{n:012d}.{hashlib.sha1(str(n).encode()).hexdigest()[:32]}"


def new_event_id() -> str:
    """A fresh event_id shaped like Slack's (Ev...)."""
    return f"Ev{next(_serial):010d}"


def _action_ts() -> str:
    n = next(_serial)
    return f"{1_700_000_000 + n}.{n:06d}"


def _user(user_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _team() -> dict[str, str]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def _interactive(payload: Mapping[str, Any]) -> SlackBody:
    return SlackBody(urlencode({"payload": json.dumps(payload)}).encode(), FORM)


def slash_command(
    command: str,
    text: str = "",
    user_id: str = "U123",
    channel_id: str = "C123",
    response_url: str = NOWHERE_RESPONSE_URL,
    trigger_id: str | None = None,
    *,
    team_id: str = TEAM_ID,
    channel_name: str = "general",
) -> SlackBody:
    """A slash command, form-encoded with the fields Slack sends."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return SlackBody(urlencode(fields).encode(), FORM)


def event_callback(
    event: Mapping[str, Any],
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    *,
    event_time: int | None = None,
) -> SlackBody:
    """An Events API delivery (`type: event_callback`) wrapping `event`, as JSON."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{next(_serial):08d}",
    }
    return SlackBody(json.dumps(body).encode(), JSON)


def url_verification(challenge: str) -> SlackBody:
    """The Events API handshake: the app must answer with `challenge`."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return SlackBody(json.dumps(body).encode(), JSON)


def block_action(
    action_id: str,
    value: str | None = None,
    user_id: str = "U123",
    *,
    block_id: str | None = None,
    channel_id: str = "C123",
    message_ts: str = "1700000000.000100",
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    response_url: str = NOWHERE_RESPONSE_URL,
    trigger_id: str | None = None,
    action_type: str = "button",
    action: Mapping[str, Any] | None = None,
) -> SlackBody:
    """A `block_actions` payload: one action on a message, or on a view when `view` is given.

    The action is a button press carrying `value` unless `action` gives its fields
    (e.g. {"type": "static_select", "selected_option": {...}}).
    """
    block_id = block_id or f"block-{action_id}"
    clicked: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": _action_ts(),
    }
    if action_type == "button":
        clicked["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
    if value is not None:
        clicked["value"] = value
    clicked.update(action or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [clicked],
    }
    if view is not None:
        full_view = _view(view)
        payload["container"] = {
            "type": "view",
            "view_id": full_view["id"],
        }
        payload["view"] = full_view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = dict(message) if message is not None else _posted(message_ts)
        payload["response_url"] = response_url
    return _interactive(payload)


def view_submission(
    callback_id: str,
    values: Mapping[str, Mapping[str, Any]],
    user_id: str = "U123",
    *,
    private_metadata: str = "",
    view_id: str = "V0000000001",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "budgetbot",
    trigger_id: str | None = None,
) -> SlackBody:
    """A `view_submission` of a modal; `values` is state.values by block_id, then action_id.

    A leaf may be Slack's own element state ({"type": "static_select", "selected_option":
    ...}) or a plain string, taken as a plain_text_input's value.
    """
    state = {
        block: {
            action: ({"type": "plain_text_input", "value": leaf} if isinstance(leaf, str) else leaf)
            for action, leaf in actions.items()
        }
        for block, actions in values.items()
    }
    view = _view(
        {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Submit"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks or [],
            "state": {"values": state},
        }
    )
    payload = {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload)


def block_suggestion(
    block_id: str,
    action_id: str,
    value: str,
    user_id: str = "U123",
    *,
    callback_id: str = "incident_declare",
) -> SlackBody:
    """A `block_suggestion`: an external select asks for options matching what was typed."""
    view = _view(
        {
            "type": "modal",
            "callback_id": callback_id,
            "title": {"type": "plain_text", "text": "budgetbot"},
            "blocks": [],
            "state": {"values": {}},
        }
    )
    payload = {
        "type": "block_suggestion",
        "user": _user(user_id),
        "team": _team(),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
        "block_id": block_id,
        "action_id": action_id,
        "value": value,
    }
    return _interactive(payload)


def _view(view: Mapping[str, Any]) -> dict[str, Any]:
    """A view as Slack includes it in payloads: the given fields plus Slack's own."""
    view_id = str(view.get("id") or "V0000000001")
    return {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": f"{1_700_000_000 + next(_serial)}.abcdef12",
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": TEAM_ID,
        "bot_id": "BBOT",
        **view,
    }


def _posted(ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": "BBOT",
        "ts": ts,
        "text": "",
        "team": TEAM_ID,
        "blocks": [],
    }


def post(
    url: str,
    body: bytes,
    content_type: str,
    secret: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    *,
    timeout: float = 10.0,
) -> tuple[int, str]:
    """POST a signed request like Slack does; (HTTP status, response text), errors included.

    `timestamp` defaults to now; `retry_num` adds X-Slack-Retry-Num and X-Slack-Retry-Reason.
    """
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **sign(secret, body, int(time.time()) if timestamp is None else timestamp),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8", "replace")
