"""Posts to a channel the bot is not in: given back and tried again every 15 minutes.

A refusal such as not_in_channel waits for a person to invite the bot. Wrapped around the
alerting cycle's notifier, it turns that refusal into a post that surely did not leave and
may pass later, so the cycle gives its claim back and the alert is posted once someone
invites the bot. Meanwhile the channel is not asked again for RETRY seconds: the cycle's
minute-by-minute retries are answered here without calling Slack.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.services.ports import Notifier, PostFailed

log = logging.getLogger("budgetbot.slack")

RETRY = 15 * 60.0  # seconds between tries of a channel that refused for membership


class InviteWait:
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
            raise self._waited(channel, exc) from exc
        with self._lock:
            self._waiting.pop(channel, None)  # invited: the next refusal is logged again
        return ts

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self._inner.update(channel, ts, text, blocks)

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
