"""Only `budgetbot migrate` and `serve` create or upgrade the schema. Every other command
that needs the database refuses one that is missing or behind: one line on stderr, exit 1,
nothing touched (`budgetbot gate` in CI never migrates production). On SQLite and on the
real PostgreSQL."""

from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from storage.migrate import current, downgrade, head, upgrade
from tests.support.catalogs import alerting_catalog
from tests.support.cli import budgetbot, clean_env, closed_port, migrate

COMMANDS = ("gate", "evaluate", "digest")
AT = "2026-03-02T12:00:00Z"


def run(command: str, catalog: Path, database_url: str, at: str) -> CompletedProcess[str]:
    """`budgetbot <command>` on the database, without Slack (the digest is printed)."""
    args = {
        "gate": ["gate", "--service", "steady"],
        "evaluate": ["evaluate"],
        "digest": ["digest", "--team", "sre", "--chart-dir", str(catalog.parent / "charts")],
    }[command]
    env = clean_env(DATABASE_URL=database_url)
    return budgetbot(*args, "--config", str(catalog), "--at", at, env=env)


def assert_refused(done: CompletedProcess[str], at: str | None) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"budgetbot: the database schema is not current (at {at or 'none'}, "
        f"needs {head()}): run budgetbot migrate\n"
    )


def tables(database_url: str) -> list[str]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def catalog_at(directory: Path, prometheus_url: str) -> Path:
    return alerting_catalog(directory, prometheus_url, ("steady",), digest="0 9 * * MON")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_database_is_refused_and_left_empty(
    command: str, database_url: str, tmp_path: Path
) -> None:
    # Prometheus is not even there: the schema is checked before anything is asked.
    catalog = catalog_at(tmp_path, f"http://127.0.0.1:{closed_port()}")
    assert_refused(run(command, catalog, database_url, AT), None)
    assert tables(database_url) == []
    assert not (tmp_path / "charts").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_one_revision_behind_is_refused_until_migrated(
    command: str, database_url: str, tmp_path: Path, prom: Any
) -> None:
    upgrade(database_url)
    downgrade(database_url, "-1")
    behind, before = current(database_url), tables(database_url)
    assert behind is not None and behind != head()
    catalog = catalog_at(tmp_path, prom.url)
    assert_refused(run(command, catalog, database_url, prom.end.isoformat()), behind)
    assert current(database_url) == behind and tables(database_url) == before

    migrated = budgetbot("migrate", env=clean_env(DATABASE_URL=database_url))
    assert migrated.returncode == 0, migrated.stderr
    assert f"is at revision {head()}" in migrated.stdout
    done = run(command, catalog, database_url, prom.end.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_schema_a_newer_budgetbot_migrated_is_accepted(
    database_url: str, tmp_path: Path, prom: Any
) -> None:
    """A replica of a newer release migrated first: the older CLI (a CI pipeline's gate)
    goes on working, and it migrates nothing."""
    upgrade(database_url)
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    done = run("gate", catalog_at(tmp_path, prom.url), database_url, prom.end.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("steady: open (allowed)")
    assert current(database_url) == "ffffffffffff"


def test_after_migrate_every_command_works(database_url: str, tmp_path: Path, prom: Any) -> None:
    migrate(clean_env(DATABASE_URL=database_url))
    assert current(database_url) == head()
    catalog = catalog_at(tmp_path, prom.url)
    at = prom.end.isoformat()
    gate, evaluate, digest = (run(c, catalog, database_url, at) for c in COMMANDS)
    assert gate.returncode == 0, gate.stderr
    assert gate.stdout.startswith("steady: open (allowed)")
    assert evaluate.returncode == 0, evaluate.stderr
    assert "1 SLOs, 0 opened" in evaluate.stdout
    assert digest.returncode == 0, digest.stderr
    assert "Weekly digest of sre" in digest.stdout and "SLACK_BOT_TOKEN is not set" in digest.stderr
    assert list((tmp_path / "charts").glob("budget-sre-*.png"))


def test_commands_without_the_database_never_open_it(tmp_path: Path, prom: Any) -> None:
    """check-config and status read the catalog and Prometheus only: no database file."""
    catalog = catalog_at(tmp_path, prom.url)
    absent = tmp_path / "absent.db"
    env = clean_env(DATABASE_URL=f"sqlite:///{absent}")
    at = prom.end.isoformat()
    for args in (["check-config"], ["status", "--at", at]):
        done = budgetbot(*args, "--config", str(catalog), env=env)
        assert done.returncode == 0, (args, done.stderr)
    assert not absent.exists()
