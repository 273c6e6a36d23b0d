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

`SlackStandIn` adds the lifecycle, the workspace and failure injection to its parts:
slack_state.py (what it holds and records, how a test reads it), slack_chat.py and
slack_methods.py (the Web API methods), slack_routing.py (how a request is answered) and
slack_http.py (the HTTP server).
"""

import threading
from collections import deque
from collections.abc import Iterator

import pytest

from tests.support.slack_http import Handler, Server
from tests.support.slack_limits import block_kit_problems, limit_problems
from tests.support.slack_models import blocks_model_problems, view_model_problems
from tests.support.slack_records import Call, Headers, Upload, Violation
from tests.support.slack_routing import RESPONSE_URL_USES, UPLOAD, StandInRouting
from tests.support.slack_state import APP_ID, BOT_ID, BOT_USER_ID, RESPONSE_URL, TEAM_ID, Failure
from tests.support.slack_workspace import channel_kind

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


class SlackStandIn(StandInRouting):
    """Slack's Web API on 127.0.0.1:<free port>; use as a context manager or start()/stop().

    `scopes` are the bot's (default: manifest.yml's); without `chat:write.public` the bot
    may post only in the public channels it was invited to.
    """

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
        failure = Failure(status, error, retry_after if status == 429 else None)
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
            self._failures.setdefault(method, deque()).extend([Failure(200, error, None)] * times)


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    """A running Slack Web API stand-in for one test; SLACK_API_URL=slack_api.api_url."""
    with SlackStandIn() as stand_in:
        yield stand_in
    if stand_in.errors:  # the stand-in's own bugs; Block Kit violations are the test's call
        pytest.fail("Slack stand-in failed:\n" + "\n".join(stand_in.errors), pytrace=False)
