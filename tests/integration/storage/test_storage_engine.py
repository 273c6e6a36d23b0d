"""make_engine(): per-database settings and one-line StorageErrors without passwords."""

import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from storage.db import StorageError, make_engine

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-pa55"


def _closed_port() -> int:
    """A loopback TCP port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _assert_masked(error: StorageError) -> None:
    """The message is one line, masks the password and never shows it."""
    message = str(error)
    assert "\n" not in message
    assert SECRET not in message
    assert SECRET not in repr(error.__cause__ or "")


def test_engine_settings(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, busy timeout; PostgreSQL: psycopg 3 with pre-ping."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
        else:
            assert engine.dialect.driver == "psycopg"
            assert engine.pool._pre_ping
            assert connection.execute(text("SELECT 1")).scalar() == 1
            # TCP keepalives, so that a vanished server is noticed within about a minute
            params = connection.connection.driver_connection.info.get_parameters()
            assert (params["keepalives"], params["keepalives_idle"]) == ("1", "30")
            assert (params["keepalives_interval"], params["keepalives_count"]) == ("10", "3")


def test_plain_postgresql_scheme_means_psycopg(database_url: str) -> None:
    """postgresql:// (no driver) works and selects psycopg 3, not psycopg2."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    engine = make_engine(url)
    try:
        assert engine.dialect.driver in {"psycopg", "pysqlite"}
    finally:
        engine.dispose()


def test_unreachable_database_is_storage_error(database_url: str, tmp_path: Path) -> None:
    """A database that cannot be opened fails in make_engine, naming it without password."""
    if database_url.startswith("sqlite"):
        bad = f"sqlite:///{tmp_path / 'missing-dir' / 'budgetbot.db'}"
    else:
        url = make_url(database_url)
        bad = url.set(username="budgetbot", password=SECRET, port=_closed_port()).render_as_string(
            hide_password=False
        )
    with pytest.raises(StorageError) as caught:
        make_engine(bad)
    _assert_masked(caught.value)
    assert "cannot use database" in str(caught.value)
    if database_url.startswith("postgresql"):
        assert ":***@127.0.0.1" in str(caught.value)
    else:
        assert "missing-dir" in str(caught.value)


@pytest.mark.parametrize(
    "template",
    [
        "{scheme}://budgetbot:{secret}@db.example:not-a-port/budgetbot",
        "mysql://budgetbot:{secret}@db.example/budgetbot",
        "no scheme budgetbot:{secret}@db.example",
    ],
)
def test_bad_url_is_storage_error_with_password_masked(database_url: str, template: str) -> None:
    """URLs that cannot be parsed or are not supported give a masked, one-line StorageError."""
    scheme = make_url(database_url).drivername
    with pytest.raises(StorageError) as caught:
        make_engine(template.format(scheme=scheme, secret=SECRET))
    _assert_masked(caught.value)
    assert "budgetbot" in str(caught.value)
