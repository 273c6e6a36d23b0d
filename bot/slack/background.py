"""Slow work handed off after a listener has acked, with failures logged and counted."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.observability import BotMetrics

log = logging.getLogger("budgetbot.slack")


class Background:
    """A bounded pool of worker threads for the work that follows an ack."""

    def __init__(self, metrics: BotMetrics, workers: int = 4) -> None:
        self._metrics = metrics
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-work")

    def run(self, what: str, work: Callable[..., None], *args: Any) -> None:
        """Run work(*args) soon; `what` names it in logs (never the request body)."""
        self._pool.submit(self._guarded, what, work, *args)

    def _guarded(self, what: str, work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except Exception as exc:  # the request was acked: log and count, never crash
            kind = "slack_api" if isinstance(exc, SlackApiError) else type(exc).__name__
            self._metrics.slack_errors.labels(kind).inc()
            log.error("%s failed: %s: %s", what, type(exc).__name__, exc)
