"""Scheduled jobs run by one replica at a time: the PostgreSQL lease and the Scheduler."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.scheduler import LocalLease, PostgresLease, Scheduler, lease_for
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
KEY = 4242
POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
SKIPPED = "job tick skipped: another replica leads"
FAILED = "scheduled job tick failed"

CHILD = (  # takes the lease, says so, then holds it until killed
    "import sys, time\n"
    "from bot.scheduler import PostgresLease\n"
    "from storage.db import make_engine\n"
    "lease = PostgresLease(make_engine(sys.argv[1]), int(sys.argv[2]))\n"
    "print('acquired' if lease.try_acquire() else 'refused', flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.fixture
def new_lease(engine: Engine) -> Iterator[Callable[[], PostgresLease]]:
    """Makes PostgresLeases on KEY, each on its own connection; releases them afterwards."""
    leases: list[PostgresLease] = []

    def make() -> PostgresLease:
        leases.append(PostgresLease(engine, KEY))
        return leases[-1]

    yield make
    for lease in leases:
        lease.release()


def _holder_pids(engine: Engine) -> list[int]:
    """The backends holding the advisory lock on KEY (a bigint key: classid 0, objid KEY)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid::bigint = 0 AND objid::bigint = :key AND objsubid = 1"
            ),
            {"key": KEY},
        )
        return [int(pid) for pid in rows.scalars()]


@POSTGRES
def test_exactly_one_lease_holder_until_it_releases(
    new_lease: Callable[[], PostgresLease],
) -> None:
    first, second = new_lease(), new_lease()
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.try_acquire()  # asking again every tick keeps it
    assert first.held and not second.held
    first.release()
    assert not first.held
    assert second.try_acquire()
    assert second.held
    assert not first.try_acquire()


@POSTGRES
def test_another_process_takes_over_when_the_holder_dies(
    database_url: str, new_lease: Callable[[], PostgresLease]
) -> None:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    command = [sys.executable, "-W", "error", "-c", CHILD, database_url, str(KEY)]
    lease = new_lease()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "acquired"
            assert not lease.try_acquire()
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
    wait_until(lease.try_acquire, 5, "the lease of the killed holder was never free")
    assert lease.held


HEARTBEATING = (  # takes the lease with a 2 s idle timeout and renews it every 0.2 s
    "import sys, time\n"
    "from bot.scheduler import PostgresLease\n"
    "from storage.db import make_engine\n"
    "lease = PostgresLease(make_engine(sys.argv[1]), int(sys.argv[2]), idle_timeout=2)\n"
    "held = None\n"
    "for _ in range(600):\n"
    "    now = lease.try_acquire()\n"
    "    if now != held:\n"
    "        print('acquired' if now else 'lost', flush=True)\n"
    "        held = now\n"
    "    time.sleep(0.2)\n"
)


@POSTGRES
def test_a_frozen_holder_loses_the_lease_and_learns_it_on_waking(
    database_url: str, new_lease: Callable[[], PostgresLease]
) -> None:
    """SIGSTOP: the frozen leader keeps its TCP session, but stops renewing it."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    command = [sys.executable, "-W", "error", "-c", HEARTBEATING, database_url, str(KEY)]
    lease = new_lease()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "acquired"
            time.sleep(3)  # longer than the idle timeout: the heartbeat keeps it alive
            assert not lease.try_acquire()
            os.kill(child.pid, signal.SIGSTOP)
            # the server ends the frozen holder's session after its idle timeout
            wait_until(lease.try_acquire, 15, "the frozen holder kept the lease")
            os.kill(child.pid, signal.SIGCONT)
            assert child.stdout.readline().strip() == "lost"  # its next check says so
            assert lease.try_acquire() and lease.held
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)


@POSTGRES
def test_a_broken_connection_loses_the_lease_then_reacquires(
    engine: Engine, new_lease: Callable[[], PostgresLease]
) -> None:
    lease = new_lease()
    assert lease.try_acquire()
    [pid] = _holder_pids(engine)
    with engine.connect() as connection:
        terminated = connection.execute(
            text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
        ).scalar_one()
    assert terminated
    assert not lease.try_acquire()  # the tick that notices steps down
    assert not lease.held
    assert lease.try_acquire()  # the next one reconnects
    assert lease.held
    assert len(_holder_pids(engine)) == 1


@POSTGRES
def test_a_job_runs_in_one_replica_only_and_survives_its_errors(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="budgetbot.scheduler")
    runs = {"a": 0, "b": 0}
    counting = threading.Lock()

    def job(replica: str) -> Callable[[], None]:
        def run() -> None:
            with counting:
                runs[replica] += 1
            raise RuntimeError(f"boom in {replica}")

        return run

    replicas = {name: Scheduler(PostgresLease(engine, KEY)) for name in runs}
    try:
        for name, scheduler in replicas.items():
            scheduler.add_interval("tick", job(name), seconds=1)
            scheduler.start()

        def both_ticked_twice() -> bool:
            said = [record.getMessage() for record in list(caplog.records)]
            return said.count(FAILED) >= 2 and said.count(SKIPPED) >= 2

        wait_until(both_ticked_twice, 15, lambda: f"the replicas did not tick twice: {runs}")
    finally:
        for scheduler in replicas.values():
            scheduler.shutdown()
    assert sorted(runs.values())[0] == 0, runs
    assert sorted(runs.values())[1] >= 2, runs  # later runs despite every run raising
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count(FAILED) == max(runs.values())
    assert messages.count(SKIPPED) >= 2
    assert messages.count("this process is now the leader: running scheduled jobs") == 1
    assert not any(scheduler.lease.held for scheduler in replicas.values())
    assert _holder_pids(engine) == []


def test_local_lease_is_always_held() -> None:
    lease = LocalLease()
    assert lease.held
    assert lease.try_acquire()
    lease.release()
    assert lease.held and lease.try_acquire()


def test_lease_for_picks_by_database(engine: Engine) -> None:
    lease = lease_for(engine)
    expected = PostgresLease if engine.dialect.name == "postgresql" else LocalLease
    assert type(lease) is expected
    lease.release()


def test_shutdown_lets_a_running_job_finish_within_its_bound() -> None:
    """SIGTERM in serve: a post in flight is finished (and its ts stored), boundedly."""
    started, finished = threading.Event(), threading.Event()

    def slow_post() -> None:
        started.set()
        time.sleep(1.0)
        finished.set()

    scheduler = Scheduler(LocalLease())
    scheduler.add_interval("post", slow_post, 0.1)
    scheduler.start()
    assert started.wait(5)
    scheduler.shutdown(wait=True, timeout=5)
    assert finished.is_set()


def test_shutdown_does_not_wait_forever() -> None:
    started, release = threading.Event(), threading.Event()

    def stuck() -> None:
        started.set()
        release.wait(30)

    scheduler = Scheduler(LocalLease())
    scheduler.add_interval("stuck", stuck, 0.1)
    scheduler.start()
    assert started.wait(5)
    begun = time.monotonic()
    scheduler.shutdown(wait=True, timeout=0.5)
    assert time.monotonic() - begun < 3
    release.set()
