"""The `database_url` fixture (and `engine`, `migrated` over it): every storage test runs on
SQLite and on a real PostgreSQL.

PostgreSQL comes from BUDGETBOT_TEST_POSTGRES_URL (a maintenance database such as
`postgres`); each test gets a fresh database that is dropped afterwards. When PostgreSQL
cannot be reached the test fails: storage must never go untested on it silently.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a temporary SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'budgetbot.db'}"
        return
    with fresh_postgres() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty test database, disposed of afterwards."""
    from storage.db import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    """The engine after upgrading its database to head."""
    from storage.migrate import upgrade

    upgrade(engine)
    return engine


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    with fresh_postgres() as url:
        yield url


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """Create `budgetbot_test_<hex>` on the test server; fail (never skip) if it is down."""
    maintenance_url = make_url(os.environ.get("BUDGETBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    maintenance = create_engine(
        maintenance_url,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 5},
    )
    name = f"budgetbot_test_{secrets.token_hex(6)}"
    failure = None
    try:
        _execute(maintenance, f'CREATE DATABASE "{name}"')
    except DBAPIError as exc:
        failure = _unreachable(maintenance_url, exc)
    if failure is not None:  # outside `except`: no chained traceback in the report
        maintenance.dispose()
        pytest.fail(failure, pytrace=False)
    try:
        yield maintenance_url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(maintenance, name)
        maintenance.dispose()


def _execute(engine: Engine, sql: str, **params: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    with engine.connect() as connection:
        connection.execute(text(sql), params)


def _drop(maintenance: Engine, name: str) -> None:
    """Terminate the test database's remaining connections, then drop it."""
    _execute(
        maintenance,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = :name AND pid <> pg_backend_pid()",
        name=name,
    )
    _execute(maintenance, f'DROP DATABASE IF EXISTS "{name}"')


def _unreachable(url: URL, exc: DBAPIError) -> str:
    """The failure message when the test PostgreSQL cannot be used."""
    reason = " ".join(str(exc.orig or exc).split())
    return (
        f"PostgreSQL for the storage tests is not usable at "
        f"{url.render_as_string(hide_password=True)} ({reason}); start it (see .ci/run) or "
        "point BUDGETBOT_TEST_POSTGRES_URL at a server where this user may CREATE DATABASE."
    )
