"""Fast stand-ins for the use cases' ports: a recording notifier, a metrics source with
settable rates, a settable clock, and a unit of work on an in-memory SQLite database.

They are real enough to be trusted (the database is real SQL on the real schema; the
source answers the real `MetricsSource` protocol) and fast enough for unit tests
(milliseconds). A service under test gets them as it would get the real adapters:

    uow, slack, source = memory_uow(), FakeNotifier(), FakeSource(burn=20.0)
    cycle = AlertingCycle(payments_catalog(), source, uow, slack, AlertMessages(Renderer()))
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.domain.budget import Rates
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Severity, Team, Tier
from bot.domain.status import Reading
from bot.metrics.errors import PrometheusUnreachable
from bot.metrics.source import EventCounts, Progress
from bot.services.ports import PostFailed
from storage.unit_of_work import UnitOfWork

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday

Method = Literal["post", "update", "upload"]


# -- the catalog -----------------------------------------------------------------------------


CHECKOUT = SLO(
    "checkout-availability",
    "checkout",
    "payments",
    Tier.PRODUCTION,
    99.9,
    30 * 86400,
    EventsSLI("sum(rate(e[{{.window}}]))", "sum(rate(t[{{.window}}]))"),
)


def payments_catalog(
    *slos: SLO, channel: str = "C0PAY", page_channel: str | None = None, **catalog: Any
) -> Catalog:
    """Team payments (alerts to `channel`, pages to `page_channel` when given) owning the
    service checkout and the SLOs (CHECKOUT when none are given); `catalog`: the other
    fields of Catalog."""
    pages = {Severity.PAGE: page_channel} if page_channel else {}
    return Catalog(
        teams={"payments": Team("payments", channel, alert_channels=pages)},
        services={"checkout": Service("checkout", "payments")},
        slos=slos or (CHECKOUT,),
        **catalog,
    )


# -- the notifier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    ts: str  # what Slack answered


@dataclass(frozen=True)
class Update:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class Upload:
    channel: str
    filename: str
    title: str
    content: bytes


def refused() -> PostFailed:
    """No connection: surely not sent, and a later attempt may pass."""
    return PostFailed("connection refused", surely_not_sent=True, retryable=True)


def not_in_channel() -> PostFailed:
    """Refused until someone invites the bot: surely not sent, not worth retrying soon."""
    return PostFailed(
        "Slack answered not_in_channel", surely_not_sent=True, retryable=False, needs_invite=True
    )


def timed_out() -> PostFailed:
    """No answer: the message may or may not have arrived."""
    return PostFailed("the read operation timed out", surely_not_sent=False, retryable=False)


class FakeNotifier:
    """A `bot.services.ports.Notifier` that records every post, update and upload.

    Thread-safe. `fail_next` queues failures, each raised by the next call (of `method`, or
    of any method) instead of doing it; `pause`, when set, is called (outside the lock)
    with the method's name before each call does anything, to slow or hold callers.
    """

    def __init__(self, pause: Callable[[Method], None] | None = None) -> None:
        self.pause = pause
        self.posts: list[Post] = []
        self.updates: list[Update] = []
        self.uploads: list[Upload] = []
        self.failed: list[tuple[Method, PostFailed]] = []  # raised, in order
        self._failures: list[tuple[Method | None, PostFailed]] = []
        self._lock = threading.Lock()

    def fail_next(self, failure: PostFailed, method: Method | None = None) -> None:
        with self._lock:
            self._failures.append((method, failure))

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        self._enter("post")
        with self._lock:
            ts = f"1700000000.{len(self.posts) + 1:06d}"
            self.posts.append(Post(channel, text, blocks, thread_ts, ts))
        return ts

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self._enter("update")
        with self._lock:
            self.updates.append(Update(channel, ts, text, blocks))

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        self._enter("upload")
        with self._lock:
            self.uploads.append(Upload(channel, filename, title, content))

    def top_level(self) -> list[Post]:
        """The posts that are not thread replies."""
        with self._lock:
            return [p for p in self.posts if p.thread_ts is None]

    def replies(self, ts: str | None = None) -> list[Post]:
        """The thread replies (to the message `ts`, when given)."""
        with self._lock:
            return [p for p in self.posts if p.thread_ts is not None and ts in (None, p.thread_ts)]

    def _enter(self, method: Method) -> None:
        if self.pause is not None:
            self.pause(method)
        with self._lock:
            for i, (wanted, failure) in enumerate(self._failures):
                if wanted in (None, method):
                    del self._failures[i]
                    self.failed.append((method, failure))
                    raise failure


# -- the metrics source ----------------------------------------------------------------------


class FakeSource:
    """A `bot.metrics.source.MetricsSource` with settable rates, in budget terms.

    Each burn window's error ratio is `burn` times the SLO's budget (per SLO in `burns`,
    overriding it): 20.0 burns at 20x (a page under the default rules), 1.5 at 1.5x (a
    ticket), 0.0 not at all. Over the SLO's window, `spent` of the budget is gone. SLOs in
    `no_data` have no series at all. While `unreachable` is set, every read raises
    PrometheusUnreachable with it as the detail.
    """

    URL = "http://prometheus.test:9090"

    def __init__(self, burn: float = 0.0, spent: float = 0.5, total: float = 1_000_000.0) -> None:
        self.burn = burn
        self.burns: dict[str, float] = {}
        self.spent = spent
        self.total = total  # events in each window
        self.no_data: set[str] = set()
        self.unreachable: str | None = None
        self.counts = EventCounts(bad=0.0, total=total, window_bad=0.0, window_total=total)
        self.reads: list[datetime] = []  # the instant of each read, in order
        self._lock = threading.Lock()

    def go_down(self, detail: str = "connection refused") -> None:
        self.unreachable = detail

    def come_back(self) -> None:
        self.unreachable = None

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        with self._lock:
            self.reads.append(at)
        if self.unreachable is not None:
            raise PrometheusUnreachable(self.URL, self.unreachable)
        readings: dict[str, Reading] = {}
        for done, slo in enumerate(slos, start=1):
            if slo.name in self.no_data:
                readings[slo.name] = Reading(period=None, windows=dict.fromkeys(windows))
            else:
                ratio = min(1.0, self.burns.get(slo.name, self.burn) * slo.budget)
                readings[slo.name] = Reading(
                    self._rates(min(1.0, self.spent * slo.budget)),
                    {w: self._rates(ratio) for w in windows},
                )
            if progress is not None:
                progress(done)
        return readings

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        if self.unreachable is not None:
            raise PrometheusUnreachable(self.URL, self.unreachable)
        return self.counts

    def _rates(self, ratio: float) -> Rates:
        return Rates(ratio * self.total, self.total)


# -- time ------------------------------------------------------------------------------------


class Clock:
    """A clock that stands still until told: `clock()` is the time, `advance` moves it on,
    `set` puts it anywhere; `monotonic()` is seconds since it started (a float clock)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self._start = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move on by `delta` or by timedelta(**parts); the new time."""
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now

    def set(self, now: datetime) -> datetime:
        self.now = now
        return now

    def monotonic(self) -> float:
        return (self.now - self._start).total_seconds()


# -- the database ----------------------------------------------------------------------------


def memory_engine() -> Engine:
    """An in-memory SQLite database with the current schema (SQLModel.metadata), one
    connection shared by every session and thread. Set up as storage.db sets SQLite up
    (foreign keys on; SQLAlchemy, not sqlite3, begins transactions, so that SAVEPOINTs
    work), so claims behave as on a file."""
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    SQLModel.metadata.create_all(engine)
    return engine


def memory_uow() -> UnitOfWork:
    """A UnitOfWork on a fresh `memory_engine()`: real SQL in milliseconds."""
    return UnitOfWork(memory_engine())
