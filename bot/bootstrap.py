"""The composition root: every part budgetbot runs with, assembled from Settings in one place.

`budgetbot serve`, every `budgetbot` subcommand and the demo build one Bootstrap and take
the parts they need. Each part is built on first use, once, so a command pays only for
what it uses: `check-config` and `status` never open the database, `gate` never needs
Slack, and nothing here connects anywhere until asked.

    boot = Bootstrap(settings, config_path, at=instant)  # a command: the clock stands still
    boot.gate_of("checkout").ask("checkout", "cli")       # the catalog, Prometheus, the database

The database rule: `uow` refuses a schema that is missing or not at head
(storage.migrate.SchemaNotCurrent, one line, exit 1) and changes nothing; only `migrate()`
(called by `serve`, `budgetbot migrate` and the demo, for its own database) creates or
upgrades it.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from bot.bootstrap_chat import ChatParts
from bot.bootstrap_incidents import IncidentParts
from bot.bootstrap_policies import PolicyParts
from bot.domain.slo import SLO, Catalog
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.domain.status import SLOStatus
    from bot.metrics.prometheus import PrometheusSource
    from bot.metrics.source import MetricsSource
    from bot.observability import BotMetrics
    from bot.services.alert_responses import AlertResponses
    from bot.services.alerting import AlertingCycle
    from bot.services.board import StatusBoard
    from bot.services.digest_data import DigestData
    from bot.services.digests import Digests
    from bot.services.exclusions import Exclusions
    from bot.services.gate import GateService
    from bot.services.reminders import Reminders
    from storage.unit_of_work import UnitOfWork

SERVE_QUERY_TIMEOUT = 10.0  # seconds: serve answers people in Slack
COMMAND_QUERY_TIMEOUT = 30.0


def prometheus_source(
    settings: Settings, catalog: Catalog, *, reuse_hours: bool, timeout: float
) -> "PrometheusSource":
    """The metrics source of PROMETHEUS_URL, else of the catalog's prometheus.url.

    The catalog's `prometheus.flavor` names the catalog's store; the store behind
    PROMETHEUS_URL is detected. Every source reads recorded hours where they exist and
    shares the reads of queries of one shape; reuse_hours (serve): long windows composed of
    clock hours kept between evaluations. A one-shot command reads each window once.
    """
    from bot.metrics.prometheus import PrometheusSource

    url = settings.prometheus_url or catalog.prometheus_url
    if not url:
        raise SettingsError(
            "no Prometheus URL: set PROMETHEUS_URL or prometheus.url in the catalog"
        )
    flavor = None if settings.prometheus_url else catalog.prometheus_flavor
    return PrometheusSource(url, timeout=timeout, reuse_hours=reuse_hours, flavor=flavor)


class Bootstrap(ChatParts, IncidentParts, PolicyParts):
    def __init__(
        self,
        settings: Settings,
        config_path: str | None = None,
        *,
        at: datetime | None = None,
        serving: bool = False,
        show: Callable[[str], None] = print,
    ) -> None:
        """config_path: the catalog file (default: BUDGETBOT_CONFIG's); at: the instant the
        clock stands at (a command's --at; default BUDGETBOT_NOW, else the real time);
        serving: serve's metrics source (hours reused, a 10 s timeout, every evaluation
        timed into `metrics`); show: where posts go without SLACK_BOT_TOKEN."""
        self.settings = settings
        self.config_path = config_path or settings.config_path
        self._at = at or settings.now
        self._serving = serving
        self._show = show

    def now(self) -> datetime:
        """The clock of every use case: `at` when given, else the current second."""
        return self._at or datetime.now(UTC).replace(microsecond=0)

    def close(self) -> None:
        """Dispose of the engine, if one was made."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    def __enter__(self) -> "Bootstrap":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @cached_property
    def catalog(self) -> Catalog:
        from bot.catalog import load_catalog

        return load_catalog(self.config_path)

    # Storage

    @cached_property
    def engine(self) -> "Engine":
        """The engine of DATABASE_URL (connected once, so a bad URL fails here)."""
        from storage.db import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> "UnitOfWork":
        """The unit of work; raises SchemaNotCurrent unless the schema is at head."""
        from storage.migrate import require_current
        from storage.unit_of_work import UnitOfWork

        require_current(self.engine)
        return UnitOfWork(self.engine)

    def migrate(self) -> "UnitOfWork":
        """Create or upgrade the schema to head, then the unit of work (serve, the demo)."""
        from storage.migrate import upgrade

        upgrade(self.engine)  # serialised across replicas by the migration lock
        return self.uow

    # The metrics source

    @cached_property
    def metrics(self) -> "BotMetrics":
        """The bot's own Prometheus metrics (served on /metrics by serve)."""
        from bot.observability import BotMetrics

        return BotMetrics()

    @cached_property
    def prometheus(self) -> "PrometheusSource":
        timeout = SERVE_QUERY_TIMEOUT if self._serving else COMMAND_QUERY_TIMEOUT
        return prometheus_source(
            self.settings, self.catalog, reuse_hours=self._serving, timeout=timeout
        )

    @cached_property
    def source(self) -> "MetricsSource":
        """What the use cases read: the Prometheus source, with the exclusions stored from
        Slack where there is a database to hold them, timed into `metrics` in serve."""
        source: MetricsSource = self.prometheus
        if self._serving or self.has_database():
            from bot.services.exclusions import ExcludingSource

            source = ExcludingSource(source, lambda: self.uow)
        if not self._serving:
            return source
        from bot.observability import TimedSource

        return TimedSource(source, self.metrics)

    def stored_exclusions(self) -> "Callable[[Sequence[SLO], datetime], list[SLO]] | None":
        from bot.services.exclusions import with_stored

        return lambda slos, at: with_stored(self.uow, slos, at)

    def has_database(self) -> bool:
        """Whether DATABASE_URL names a database that exists with the current schema (a
        one-shot command reads the stored exclusions from it; it never creates one)."""
        from storage.db import StorageError, sqlite_file

        path = sqlite_file(self.settings.database_url)
        if path is not None and not path.exists():
            return False
        try:
            self.uow  # noqa: B018  (require_current: the schema must be at head)
        except StorageError:  # SchemaNotCurrent is one
            return False
        return True

    @cached_property
    def chart_source(self) -> "PrometheusSource":
        """The digest's source: untimed (a chart is ~60 small reads), hours reused."""
        if self.prometheus.hourly is not None:
            return self.prometheus
        return prometheus_source(
            self.settings, self.catalog, reuse_hours=True, timeout=COMMAND_QUERY_TIMEOUT
        )

    # The use cases

    def record_snapshots(self, at: datetime, statuses: "list[SLOStatus]") -> None:
        """Keep each fresh evaluation's budgets (the board's and the alerting cycle's)."""
        from bot.services.snapshots import keep_snapshots

        keep_snapshots(self.uow, at, statuses)

    @cached_property
    def board(self) -> "StatusBoard":
        from bot.services.board import StatusBoard

        return StatusBoard(self.catalog, self.source, self.now, record=self.record_snapshots)

    @cached_property
    def gate(self) -> "GateService":
        """The gate over the shared board (serve: /slo, GET /api/v1/gate)."""
        from bot.services.gate import GateService

        return GateService(self.board.current, self.uow, self.now)

    def gate_of(self, service: str) -> "GateService":
        """A gate that evaluates only `service`'s SLOs, at now() (`budgetbot gate`)."""
        from bot.services.gate import GateService
        from bot.services.status import evaluate_status

        slos = [s for s in self.catalog.slos if s.service == service]

        def statuses() -> "tuple[datetime, list[SLOStatus]]":
            at = self.now()
            return at, evaluate_status(self.catalog, self.source, at, slos)

        return GateService(statuses, self.uow, self.now)

    @cached_property
    def alerting(self) -> "AlertingCycle":
        """The burn-alert cycle; a channel that refused a post is waited for (an invite)."""
        from bot.services.alerting import AlertingCycle
        from bot.slack.refused_posts import RefusedPosts

        return AlertingCycle(
            self.catalog,
            self.source,
            self.uow,
            RefusedPosts(self.notifier),
            self.alert_messages,
            on_evaluated=self.record_snapshots,
            on_states=self.policy_events.observe if self.catalog.policies else None,
        )

    @cached_property
    def alert_responses(self) -> "AlertResponses":
        from bot.services.alert_responses import AlertResponses

        return AlertResponses(self.uow, self.now)

    @cached_property
    def exclusions(self) -> "Exclusions":
        from bot.services.exclusions import Exclusions

        return Exclusions(self.catalog, self.uow, self.notifier, self.exclusion_messages, self.now)

    @cached_property
    def reminders(self) -> "Reminders":
        from bot.services.reminders import Reminders
        from bot.slack.messages.reminders import ReminderMessages

        messages = ReminderMessages(self.renderer)
        return Reminders(self.catalog, self.uow, self.notifier, messages)

    @cached_property
    def digest_data(self) -> "DigestData":
        from bot.services.digest_data import DigestData
        from bot.services.exclusions import ExcludingSource

        source = ExcludingSource(self.chart_source, lambda: self.uow)  # it has a database
        return DigestData(self.catalog, source, self.uow)

    @cached_property
    def digests(self) -> "Digests":
        from bot.services.digests import Digests
        from bot.slack.messages.digests import DigestMessages

        messages = DigestMessages(self.renderer)
        return Digests(self.catalog, self.digest_data, self.uow, self.notifier, messages)
