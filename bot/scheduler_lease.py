"""The scheduler's lease: which replica of `budgetbot serve` runs the scheduled jobs.

- PostgreSQL (`PostgresLease`): a session-level advisory lock held on a dedicated
  connection that stays open. When the leader dies, PostgreSQL ends its session and
  drops the lock, and another replica takes it at its next tick. The session has an
  `idle_session_timeout`: a leader that stops answering (a frozen process, a hung host)
  stops renewing it with the heartbeat job (bot/scheduler.py), so the server ends its
  session and another replica takes over; when the old leader wakes up, its next lease
  check fails and it runs no further job.
- SQLite (`LocalLease`): always held, since a SQLite deployment is a single process.
"""

import logging
import threading
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger("budgetbot.scheduler")

# Any fixed bigint shared by every budgetbot process, distinct from the migration lock's
# key (storage.migrate.ADVISORY_LOCK_KEY): the bytes of "bbleader".
SCHEDULER_LOCK_KEY = int.from_bytes(b"bbleader", "big")

# The lease session is ended by PostgreSQL after this long without a query; the
# heartbeat asks every LEASE_HEARTBEAT_S, so a live leader never comes close.
LEASE_IDLE_TIMEOUT_S = 30.0
LEASE_HEARTBEAT_S = 5.0

_BIGINT = range(-(2**63), 2**63)


class Lease(Protocol):
    """Leadership for the scheduled jobs: at most one process holds it at a time."""

    @property
    def held(self) -> bool:
        """Whether this process held the lease when last checked."""
        ...

    def try_acquire(self) -> bool:
        """True while this process holds the lease (acquiring it if free); cheap, never raises."""
        ...

    def release(self) -> None:
        """Give the lease up so that another process may take it."""
        ...


class LocalLease:
    """Always held: for SQLite, whose deployments are a single budgetbot process."""

    @property
    def held(self) -> bool:
        return True

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        """Nothing to give up: no other process competes for a SQLite database."""


class PostgresLease:
    """A session-level `pg_try_advisory_lock(key)` held on a dedicated connection.

    The connection is taken from `engine` once, detached from its pool and kept open; the
    lock lives as long as that session. If the connection breaks, the `try_acquire` that
    notices sets `held` to False and returns False; the next one reconnects and tries
    again. Safe to use from several threads.
    """

    def __init__(
        self,
        engine: Engine,
        key: int = SCHEDULER_LOCK_KEY,
        idle_timeout: float = LEASE_IDLE_TIMEOUT_S,
    ) -> None:
        """idle_timeout: seconds without a query before PostgreSQL ends the lease session."""
        if engine.dialect.name != "postgresql":
            raise ValueError(f"PostgresLease needs PostgreSQL, not {engine.dialect.name}")
        if key not in _BIGINT:
            raise ValueError(f"advisory lock key {key} is not a 64-bit signed integer")
        self._engine = engine
        self._key = key
        self._idle_ms = max(1, round(idle_timeout * 1000))
        # pg_locks shows a bigint key as two unsigned 32-bit halves, with objsubid 1.
        self._classid = (key >> 32) & 0xFFFFFFFF
        self._objid = key & 0xFFFFFFFF
        self._connection: Connection | None = None
        self._held = False
        self._failing = False
        self._lock = threading.Lock()

    @property
    def key(self) -> int:
        return self._key

    @property
    def held(self) -> bool:
        return self._held

    def try_acquire(self) -> bool:
        with self._lock:
            try:
                if self._held:
                    self._held = self._still_held()
                    if not self._held:
                        log.warning("scheduler lease %d lost: its session ended", self._key)
                        self._disconnect()
                    return self._held
                self._held = self._lock_once()
            except SQLAlchemyError as exc:
                self._failed(exc)
                return False
            self._failing = False
            return self._held

    def release(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
            was_held, self._held = self._held, False
            if connection is None:
                return
            if was_held:
                try:  # at once, rather than when the server notices the closed session
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                except SQLAlchemyError as exc:
                    log.debug("unlocking scheduler lease %d failed: %s", self._key, exc)
            _close(connection)

    def _lock_once(self) -> bool:
        connection = self._connect()
        query = text("SELECT pg_try_advisory_lock(:key)")
        return bool(connection.execute(query, {"key": self._key}).scalar_one())

    def _still_held(self) -> bool:
        """Whether the session is alive and still holds the lock; raises when it broke."""
        connection = self._connect()
        query = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND pid = pg_backend_pid() AND granted"
            " AND classid::bigint = :classid AND objid::bigint = :objid AND objsubid = 1"
        )
        count = connection.execute(query, {"classid": self._classid, "objid": self._objid})
        return bool(count.scalar_one())

    def _connect(self) -> Connection:
        if self._connection is None:
            connection = self._engine.connect()
            try:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.detach()  # never back into the pool, lock and all
                # A holder that stops asking loses the lock (PostgreSQL 14 and later).
                connection.execute(text(f"SET idle_session_timeout = {int(self._idle_ms)}"))
            except BaseException:
                _close(connection)
                raise
            self._connection = connection
        return self._connection

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            _close(connection)

    def _failed(self, exc: SQLAlchemyError) -> None:
        if self._held:
            log.warning("scheduler lease %d lost: %s", self._key, _one_line(exc))
        elif not self._failing:
            log.warning("cannot try the scheduler lease %d: %s", self._key, _one_line(exc))
        else:
            log.debug("cannot try the scheduler lease %d: %s", self._key, _one_line(exc))
        self._held = False
        self._failing = True
        self._disconnect()


def lease_for(engine: Engine, key: int = SCHEDULER_LOCK_KEY) -> Lease:
    """The lease for the engine's database: PostgresLease or, for SQLite, LocalLease."""
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine, key)
    if engine.dialect.name == "sqlite":
        return LocalLease()
    raise ValueError(f"no scheduler lease for {engine.dialect.name} databases")


def _close(connection: Connection) -> None:
    try:
        connection.close()
    except SQLAlchemyError as exc:
        log.debug("closing the scheduler lease connection failed: %s", exc)


def _one_line(exc: SQLAlchemyError) -> str:
    """The driver's message on one line (without SQLAlchemy's SQL and help link)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return " ".join(str(cause).split()) or type(cause).__name__
