"""The bot's own Prometheus metrics (served on /metrics) and a timing wrapper for the source."""

import time
from collections.abc import Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram

from bot.domain.slo import SLO
from bot.domain.status import Reading
from bot.metrics.source import EventCounts, MetricsSource, Progress


class BotMetrics:
    """Counters and histograms in a registry of their own (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "budgetbot_commands", "Slash commands handled.", ["command"], registry=self.registry
        )
        self.events = Counter(
            "budgetbot_events",
            "Slack events received, by outcome (handled, duplicate).",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "budgetbot_slack_errors",
            "Listener failures, Slack Web API errors among them.",
            ["kind"],
            registry=self.registry,
        )
        self.digests = Counter(
            "budgetbot_digests",
            "Weekly digest runs: checked (every run), posted, already posted, failed.",
            ["outcome"],
            registry=self.registry,
        )
        self.policy_deliveries = Counter(
            "budgetbot_policy_deliveries",
            "Policy action attempts by outcome (delivered, retrying, failed: given up).",
            ["outcome"],
            registry=self.registry,
        )
        self.evaluation_seconds = Histogram(
            "budgetbot_evaluation_seconds",
            "Seconds to evaluate SLOs against Prometheus.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )


class TimedSource:
    """A MetricsSource that records how long each evaluation took."""

    def __init__(self, source: MetricsSource, metrics: BotMetrics) -> None:
        self._source = source
        self._metrics = metrics

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        started = time.perf_counter()
        try:
            return self._source.read(slos, at, windows, progress)
        finally:
            self._metrics.evaluation_seconds.observe(time.perf_counter() - started)

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        return self._source.event_counts(slo, start, end)
