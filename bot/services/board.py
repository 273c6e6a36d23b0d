"""The current budget status of every SLO, shared by concurrent readers for a short while."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from bot.domain.slo import Catalog
from bot.domain.status import SLOStatus
from bot.metrics.errors import PrometheusError
from bot.metrics.source import MetricsSource
from bot.services.status import evaluate_status

FAILURE_MEMORY = 5.0  # seconds a failed evaluation is answered from memory
log = logging.getLogger("budgetbot")


class StatusBoard:
    """Evaluates all SLOs at most once per `max_age` seconds; readers share the result.

    Two hundred people typing /slo at once cost one evaluation, not two hundred. A failed
    evaluation (Prometheus down) is not kept: the next reader tries again.
    """

    def __init__(
        self,
        catalog: Catalog,
        source: MetricsSource,
        now: Callable[[], datetime],
        max_age: float = 30.0,
        record: Callable[[datetime, list[SLOStatus]], None] | None = None,
    ) -> None:
        """record: called with each fresh evaluation (e.g. to keep budget snapshots)."""
        self.catalog = catalog
        self._record = record
        self._source = source
        self._now = now
        self._max_age = max_age
        self._lock = threading.Lock()
        self._cached: tuple[float, datetime, list[SLOStatus]] | None = None
        self._failed: tuple[float, PrometheusError] | None = None

    def current(self) -> tuple[datetime, list[SLOStatus]]:
        """(the instant evaluated, every SLO's status); raises PrometheusError if down.

        A failure is remembered for a few seconds, so that readers queued behind it do not
        each wait for Prometheus's timeout again.
        """
        with self._lock:
            cached = self._cached
            if cached is not None and time.monotonic() - cached[0] < self._max_age:
                return cached[1], cached[2]
            failed = self._failed
            if failed is not None and time.monotonic() - failed[0] < FAILURE_MEMORY:
                raise failed[1]
            at = self._now()
            try:
                statuses = evaluate_status(self.catalog, self._source, at)
            except PrometheusError as exc:
                self._failed = (time.monotonic(), exc)
                raise
            self._cached = (time.monotonic(), at, statuses)
        if self._record is not None:  # outside the lock: readers never wait for the database
            try:
                self._record(at, statuses)
            except Exception:
                log.exception("keeping budget snapshots failed")
        return at, statuses
