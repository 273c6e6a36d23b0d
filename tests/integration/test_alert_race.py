"""Two replicas' alerting cycles at the same instant post each thing once: the real
AlertingCycle, each replica with its own engine and unit of work on one database (SQLite
and PostgreSQL), a burning source and a shared, thread-safe, slow notifier.

Both cycles of a step are held until each has read the stored alert state, so both decide
on the same state and both try to act on it: only the database's claims keep the second
one from posting again.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine

from bot.domain.alerts import Watch
from bot.services.alert_posts import CycleReport
from bot.services.alerting import AlertingCycle
from bot.slack.messages.alerts import AlertMessages
from bot.slack.rendering import Renderer
from storage.db import make_engine
from storage.unit_of_work import Store, UnitOfWork
from tests.support.fakes import CHECKOUT, T0, FakeNotifier, FakeSource, Method, payments_catalog
from tests.support.transactions import race

pytestmark = pytest.mark.integration

REPLICAS = 2
ROUNDS = 3
POST_DELAY = 0.05  # seconds each notifier call takes: the replicas' posts overlap


class HeldUnitOfWork(UnitOfWork):
    """A replica's unit of work: once armed, its cycle's first transaction (where the cycle
    reads the stored alerts) is followed by a wait for every replica to have read too."""

    def __init__(self, engine: Engine, read_together: threading.Barrier) -> None:
        super().__init__(engine)
        self._read_together = read_together
        self._armed = False

    def arm(self) -> None:
        self._armed = True

    @contextmanager
    def begin(self) -> Iterator[Store]:
        with super().begin() as store:
            yield store
        self._after_first()

    @contextmanager
    def read(self) -> Iterator[Store]:
        with super().read() as store:
            yield store
        self._after_first()

    def _after_first(self) -> None:
        if self._armed:
            self._armed = False
            self._read_together.wait()


@dataclass
class Replicas:
    cycles: list[AlertingCycle]
    uows: list[HeldUnitOfWork]
    source: FakeSource
    slack: FakeNotifier

    def race(self, at: datetime) -> list[CycleReport]:
        """Every replica's cycle at `at`, at once; then one of them once more (a retry)."""
        for uow in self.uows:
            uow.arm()
        reports = race([partial(cycle.run, at) for cycle in self.cycles])
        return [*reports, self.cycles[0].run(at)]


@pytest.fixture
def replicas(migrated: Engine, database_url: str) -> Iterator[Replicas]:
    """REPLICAS alerting cycles, each on an engine (a pool of connections) of its own."""
    engines = [migrated, *(make_engine(database_url) for _ in range(REPLICAS - 1))]
    read_together = threading.Barrier(REPLICAS, timeout=30)
    uows = [HeldUnitOfWork(engine, read_together) for engine in engines]
    source = FakeSource()

    def slowly(method: Method) -> None:
        time.sleep(POST_DELAY)  # a Slack round trip: the other replica acts meanwhile

    slack = FakeNotifier(pause=slowly)
    messages = AlertMessages(Renderer())
    catalog = payments_catalog()
    cycles = [AlertingCycle(catalog, source, uow, slack, messages) for uow in uows]
    yield Replicas(cycles, uows, source, slack)
    for engine in engines[1:]:
        engine.dispose()


@dataclass(frozen=True)
class Seen:
    """What reached Slack during one step."""

    top_level: list[str]  # texts of new messages
    replies: list[tuple[str, str]]  # (thread ts, text) of new thread replies
    updates: list[str]  # ts of the messages updated in place

    @property
    def counts(self) -> tuple[int, int, int]:
        """(new messages, thread replies, updates)."""
        return len(self.top_level), len(self.replies), len(self.updates)


def step(replicas: Replicas, at: datetime) -> Seen:
    slack = replicas.slack
    posts, updates = len(slack.posts), len(slack.updates)
    replicas.race(at)
    new = slack.posts[posts:]
    return Seen(
        [p.text for p in new if p.thread_ts is None],
        [(p.thread_ts, p.text) for p in new if p.thread_ts is not None],
        [u.ts for u in slack.updates[updates:]],
    )


def test_racing_replicas_post_each_alert_once(replicas: Replicas) -> None:
    """Over several burns: one opening post, one escalation (the message updated in place
    and one reply), one resolution (updated, one reply), one warning per Prometheus outage,
    however the two replicas' cycles interleave and whatever a retry does after them."""
    source, name = replicas.source, CHECKOUT.name
    for round_number in range(ROUNDS):
        start = T0 + timedelta(hours=round_number)

        def at(minutes: int, start: datetime = start) -> datetime:
            return start + timedelta(minutes=minutes)

        source.come_back()
        source.burn = 1.5  # the 3-day and 6-hour windows burn: a ticket
        opened = step(replicas, at(0))
        assert opened.counts == (1, 0, 0), opened
        assert opened.top_level[0].startswith(f"TICKET: {name} is burning")
        ts = replicas.slack.top_level()[-1].ts

        source.burn = 20.0  # the 1-hour and 5-minute windows too: a page
        escalated = step(replicas, at(1))
        assert escalated.counts == (0, 1, 1), escalated
        assert escalated.updates == [ts]  # in place
        [(thread, reply)] = escalated.replies
        assert thread == ts and "Escalated to PAGE" in reply

        source.burn = 0.0
        assert step(replicas, at(2)).counts == (0, 0, 0)  # not yet: the hysteresis
        resolved = step(replicas, at(13))  # quiet past the 10-minute hysteresis
        assert resolved.counts == (0, 1, 1), resolved
        assert resolved.updates == [ts]
        [(thread, reply)] = resolved.replies
        assert thread == ts and "Resolved." in reply

        source.go_down()
        assert step(replicas, at(20)).counts == (0, 0, 0)  # the outage clock starts
        warned = step(replicas, at(36))  # 16 minutes without data: one warning
        assert warned.counts == (1, 0, 0), warned
        assert "unreachable" in warned.top_level[0] and "payments" in warned.top_level[0]
        assert step(replicas, at(40)).counts == (0, 0, 0)  # one warning per outage

    assert len(replicas.slack.top_level()) == 2 * ROUNDS  # an alert and a warning a round
    assert replicas.slack.failed == []
    with replicas.uows[0].read() as store:
        assert store.alerts.firing() == []
        # the last outage goes on, warned about once
        assert store.alerts.watches([name])[name] == Watch(None, at(20), True)
