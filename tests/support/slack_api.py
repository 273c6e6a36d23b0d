"""A local stand-in for Slack's Web API (DESIGN.md sections 6 and 7).

`SlackStandIn` is a real HTTP server on a free loopback port. Point the app at it with
`SLACK_API_URL=<stand_in.api_url>` (or `WebClient(base_url=stand_in.api_url)`). It answers
`POST /api/<method>` like Slack does, serves the upload URLs of the files upload v2 flow
(`/upload/<file_id>`) and response_url posts (`/response/<anything>`), records every call,
checks Block Kit limits and rejects violations the way Slack does, and can be told to
fail the next calls to a method (429 with Retry-After, 5xx, or an `ok: false` error).

The fixture `slack_api` yields a started stand-in for one test.
"""

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
APP_ID = "A0001"
TOKEN_PREFIX = "xoxb-"

# Block Kit limits (https://docs.slack.dev/reference/block-kit), see DESIGN.md section 6.
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
BLOCK_ID = 255
ACTION_ID = 255
INPUT_LABEL = 2000
IMAGE_ALT_TEXT = 2000
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "call",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
VIEW_TYPES = frozenset({"modal", "home"})

# Form fields that carry JSON when a client sends form-encoded bodies.
JSON_FIELDS = frozenset({"attachments", "blocks", "files", "metadata", "view"})

RESPONSE_URL = "response_url"  # the method name recorded for response_url posts
UPLOAD = "upload"  # the method name recorded for files upload v2 byte uploads


# ---------------------------------------------------------------------------------------
# Block Kit limits: a pure function
# ---------------------------------------------------------------------------------------


def block_kit_problems(kind: str, payload: Mapping[str, Any]) -> list[str]:
    """Every Block Kit limit `payload` breaks, worded like Slack's errors; [] when valid.

    `kind` is "message" (a chat.* or response_url body: its "blocks" are checked, at most
    50), or "modal" / "home" (`payload` is the view itself: at most 100 blocks, title,
    private_metadata ...), or "view" (the view's own "type" decides). "blocks" (or the
    whole view) may be a JSON string, as in form-encoded bodies.
    """
    problems: list[str] = []
    if kind == "message":
        blocks = _json_value(payload.get("blocks"), "/blocks", problems)
        if blocks is not None:
            _blocks(problems, blocks, "/blocks", MESSAGE_BLOCKS)
        return problems
    if kind not in {"view", *VIEW_TYPES}:
        raise ValueError(f"unknown kind {kind!r}: expected message, modal, home or view")
    view_type = payload.get("type")
    if view_type not in VIEW_TYPES:
        problems.append(_problem("must be one of modal, home", "/type"))
        return problems
    if kind != "view" and view_type != kind:
        problems.append(_problem(f"must be {kind}", "/type"))
    blocks = _json_value(payload.get("blocks"), "/blocks", problems)
    if blocks is None:
        problems.append(_problem("is required", "/blocks"))
    else:
        _blocks(problems, blocks, "/blocks", VIEW_BLOCKS)
    if view_type == "modal":
        _text(problems, payload.get("title"), "/title", MODAL_TITLE, plain_only=True)
        for button in ("submit", "close"):
            if payload.get(button) is not None:
                _text(problems, payload[button], f"/{button}", MODAL_BUTTON, plain_only=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in blocks
        )
        if has_input and payload.get("submit") is None:
            problems.append(_problem("is required when the view has input blocks", "/submit"))
    _string(problems, payload.get("private_metadata"), "/private_metadata", PRIVATE_METADATA)
    _string(problems, payload.get("callback_id"), "/callback_id", CALLBACK_ID)
    _string(problems, payload.get("external_id"), "/external_id", CALLBACK_ID)
    return problems


def _problem(message: str, path: str) -> str:
    return f"{message} [json-pointer:{path}]"


