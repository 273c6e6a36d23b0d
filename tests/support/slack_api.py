"""A local stand-in for Slack's Web API (docs/slack.md; docs/architecture.md, Tests).

`SlackStandIn` is a real HTTP server on a free loopback port. Point the app at it with
`SLACK_API_URL=<stand_in.api_url>` (or `WebClient(base_url=stand_in.api_url)`). It answers
`POST /api/<method>` like Slack does, serves the upload URLs of the files upload v2 flow
(`/upload/<file_id>`) and response_url posts (`/response/<anything>`), records every call,
and can be told to fail the next calls to a method (429 with Retry-After, 5xx, or an
`ok: false` error).

It refuses what a real workspace refuses, and records each refusal in `violations`
(`assert_no_violations()` fails on any):

- Block Kit limits (tests/support/slack_limits.py: hand-written checks and slack_sdk's
  own models) on every blocks or view payload: chat.postMessage, chat.update,
  chat.postEphemeral, response_url posts, views.open/push/update/publish. Slack answers
  `invalid_blocks` (a response_url answers HTTP 400 `invalid_blocks` and the problems).
- Channel membership (tests/support/slack_workspace.py): posting to a private channel
  ("G...") or DM ("D...") the bot is not in answers `channel_not_found`, which is what
  Slack answers there (chat.postMessage's errors,
  https://docs.slack.dev/reference/methods/chat.postMessage: to a bot outside it the
  conversation does not exist); public channels ("C...") take the bot's posts without an
  invitation thanks to `chat:write.public` in manifest.yml (a stand-in made with scopes
  lacking it answers `not_in_channel` there instead). `invite(channel)` / `remove(channel)`
  change the bot's membership, `add_members(channel, *users)` declares members, which
  chat.postEphemeral then requires (`user_not_in_channel`). chat.update and chat.delete
  answer `message_not_found` for a ts never posted in that channel.
- A response_url takes at most 5 posts ("up to 5 times within 30 minutes of the user's
  interaction": https://docs.slack.dev/interactivity/handling-user-interaction). Slack
  documents the limit but not what it answers past it; the stand-in answers the 6th
  accepted post HTTP 404 `used_url` and records it (refused posts do not count). The 30
  minutes are not modelled.

The fixture `slack_api` yields a started stand-in for one test.
"""

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.slack_http import Answer, Handler, Server, parse_body, parse_form
from tests.support.slack_limits import block_kit_problems, limit_problems
from tests.support.slack_models import blocks_model_problems, view_model_problems
from tests.support.slack_records import Call, Headers, Upload, Violation
from tests.support.slack_workspace import Workspace, channel_kind, manifest_bot_scopes

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "RESPONSE_URL",
    "RESPONSE_URL_USES",
    "TEAM_ID",
    "UPLOAD",
    "Call",
    "Headers",
    "SlackStandIn",
    "Upload",
    "Violation",
    "block_kit_problems",
    "blocks_model_problems",
    "channel_kind",
    "limit_problems",
    "slack_api",
    "view_model_problems",
]

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
APP_ID = "A0001"
TOKEN_PREFIX = "xoxb-"

RESPONSE_URL = "response_url"  # the method name recorded for response_url posts
UPLOAD = "upload"  # the method name recorded for files upload v2 byte uploads
RESPONSE_URL_USES = 5  # posts one response_url takes


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str
    retry_after: int | None


# ---------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------


