"""Sending the alerting cycle's claimed posts, and what a failure does to the claim.

A post that surely did not leave gives its claim back, so a later cycle sends it; one
that may have left keeps its claim (it is never sent blind; see `uncertain` in
storage.alerts for what follows).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.services.ports import Message, Notifier, PostFailed
from storage.alerts import AlertRepository
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.alerting")


@dataclass
class CycleReport:
    at: datetime
    evaluated: int = 0
    opened: int = 0
    escalated: int = 0
    resolved: int = 0
    data_warnings: int = 0
    without_data: int = 0
    failed_posts: int = 0
    failed_slos: int = 0
    prometheus_error: str | None = None


class AlertPosts:
    def __init__(self, uow: UnitOfWork, notifier: Notifier) -> None:
        self._uow = uow
        self.notifier = notifier

    def deliver(
        self,
        report: CycleReport,
        what: str,
        channel: str,
        message: Message,
        give_back: Callable[[AlertRepository], None],
        thread_ts: str | None = None,
    ) -> str | None:
        """Post a claimed message; its ts, or None. A post that surely did not leave gives
        its claim back (`give_back`), so a later cycle sends it; one that may have left
        is never sent blind again."""
        try:
            return self.notifier.post(channel, message.text, message.blocks, thread_ts)
        except PostFailed as exc:
            report.failed_posts += 1
            if exc.retryable:
                log.warning("%s not posted, a later cycle retries: %s", what, exc)
                with self._uow.begin() as store:
                    give_back(store.alerts)
            else:
                log.error("%s may or may not be posted: %s", what, exc)
            return None

    def follow_up(
        self,
        ref: tuple[str, str] | None,
        replacement: Message,
        note: Message,
        report: CycleReport,
        give_back: Callable[[AlertRepository], None],
    ) -> None:
        """Update the original message in place (idempotent) and reply in its thread; a
        reply that surely did not leave gives its claim back."""
        if ref is None:  # the original post failed: nothing to update
            return
        channel, ts = ref
        self.send(report, self.notifier.update, channel, ts, replacement.text, replacement.blocks)
        self.deliver(report, note.text[:60], channel, note, give_back, thread_ts=ts)

    def send(
        self, report: CycleReport, call: Callable[..., str | None], *args: object
    ) -> str | None:
        """Call the notifier; a Slack failure is logged and counted, never raised."""
        try:
            return call(*args)
        except PostFailed as exc:
            report.failed_posts += 1
            log.error("an alert post failed: %s", exc.reason)
        return None