def _json_value(value: Any, path: str, problems: list[str]) -> Any:
    """`value`, decoded when it is a JSON string (form-encoded bodies carry JSON fields)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        problems.append(_problem("must be valid JSON", path))
        return None


def _string(problems: list[str], value: Any, path: str, limit: int) -> None:
    """An optional string field of at most `limit` characters."""
    if value is None:
        return
    if not isinstance(value, str):
        problems.append(_problem("must be a string", path))
    elif len(value) > limit:
        problems.append(_problem(f"must be at most {limit} characters (got {len(value)})", path))


def _text(
    problems: list[str], value: Any, path: str, limit: int | None, *, plain_only: bool = False
) -> None:
    """A required text object: plain_text or mrkdwn, 1 to `limit` characters."""
    if value is None:
        problems.append(_problem("is required", path))
        return
    if not isinstance(value, dict):
        problems.append(_problem("must be a text object", path))
        return
    kind = value.get("type")
    if plain_only and kind != "plain_text":
        problems.append(_problem("must be plain_text", f"{path}/type"))
    elif kind not in TEXT_TYPES:
        problems.append(_problem("must be plain_text or mrkdwn", f"{path}/type"))
    text = value.get("text")
    if not isinstance(text, str):
        problems.append(_problem("must be a string", f"{path}/text"))
    elif not text:
        problems.append(_problem("must be more than 0 characters", f"{path}/text"))
    elif limit is not None and len(text) > limit:
        problems.append(
            _problem(f"must be at most {limit} characters (got {len(text)})", f"{path}/text")
        )


def _list(problems: list[str], value: Any, path: str, limit: int, *, required: bool) -> list[Any]:
    """A list of 1 to `limit` items (the items are returned for further checks)."""
    if value is None:
        if required:
            problems.append(_problem("is required", path))
        return []
    if not isinstance(value, list):
        problems.append(_problem("must be an array", path))
        return []
    if not value:
        problems.append(_problem("must have at least 1 item", path))
    elif len(value) > limit:
        problems.append(_problem(f"must have at most {limit} items (got {len(value)})", path))
    return value


def _blocks(problems: list[str], blocks: Any, path: str, limit: int) -> None:
    if not isinstance(blocks, list):
        problems.append(_problem("must be an array", path))
        return
    if len(blocks) > limit:
        problems.append(_problem(f"must have at most {limit} items (got {len(blocks)})", path))
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _block(problems, block, f"{path}/{index}", seen_ids)


def _block(problems: list[str], block: Any, path: str, seen_ids: set[str]) -> None:
    if not isinstance(block, dict):
        problems.append(_problem("must be an object", path))
        return
    block_type = block.get("type")
    if block_type not in KNOWN_BLOCK_TYPES:
        problems.append(_problem(f"unknown block type {block_type!r}", f"{path}/type"))
        return
    block_id = block.get("block_id")
    if block_id is not None:
        _string(problems, block_id, f"{path}/block_id", BLOCK_ID)
        if block_id in seen_ids:
            problems.append(_problem(f"duplicate block_id {block_id!r}", f"{path}/block_id"))
        if isinstance(block_id, str):
            seen_ids.add(block_id)
    check = _BLOCK_CHECKS.get(block_type)
    if check is not None:
        check(problems, block, path)


def _section(problems: list[str], block: dict[str, Any], path: str) -> None:
    if block.get("text") is None and block.get("fields") is None:
        problems.append(_problem("must have text or fields", path))
    if block.get("text") is not None:
        _text(problems, block["text"], f"{path}/text", SECTION_TEXT)
    fields = _list(problems, block.get("fields"), f"{path}/fields", SECTION_FIELDS, required=False)
    for index, item in enumerate(fields):
        _text(problems, item, f"{path}/fields/{index}", FIELD_TEXT)
    if block.get("accessory") is not None:
        _element(problems, block["accessory"], f"{path}/accessory")


def _header(problems: list[str], block: dict[str, Any], path: str) -> None:
    _text(problems, block.get("text"), f"{path}/text", HEADER_TEXT, plain_only=True)


def _context(problems: list[str], block: dict[str, Any], path: str) -> None:
    elements = _list(
        problems, block.get("elements"), f"{path}/elements", CONTEXT_ELEMENTS, required=True
    )
    for index, element in enumerate(elements):
        at = f"{path}/elements/{index}"
        if isinstance(element, dict) and element.get("type") == "image":
            _image(problems, element, at)
        else:
            _text(problems, element, at, None)


def _actions(problems: list[str], block: dict[str, Any], path: str) -> None:
    elements = _list(
        problems, block.get("elements"), f"{path}/elements", ACTIONS_ELEMENTS, required=True
    )
    for index, element in enumerate(elements):
        _element(problems, element, f"{path}/elements/{index}")


def _input(problems: list[str], block: dict[str, Any], path: str) -> None:
    _text(problems, block.get("label"), f"{path}/label", INPUT_LABEL, plain_only=True)
    if block.get("hint") is not None:
        _text(problems, block["hint"], f"{path}/hint", INPUT_LABEL, plain_only=True)
    if block.get("element") is None:
        problems.append(_problem("is required", f"{path}/element"))
    else:
        _element(problems, block["element"], f"{path}/element")


def _image(problems: list[str], block: dict[str, Any], path: str) -> None:
    if block.get("image_url") is None and block.get("slack_file") is None:
        problems.append(_problem("must have image_url or slack_file", path))
    alt_text = block.get("alt_text")
    if alt_text is None:
        problems.append(_problem("is required", f"{path}/alt_text"))
    else:
        _string(problems, alt_text, f"{path}/alt_text", IMAGE_ALT_TEXT)


def _element(problems: list[str], element: Any, path: str) -> None:
    """An interactive element (button, select, input ...); buttons are checked in detail."""
    if not isinstance(element, dict):
        problems.append(_problem("must be an object", path))
        return
    if not isinstance(element.get("type"), str):
        problems.append(_problem("is required", f"{path}/type"))
        return
    _string(problems, element.get("action_id"), f"{path}/action_id", ACTION_ID)
    if element["type"] == "image":
        _image(problems, element, path)
    elif element["type"] == "button":
        _text(problems, element.get("text"), f"{path}/text", BUTTON_TEXT, plain_only=True)
        _string(problems, element.get("value"), f"{path}/value", BUTTON_VALUE)
        _string(problems, element.get("url"), f"{path}/url", BUTTON_URL)
        style = element.get("style")
        if style is not None and style not in {"primary", "danger"}:
            problems.append(_problem("must be primary or danger", f"{path}/style"))


_BLOCK_CHECKS: dict[str, Callable[[list[str], dict[str, Any], str], None]] = {
    "actions": _actions,
    "context": _context,
    "header": _header,
    "image": _image,
    "input": _input,
    "section": _section,
}


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------


class Headers(dict[str, str]):
    """Request headers; keys are stored lower-case and looked up case-insensitively."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((key.lower(), value) for key, value in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, and how it answered.

    `method` is the Web API method ("chat.postMessage"), or "response_url" / "upload".
    `body` is the parsed body (JSON, or form fields; JSON-valued form fields such as
    blocks and view are decoded). `reply` is the JSON answer (a dict) or the text answer.
    """

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.time() on arrival
    status: int = 200
    reply: Any = None
    path: str = ""
    raw: bytes = b""

    @property
    def ok(self) -> bool:
        """Whether Slack would have done it (HTTP 200 and no `ok: false`)."""
        if self.status != 200:
            return False
        return not isinstance(self.reply, dict) or bool(self.reply.get("ok"))


@dataclass(frozen=True)
class Violation:
    """A payload rejected for breaking Block Kit limits."""

    method: str
    problems: list[str]
    body: dict[str, Any]


@dataclass
class Upload:
    """A file of the upload v2 flow: announced by files.getUploadURLExternal."""

    file_id: str
    filename: str
    length: int  # what the client announced
    data: bytes | None = None  # what it then uploaded (None: not yet)
    title: str | None = None
    channel_id: str | None = None  # set by files.completeUploadExternal
    completed: bool = False

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str
    retry_after: int | None


@dataclass
class _Answer:
    status: int
    payload: Any  # a dict (sent as JSON) or a str (sent as text)
    headers: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------


class SlackStandIn:
    """Slack's Web API on 127.0.0.1:<free port>; use as a context manager or start()/stop()."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._violations: list[Violation] = []
        self._errors: list[str] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._uploads: dict[str, Upload] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._serial = itertools.count(1)  # never reset: ts and ids stay unique
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> "SlackStandIn":
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.stand_in = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="slack-stand-in", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "SlackStandIn":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running: call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, for SLACK_API_URL and WebClient(base_url=...)."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "hook") -> str:
        """A response_url that posts back to this stand-in (for slash commands, actions)."""
        return f"{self.url}/response/{name}"

    # -- records --------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call so far, oldest first (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def violations(self) -> list[Violation]:
        """Every payload rejected for Block Kit limits (a copy)."""
        with self._lock:
            return list(self._violations)

    @property
    def errors(self) -> list[str]:
        """Internal errors of the stand-in itself (should stay empty)."""
        with self._lock:
            return list(self._errors)

    @property
    def uploads(self) -> dict[str, Upload]:
        """Files of the upload v2 flow by file_id."""
        with self._lock:
            return dict(self._uploads)

    @property
    def messages(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The live messages by (channel, ts): posted, then updated; deleted ones vanish."""
        with self._lock:
            return {key: dict(message) for key, message in self._messages.items()}

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def responses(self) -> list[Call]:
        """The response_url posts."""
        return self.calls_to(RESPONSE_URL)

    def wait_for(
        self, what: str | Callable[[Call], bool], count: int = 1, timeout: float = 10.0
    ) -> list[Call]:
        """Wait until `count` calls match (a method name or a predicate); return all matches.

        Raises AssertionError naming what was seen when `timeout` seconds pass first.
        """
        matches: Callable[[Call], bool] = (
            (lambda call: call.method == what) if isinstance(what, str) else what
        )
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self._calls if matches(call)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.2))
            seen = "\n".join(_describe(call) for call in self._calls[-40:]) or "(no calls)"
        wanted = what if isinstance(what, str) else getattr(what, "__name__", repr(what))
        raise AssertionError(
            f"waited {timeout:g}s for {count} call(s) matching {wanted}, "
            f"got {len(found)}; calls seen:\n{seen}"
        )

    def assert_no_violations(self) -> None:
        with self._lock:
            if self._violations or self._errors:
                lines = [f"{v.method}: {p}" for v in self._violations for p in v.problems]
                raise AssertionError(
                    "\n".join(["Slack stand-in saw problems:", *lines, *self._errors])
                )

    def reset(self) -> None:
        """Forget calls, violations, pending failures, uploads, messages and views."""
        with self._lock:
            self._calls.clear()
            self._violations.clear()
            self._errors.clear()
            self._failures.clear()
            self._uploads.clear()
            self._messages.clear()
            self._views.clear()

    # -- failure injection ----------------------------------------------------------------

    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next `times` calls to `method` with HTTP `status`.

        429 is Slack's rate limit: it carries `Retry-After: <retry_after>` and
        `{"ok": false, "error": "ratelimited"}`; other statuses answer `internal_error`.
        `method` may also be "response_url" or "upload".
        """
        error = "ratelimited" if status == 429 else "internal_error"
        failure = _Failure(status, error, retry_after if status == 429 else None)
        with self._lock:
            self._failures.setdefault(method, deque()).extend([failure] * times)

    def error_next(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with HTTP 200 `{"ok": false, "error"}`."""
        with self._lock:
            self._failures.setdefault(method, deque()).extend([_Failure(200, error, None)] * times)

    # -- request handling (called from the server's threads) ------------------------------

    def _next_serial(self) -> int:
        with self._lock:
            return next(self._serial)

    def _new_ts(self) -> str:
        micros = self._next_serial() * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            pending = self._failures.get(method)
            return pending.popleft() if pending else None

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _record_error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)

    def _violation(self, method: str, problems: list[str], body: dict[str, Any]) -> None:
        with self._lock:
            self._violations.append(Violation(method, problems, body))

    def _handle(self, verb: str, target: str, headers: Headers, raw: bytes) -> _Answer:
        at = time.time()
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/") and len(path) > len("/api/"):
            method = path[len("/api/") :]
            body, parsed = _parse_body(headers.get("content-type", ""), raw)
            query = _parse_form(parts.query.encode())
            body = {**query, **body}
            answer = self._api(method, body, headers) if parsed else _invalid_json()
        elif verb == "POST" and path.startswith("/response/"):
            method = RESPONSE_URL
            body, answer = self._response_url(headers, raw)
        elif verb == "POST" and path.startswith("/upload/"):
            method = UPLOAD
            file_id = path[len("/upload/") :]
            body = {"file_id": file_id, "size": len(raw)}
            answer = self._upload(file_id, raw)
        else:
            method, body, answer = path, {}, _Answer(404, "not found")
        reply = answer.payload
        self._record(Call(method, body, headers, at, answer.status, reply, target, raw))
        return answer

    def _api(self, method: str, body: dict[str, Any], headers: Headers) -> _Answer:
        failure = self._take_failure(method)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return _Answer(failure.status, {"ok": False, "error": failure.error}, extra)
        handler = _METHODS.get(method)
        if handler is None:
            if method == "files.upload":
                return _error("method_deprecated")
            return _error("unknown_method", req_method=method)
        authorization = headers.get("authorization", "")
        token = authorization[len("Bearer ") :] if authorization.startswith("Bearer ") else None
        token = token or body.get("token")
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return _error("invalid_auth")
        return _Answer(200, handler(self, body))

    def _response_url(self, headers: Headers, raw: bytes) -> tuple[dict[str, Any], _Answer]:
        try:
            body = json.loads(raw)
        except ValueError:
            return {}, _Answer(400, "invalid_payload")
        if not isinstance(body, dict):
            return {}, _Answer(400, "invalid_payload")
        failure = self._take_failure(RESPONSE_URL)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return body, _Answer(failure.status, failure.error, extra)
        if not any(body.get(key) for key in ("text", "blocks", "attachments", "delete_original")):
            return body, _Answer(400, "no_text")
        problems = block_kit_problems("message", body)
        if problems:
            self._violation(RESPONSE_URL, problems, body)
            return body, _Answer(400, "\n".join(["invalid_blocks", *problems]))
        return body, _Answer(200, "ok")

    def _upload(self, file_id: str, raw: bytes) -> _Answer:
        failure = self._take_failure(UPLOAD)
        if failure is not None:
            return _Answer(failure.status, failure.error)
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return _Answer(404, "file_not_found")
            upload.data = raw
        return _Answer(200, f"OK - {len(raw)}")

    # -- Web API methods ------------------------------------------------------------------

    def _blocks_rejected(
        self, method: str, kind: str, payload: Mapping[str, Any], body: dict[str, Any]
    ) -> dict[str, Any] | None:
        problems = block_kit_problems(kind, payload)
        if not problems:
            return None
        self._violation(method, problems, body)
        return {
            "ok": False,
            "error": "invalid_blocks",
            "errors": problems,
            "response_metadata": {"messages": [f"[ERROR] {problem}" for problem in problems]},
        }

    def _message(self, body: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": body.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if body.get(key) is not None:
                message[key] = body[key]
        return message

    def _chat_post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = _channel_id(body.get("channel"))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(body.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        rejected = self._blocks_rejected("chat.postMessage", "message", body, body)
        if rejected:
            return rejected
        ts = self._new_ts()
        message = self._message(body, ts)
        with self._lock:
            self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _channel_id(body.get("channel")), body.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(ts, str) or not ts:
            return {"ok": False, "error": "message_not_found"}
        rejected = self._blocks_rejected("chat.update", "message", body, body)
        if rejected:
            return rejected
        message = self._message(body, ts)
        with self._lock:
            self._messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _chat_post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if not _channel_id(body.get("channel")):
            return {"ok": False, "error": "channel_not_found"}
        if not body.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        if not any(body.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        rejected = self._blocks_rejected("chat.postEphemeral", "message", body, body)
        if rejected:
            return rejected
        return {"ok": True, "message_ts": self._new_ts()}

    def _chat_delete(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _channel_id(body.get("channel")), body.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(ts, str) or not ts:
            return {"ok": False, "error": "message_not_found"}
        with self._lock:
            self._messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _view_method(self, method: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
        view = body.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        rejected = self._blocks_rejected(method, kind, view, body)
        if rejected:
            return rejected
        with self._lock:
            view_id = body.get("view_id")
            if not isinstance(view_id, str) or not view_id:
                view_id = f"V{self._next_serial():010d}"
            stored = {
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "private_metadata": "",
                "callback_id": "",
                "external_id": "",
                "state": {"values": {}},
                "hash": f"{time.time():.6f}.{self._next_serial():08x}",
                "root_view_id": view_id,
                "previous_view_id": None,
                **view,
            }
            self._views[view_id] = stored
        return {"ok": True, "view": stored}

    def _views_publish(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view_method("views.publish", body, "home")

    def _views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("trigger_id") and not body.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view_method("views.open", body, "modal")

    def _views_push(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("trigger_id") and not body.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view_method("views.push", body, "modal")

    def _views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("view_id") and not body.get("external_id"):
            return {"ok": False, "error": "not_found"}
        return self._view_method("views.update", body, "view")

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://budgetbot-test.slack.com/",
            "team": "budgetbot test",
            "user": "budgetbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("channel"):
            return {"ok": True, "no_op": True, "channel": {"id": body["channel"]}}
        users = [user for user in str(body.get("users") or "").split(",") if user]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel = f"D{users[0]}" if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel}}

    def _files_get_upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        filename, length = body.get("filename"), body.get("length")
        try:
            size = int(length) if length is not None else -1
        except (TypeError, ValueError):
            size = -1
        if not filename or size < 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._next_serial():010d}"
        with self._lock:
            self._uploads[file_id] = Upload(file_id, str(filename), size)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        completed: list[dict[str, Any]] = []
        with self._lock:
            for item in files:
                file_id = item.get("id") if isinstance(item, dict) else None
                upload = self._uploads.get(str(file_id))
                if upload is None or upload.data is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.title = item.get("title") or upload.filename
                upload.channel_id = body.get("channel_id") or None
                upload.completed = True
                completed.append(
                    {
                        "id": upload.file_id,
                        "created": int(time.time()),
                        "name": upload.filename,
                        "title": upload.title,
                        "size": len(upload.data),
                        "user": BOT_USER_ID,
                        "channels": [upload.channel_id] if upload.channel_id else [],
                    }
                )
        return {"ok": True, "files": completed}


_METHODS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
    "chat.postMessage": SlackStandIn._chat_post_message,
    "chat.update": SlackStandIn._chat_update,
    "chat.postEphemeral": SlackStandIn._chat_post_ephemeral,
    "chat.delete": SlackStandIn._chat_delete,
    "views.publish": SlackStandIn._views_publish,
    "views.open": SlackStandIn._views_open,
    "views.update": SlackStandIn._views_update,
    "views.push": SlackStandIn._views_push,
    "conversations.open": SlackStandIn._conversations_open,
    "files.getUploadURLExternal": SlackStandIn._files_get_upload_url,
    "files.completeUploadExternal": SlackStandIn._files_complete_upload,
}


def _error(error: str, **extra: Any) -> _Answer:
    return _Answer(200, {"ok": False, "error": error, **extra})


def _invalid_json() -> _Answer:
    return _error("invalid_json")


def _channel_id(channel: Any) -> str | None:
    """A channel as Slack answers it: a user ID (U.../W...) means the DM with that user."""
    if not isinstance(channel, str) or not channel:
        return None
    return f"D{channel}" if channel[0] in "UW" else channel


def _parse_form(raw: bytes) -> dict[str, Any]:
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    body: dict[str, Any] = {key: values[-1] for key, values in fields.items()}
    for key in JSON_FIELDS & body.keys():
        with contextlib.suppress(ValueError):  # else left as sent; block_kit_problems says so
            body[key] = json.loads(body[key])
    return body


def _parse_body(content_type: str, raw: bytes) -> tuple[dict[str, Any], bool]:
    """The body's fields and whether it parsed (a JSON body must be a JSON object)."""
    if not raw:
        return {}, True
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return {}, False
        return (body, True) if isinstance(body, dict) else ({}, False)
    if content_type.startswith("multipart/"):
        return {}, True  # no method here takes multipart bodies; the raw bytes are recorded
    return _parse_form(raw), True


def _describe(call: Call) -> str:
    body = json.dumps(call.body, default=str)
    if len(body) > 200:
        body = body[:200] + "..."
    return f"  {call.method} -> {call.status} {json.dumps(call.reply, default=str)[:120]} {body}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stand_in: SlackStandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, verb: str) -> None:
        stand_in = self.server.stand_in
        try:
            raw = self._body()
            headers = Headers(self.headers.items())
            answer = stand_in._handle(verb, self.path, headers, raw)
        except Exception as exc:  # a bug here must show up in the test, not kill the thread
            stand_in._record_error(f"{verb} {self.path}: {exc!r}")
            answer = _Answer(500, f"stand-in error: {exc!r}")
        if isinstance(answer.payload, str):
            data, content_type = answer.payload.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = (
                json.dumps(answer.payload).encode(),
                "application/json; charset=utf-8",
            )
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client went away; the call is recorded already

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
            while self.rfile.readline().strip():  # trailers, up to the empty line
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the calls are recorded instead."""


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    """A running Slack Web API stand-in for one test; SLACK_API_URL=slack_api.api_url."""
    with SlackStandIn() as stand_in:
        yield stand_in
    if stand_in.errors:  # the stand-in's own bugs; Block Kit violations are the test's call
        pytest.fail("Slack stand-in failed:\n" + "\n".join(stand_in.errors), pytrace=False)