class SlackStandIn:
    """Slack's Web API on 127.0.0.1:<free port>; use as a context manager or start()/stop().

    `scopes` are the bot's (default: manifest.yml's); without `chat:write.public` the bot
    may post only in the public channels it was invited to.
    """

    def __init__(self, scopes: Iterable[str] | None = None) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._violations: list[Violation] = []
        self._errors: list[str] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._uploads: dict[str, Upload] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._response_uses: dict[str, int] = {}
        self._workspace = Workspace(
            BOT_USER_ID, manifest_bot_scopes() if scopes is None else scopes
        )
        self._serial = itertools.count(1)  # never reset: ts and ids stay unique
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> "SlackStandIn":
        if self._server is not None:
            return self
        server = Server(("127.0.0.1", 0), Handler)
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

    @property
    def response_url_uses(self) -> dict[str, int]:
        """Accepted posts by response_url path ("/response/<name>")."""
        with self._lock:
            return dict(self._response_uses)

    @property
    def bot_channels(self) -> frozenset[str]:
        """The channels the bot is a member of (invited, or DMs it opened)."""
        with self._lock:
            return self._workspace.bot_channels

    @property
    def members(self) -> dict[str, frozenset[str]]:
        """The members of the channels whose members are known, by channel."""
        with self._lock:
            return self._workspace.members

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
        """Fail naming every refused call (Block Kit, membership, response_url reuse)."""
        with self._lock:
            if self._violations or self._errors:
                lines = [
                    f"{v.method} ({v.error}): {p}" for v in self._violations for p in v.problems
                ]
                raise AssertionError(
                    "\n".join(["Slack stand-in saw problems:", *lines, *self._errors])
                )

    def reset(self) -> None:
        """Forget calls, violations, pending failures, uploads, messages, views and the
        response_url uses (the memberships stay: they are the workspace, not records)."""
        with self._lock:
            self._response_uses.clear()
            self._calls.clear()
            self._violations.clear()
            self._errors.clear()
            self._failures.clear()
            self._delays.clear()
            self._uploads.clear()
            self._messages.clear()
            self._views.clear()

    # -- the workspace ----------------------------------------------------------------------

    def invite(self, channel: str) -> None:
        """Invite the bot to `channel` (it may then post there, private or not)."""
        with self._lock:
            self._workspace.invite(channel)

    def remove(self, channel: str) -> None:
        """Remove the bot from `channel`."""
        with self._lock:
            self._workspace.remove(channel)

    def add_members(self, channel: str, *users: str) -> None:
        """Declare `users` members of `channel`; chat.postEphemeral then refuses others."""
        with self._lock:
            self._workspace.add_members(channel, users)

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

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` calls to `method` only after `seconds`: the call is
        processed (and recorded) at once, as a slow Slack that did the work would."""
        with self._lock:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

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

    def _violation(
        self, method: str, problems: list[str], body: dict[str, Any], error: str = "invalid_blocks"
    ) -> None:
        with self._lock:
            self._violations.append(Violation(method, problems, body, error))

    def _refused(self, method: str, error: str, why: str, body: dict[str, Any]) -> dict[str, Any]:
        """A membership refusal: recorded, and answered the way Slack answers it."""
        self._violation(method, [f"{error}: {why}"], body, error)
        return {"ok": False, "error": error}

    def _post_refusal(
        self, method: str, channel: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        raw = body.get("channel") or body.get("channel_id")
        with self._lock:
            if isinstance(raw, str) and raw[:1] in "UW":  # posting to a user opens the DM
                self._workspace.open_conversation(channel, [raw])
            error = self._workspace.post_refusal(channel)
        if error is None:
            return None
        return self._refused(method, error, _not_a_member(channel), body)

    def _handle(self, verb: str, target: str, headers: Headers, raw: bytes) -> Answer:
        at = time.time()
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/") and len(path) > len("/api/"):
            method = path[len("/api/") :]
            body, parsed = parse_body(headers.get("content-type", ""), raw)
            query = parse_form(parts.query.encode())
            body = {**query, **body}
            answer = self._api(method, body, headers) if parsed else _invalid_json()
        elif verb == "POST" and path.startswith("/response/"):
            method = RESPONSE_URL
            body, answer = self._response_url(path, headers, raw)
        elif verb == "POST" and path.startswith("/upload/"):
            method = UPLOAD
            file_id = path[len("/upload/") :]
            body = {"file_id": file_id, "size": len(raw)}
            answer = self._upload(file_id, raw)
        else:
            method, body, answer = path, {}, Answer(404, "not found")
        reply = answer.payload
        self._record(Call(method, body, headers, at, answer.status, reply, target, raw))
        with self._lock:
            pending = self._delays.get(method)
            delay = pending.popleft() if pending else 0.0
        if delay:
            time.sleep(delay)
        return answer

    def _api(self, method: str, body: dict[str, Any], headers: Headers) -> Answer:
        failure = self._take_failure(method)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return Answer(failure.status, {"ok": False, "error": failure.error}, extra)
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
        return Answer(200, handler(self, body))

    def _response_url(
        self, path: str, headers: Headers, raw: bytes
    ) -> tuple[dict[str, Any], Answer]:
        try:
            body = json.loads(raw)
        except ValueError:
            return {}, Answer(400, "invalid_payload")
        if not isinstance(body, dict):
            return {}, Answer(400, "invalid_payload")
        failure = self._take_failure(RESPONSE_URL)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return body, Answer(failure.status, failure.error, extra)
        if not any(body.get(key) for key in ("text", "blocks", "attachments", "delete_original")):
            return body, Answer(400, "no_text")
        problems = block_kit_problems("message", body)
        if problems:
            self._violation(RESPONSE_URL, problems, body)
            return body, Answer(400, "\n".join(["invalid_blocks", *problems]))
        with self._lock:  # counted and taken at once: concurrent posts cannot slip past
            uses = self._response_uses.get(path, 0)
            if uses < RESPONSE_URL_USES:
                self._response_uses[path] = uses + 1
                return body, Answer(200, "ok")
        used = f"used_url: {path} took {uses} posts already (Slack allows {RESPONSE_URL_USES})"
        self._violation(RESPONSE_URL, [used], body, "used_url")
        return body, Answer(404, "used_url")

    def _upload(self, file_id: str, raw: bytes) -> Answer:
        failure = self._take_failure(UPLOAD)
        if failure is not None:
            return Answer(failure.status, failure.error)
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return Answer(404, "file_not_found")
            upload.data = raw
        return Answer(200, f"OK - {len(raw)}")

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
        refused = self._post_refusal("chat.postMessage", channel, body)
        if refused:
            return refused
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
        with self._lock:
            posted = isinstance(ts, str) and (channel, ts) in self._messages
        if not posted:
            return {"ok": False, "error": "message_not_found"}
        assert isinstance(ts, str)
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
        channel, user = _channel_id(body.get("channel")), body.get("user")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(user, str) or not user:
            return {"ok": False, "error": "user_not_in_channel"}
        with self._lock:
            error = self._workspace.ephemeral_refusal(channel, user)
        if error == "user_not_in_channel":
            why = f"{user} is not a member of {channel}"
            return self._refused("chat.postEphemeral", error, why, body)
        if error is not None:
            return self._refused("chat.postEphemeral", error, _not_a_member(channel), body)
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
        with self._lock:
            deleted = isinstance(ts, str) and self._messages.pop((channel, ts), None) is not None
        if not deleted:
            return {"ok": False, "error": "message_not_found"}
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
        with self._lock:
            self._workspace.open_conversation(channel, users)
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
        channel = _channel_id(body.get("channel_id"))
        if channel:
            refused = self._post_refusal("files.completeUploadExternal", channel, body)
            if refused:
                return refused
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


def _error(error: str, **extra: Any) -> Answer:
    return Answer(200, {"ok": False, "error": error, **extra})


def _invalid_json() -> Answer:
    return _error("invalid_json")


def _channel_id(channel: Any) -> str | None:
    """A channel as Slack answers it: a user ID (U.../W...) means the DM with that user."""
    if not isinstance(channel, str) or not channel:
        return None
    return f"D{channel}" if channel[0] in "UW" else channel


def _not_a_member(channel: str) -> str:
    kind = channel_kind(channel)
    if kind == "dm":
        return f"the bot has no DM {channel} (conversations.open, or post to the user's ID)"
    return f"the bot is not a member of {kind} channel {channel} (SlackStandIn.invite)"


def _describe(call: Call) -> str:
    body = json.dumps(call.body, default=str)
    if len(body) > 200:
        body = body[:200] + "..."
    return f"  {call.method} -> {call.status} {json.dumps(call.reply, default=str)[:120]} {body}"


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    """A running Slack Web API stand-in for one test; SLACK_API_URL=slack_api.api_url."""
    with SlackStandIn() as stand_in:
        yield stand_in
    if stand_in.errors:  # the stand-in's own bugs; Block Kit violations are the test's call
        pytest.fail("Slack stand-in failed:\n" + "\n".join(stand_in.errors), pytrace=False)
