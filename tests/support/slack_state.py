"""What the Slack stand-in (tests/support/slack_api.py) holds, and how a test reads it.

`StandInState` keeps the records (calls, violations, uploads, messages, views,
response_url uses), the failures waiting to be answered and the workspace, all behind one
lock; tests read them through its properties and `wait_for`. The Web API methods
(slack_chat.py, slack_methods.py) and the request routing (slack_routing.py) build on it.
"""

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.slack_records import Call, Upload, Violation
from tests.support.slack_workspace import Workspace, manifest_bot_scopes

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
APP_ID = "A0001"

RESPONSE_URL = "response_url"  # the method name recorded for response_url posts


@dataclass(frozen=True)
class Failure:
    """An answer queued for the next call to a method (fail_next, error_next)."""

    status: int
    error: str
    retry_after: int | None


class StandInState:
    """The stand-in's records, pending failures and workspace (see SlackStandIn)."""

    def __init__(self, scopes: Iterable[str] | None = None) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._violations: list[Violation] = []
        self._errors: list[str] = []
        self._failures: dict[str, deque[Failure]] = {}
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

    # -- bookkeeping (called from the server's threads) -----------------------------------

    def _next_serial(self) -> int:
        with self._lock:
            return next(self._serial)

    def _new_ts(self) -> str:
        micros = self._next_serial() * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _take_failure(self, method: str) -> Failure | None:
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


def _describe(call: Call) -> str:
    body = json.dumps(call.body, default=str)
    if len(body) > 200:
        body = body[:200] + "..."
    return f"  {call.method} -> {call.status} {json.dumps(call.reply, default=str)[:120]} {body}"
