"""The packaged Alembic migrations: upgrade, idempotence, downgrade, drift, concurrency."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.migrate import current, downgrade, head, upgrade

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
TABLES = {
    "exclusion",
    "exclusion_event",
    "policy_attempt",
    "policy_event",
    "policy_state",
    "budget_snapshot",
    "handled_event",
    "alert_episode",
    "alert_post",
    "slo_watch",
    "data_warning",
    "incident",
    "incident_slo",
    "incident_change",
    "incident_card",
    "incident_escalation",
    "postmortem",
    "action_item",
    "action_change",
    "reminder_sent",
    "gate_decision",
    "gate_override",
    "digest_run",
}
DDL = ("CREATE", "ALTER", "DROP")


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns, indexes and unique constraints, for comparisons."""
    inspector = inspect(engine)
    return {
        table: (
            [column["name"] for column in inspector.get_columns(table)],
            sorted(str(index["name"]) for index in inspector.get_indexes(table)),
            sorted(str(unique["name"]) for unique in inspector.get_unique_constraints(table)),
        )
        for table in inspector.get_table_names()
    }


def test_upgrade_creates_the_tables(engine: Engine) -> None:
    """An empty database upgraded to head has every table and records the head revision."""
    assert current(engine) is None
    upgrade(engine)
    assert TABLES | {"alembic_version"} == set(inspect(engine).get_table_names())
    assert current(engine) == head() == "0011"


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    """A second upgrade issues no DDL and leaves the schema and the revision unchanged."""
    upgrade(engine)
    before = _schema(engine)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not [s for s in statements if s.lstrip().upper().startswith(DDL)]
    assert _schema(engine) == before
    assert current(engine) == head()


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    """Downgrading to base drops every table; upgrading again restores them."""
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current(engine) is None
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_models_and_migrations_agree(migrated: Engine) -> None:
    """Autogenerate finds no difference between the models and the migrated schema."""
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_concurrent_upgrades_all_succeed(database_url: str) -> None:
    """Three processes upgrading the same empty database at once all succeed."""
    child = (  # connect and load the scripts first, so that the upgrades really overlap
        "import sys\n"
        "from storage.db import make_engine\n"
        "from storage.migrate import current, head, upgrade\n"
        "engine = make_engine(sys.argv[1])\n"
        "current(engine), head()\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"  # the start line: every child is ready
        "upgrade(engine)\n"
    )
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    processes = [
        subprocess.Popen(
            [sys.executable, "-W", "error", "-c", child, database_url],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:  # each has imported, connected and warmed up
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n", process.communicate()[1]
    for process in processes:  # go, all at once
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outcomes = [(process.wait(timeout=120), process.communicate()[1]) for process in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], [err for _, err in outcomes]
    assert current(database_url) == head()
