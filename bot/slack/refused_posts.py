"""What the alerting cycle's notifier does with a refusal that waits for a person.

- Not in the channel (not_in_channel, channel_not_found): the post is given back as one
  that surely did not leave and may pass later, so the cycle keeps its claim open and the
  alert is posted once someone invites the bot. Meanwhile the channel is not asked again
  for RETRY seconds: the cycle's minute-by-minute retries are answered here.
- The message itself refused (invalid_blocks, msg_too_long): the same blocks would be
  refused again until a fix is deployed, so the message goes out at once as its text alone,
  with a line saying why, and the refusal is logged. An alert is never silent for its
  layout.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.services.ports import Notifier, PostFailed
from bot.slack.limits import cut

log = logging.getLogger("budgetbot.slack")

RETRY = 15 * 60.0  # seconds between tries of a channel that refused for membership
TEXT_ONLY = 3_000  # characters of a message's text sent when its blocks were refused


def as_text(text: str, reason: str) -> str:
    note = f"\n_(Slack refused this message's layout ({reason}); shown as text.)_"
    return cut(text, TEXT_ONLY - len(note)) + note


class RefusedPosts:
    def __init__(
        self, inner: Notifier, clock: Callable[[], float] = time.monotonic, retry: float = RETRY
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._retry = retry
        self._waiting: dict[str, tuple[float, str]] = {}  # channel -> (next try, refusal)
        self._lock = threading.Lock()

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        self._hold(channel)
        try:
            ts = self._inner.post(channel, text, blocks, thread_ts)
        except PostFailed as exc:
            if not (exc.refused_content and blocks):
                raise self._waited(channel, exc) from exc
            log.error("%s for a message to %s: posted as text instead", exc.reason, channel)
            ts = self._inner.post(channel, as_text(text, exc.reason), [], thread_ts)
        with self._lock:
            self._waiting.pop(channel, None)  # invited: the next refusal is logged again
        return ts

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            self._inner.update(channel, ts, text, blocks)
        except PostFailed as exc:
            if not (exc.refused_content and blocks):
                raise
            log.error("%s for an update in %s: updated as text instead", exc.reason, channel)
            self._inner.update(channel, ts, as_text(text, exc.reason), [])

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        self._inner.upload(channel, filename, title, content)

    def _hold(self, channel: str) -> None:
        with self._lock:
            waiting = self._waiting.get(channel)
            if waiting is None or self._clock() >= waiting[0]:
                return
        raise PostFailed(
            f"{waiting[1]}; waiting for budgetbot to be invited to {channel}",
            surely_not_sent=True,
            retryable=True,
            needs_invite=True,
        )

    def _waited(self, channel: str, exc: PostFailed) -> PostFailed:
        if not exc.needs_invite:
            return exc
        with self._lock:
            first = channel not in self._waiting
            self._waiting[channel] = (self._clock() + self._retry, exc.reason)
        if first:
            log.error(
                "%s in %s: invite budgetbot to that channel; its posts wait until then",
                exc.reason,
                channel,
            )
        return PostFailed(exc.reason, surely_not_sent=True, retryable=True, needs_invite=True)
