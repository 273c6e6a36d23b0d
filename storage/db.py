"""Engines from a DATABASE_URL: SQLite (the default) or PostgreSQL through psycopg 3."""

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

DEFAULT_URL = "sqlite:///budgetbot.db"
SQLITE_BUSY_TIMEOUT_MS = 15_000
POSTGRES_CONNECT_TIMEOUT_S = 10
# libpq TCP keepalives: a connection whose server vanished without closing it (a dead
# host, a dropped route) is noticed within about a minute instead of the kernel's two
# hours. It matters most for the scheduler lease's long-lived connection.
POSTGRES_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}

_POSTGRES_DRIVERS = {"postgresql", "postgresql+psycopg", "postgres"}
_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
_EXPECTED = "expected sqlite:///path.db or postgresql+psycopg://user:password@host:port/name"


class StorageError(Exception):
    """A database problem the user can fix (bad URL, unreachable server); message is one line."""


def mask_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ***."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _mask_unparsed(url)


def _mask_unparsed(url: str) -> str:
    """Mask whatever lies between the user's colon and the last @ of a malformed URL."""
    at = url.rfind("@")
    scheme_end = url.find("://", 0, max(at, 0))
    start = scheme_end + 3 if scheme_end >= 0 else 0
    colon = url.find(":", start, max(at, 0))
    return url if at < 0 or colon < 0 else f"{url[: colon + 1]}***{url[at:]}"


def parse_url(url: str) -> URL:
    """The URL parsed and checked; `postgresql://` means psycopg 3. Raises StorageError."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StorageError(f"cannot parse database URL {mask_url(url)!r}: {_EXPECTED}") from None
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in _SQLITE_DRIVERS:
        return parsed
    raise StorageError(f"unsupported database URL {mask_url(parsed)!r}: {_EXPECTED}")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, or SQLite in memory)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str = DEFAULT_URL, *, check: bool = True) -> Engine:
    """An engine for `url`; with `check`, connect once so that a bad URL fails here."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)
        _configure_sqlite(engine)
    else:
        defaults = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, **POSTGRES_KEEPALIVES}
        connect_args: dict[str, Any] = {
            key: value for key, value in defaults.items() if key not in parsed.query
        }
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    if check:
        try:
            with engine.connect():
                pass
        except DBAPIError as exc:
            engine.dispose()
            raise connection_error(parsed, exc) from exc
    return engine


def connection_error(url: URL, exc: BaseException) -> StorageError:
    """A one-line StorageError naming the database (password masked) and the cause."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = " ".join(str(cause).split()) or type(cause).__name__
    if url.password:  # drivers do not echo passwords, but make sure; whole tokens only
        secret = re.escape(str(url.password))
        reason = re.sub(rf"(?<!\w){secret}(?!\w)", "***", reason)
    return StorageError(f"cannot use database {mask_url(url)}: {reason}")


def _configure_sqlite(engine: Engine) -> None:
    """Set WAL, foreign keys and a busy timeout per connection; every transaction is IMMEDIATE."""
    # sqlite3's own transaction handling is switched off so that SQLAlchemy emits BEGIN:
    # this makes DDL and SAVEPOINTs transactional. BEGIN IMMEDIATE takes the write lock
    # up front, so concurrent writers wait for busy_timeout instead of failing with
    # "database is locked" when a read transaction later tries to write.

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL briefly needs the write lock.
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
