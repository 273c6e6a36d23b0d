"""Run the Alembic migrations packaged in storage/migrations, without an alembic.ini.

Only `budgetbot migrate`, `budgetbot serve` and the demo (its own database) call upgrade();
every other command calls require_current() and refuses a schema that is not at head.

Several processes may call upgrade() at once (e.g. replicas starting together):

- PostgreSQL: a session-level pg_advisory_lock, taken on the very connection that runs the
  migrations, serialises them; a waiter then sees the new version and does nothing. All
  revisions of one call run in a single transaction (PostgreSQL has transactional DDL).
- SQLite: the migrations run in one BEGIN IMMEDIATE transaction (see storage.db), which
  holds the database's write lock; other processes wait up to the busy timeout. SQLite
  still assumes one budgetbot process per database file.

Within one process a lock serialises callers, because Alembic's `context` is a global.
New revisions: `command.revision(alembic_config(url), message=..., autogenerate=True)`.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from storage.db import StorageError, connection_error, make_engine

# Any fixed bigint, shared by every budgetbot process: the bytes of "budgetbt".
ADVISORY_LOCK_KEY = int.from_bytes(b"budgetbt", "big")

_in_process = threading.Lock()


def script_location() -> Path:
    """The directory holding env.py and versions/, found inside the installed package."""
    location = resources.files("storage").joinpath("migrations")
    if not isinstance(location, Path) or not location.is_dir():
        raise StorageError(f"migrations are not on the file system: {location}")
    return location


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config for the packaged migrations; `url` only for developer tools."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head() -> str | None:
    """The newest revision id of the packaged migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class SchemaNotCurrent(StorageError):
    """The schema is missing or behind the packaged head: only `budgetbot migrate` (and
    `serve`, which migrates at start) may create or upgrade it."""


def require_current(target: Engine | str) -> None:
    """Raise SchemaNotCurrent when the database has no schema or an older one than this
    package's; reads only, changes nothing.

    A revision this package does not know was written by a newer budgetbot (a replica
    rolled out first): that schema is accepted, as migrations only add what older code
    can ignore, and `migrate` could not move it anyway.
    """
    at, needs = current(target), head()
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if at != needs and (at is None or at in known):
        raise SchemaNotCurrent(
            f"the database schema is not current (at {at or 'none'}, needs {needs}): "
            "run budgetbot migrate"
        )


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Migrate the database forward to `revision`; a no-op when it is there already."""
    _migrate(target, lambda config: command.upgrade(config, revision))


def downgrade(target: Engine | str, revision: str) -> None:
    """Migrate the database back to `revision` ("base" removes every table)."""
    _migrate(target, lambda config: command.downgrade(config, revision))


def current(target: Engine | str) -> str | None:
    """The database's revision id, or None before the first migration."""
    with _engine(target) as engine, _connect(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _migrate(target: Engine | str, action: Callable[[Config], None]) -> None:
    """Run one Alembic command in a single transaction under the migration lock."""
    with _in_process, _engine(target) as engine, _connect(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        if connection.dialect.name == "postgresql":
            with _advisory_lock(connection), connection.begin():
                action(config)
        else:
            # A batch migration copies a table and drops the old one, which fails while
            # other tables' foreign keys point at it. SQLite's advice: switch foreign keys
            # off around it (outside any transaction, so on the driver's connection).
            sqlite: Any = connection.connection.driver_connection
            sqlite.execute("PRAGMA foreign_keys = OFF")
            try:
                with connection.begin():
                    action(config)
            finally:
                sqlite.execute("PRAGMA foreign_keys = ON")


@contextmanager
def _engine(target: Engine | str) -> Iterator[Engine]:
    """Use the given engine, or make one from a URL and dispose of it afterwards."""
    if isinstance(target, Engine):
        yield target
        return
    engine = make_engine(target)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    """A connection; failing to connect is a StorageError that names the database."""
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise connection_error(engine.url, exc) from exc
    with connection:
        yield connection


@contextmanager
def _advisory_lock(connection: Connection) -> Iterator[None]:
    """Hold PostgreSQL's session-level advisory lock for migrations on `connection`."""
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()
