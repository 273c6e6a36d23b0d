"""Alembic environment: runs on the connection storage.migrate passes in `attributes`."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage import models
from storage.db import DEFAULT_URL, make_engine

_config = context.config
_TARGET_METADATA = SQLModel.metadata  # filled by importing storage.models


def _render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones, so revisions never import models."""
    if kind == "type" and isinstance(obj, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _run(connection: Connection) -> None:
    """Run the migrations on `connection`; batch mode lets SQLite alter tables by copying."""
    context.configure(
        connection=connection,
        target_metadata=_TARGET_METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline(url: str) -> None:
    """Emit the migrations as SQL text (`alembic upgrade --sql`) instead of running them."""
    context.configure(
        url=url,
        target_metadata=_TARGET_METADATA,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = _config.attributes.get("connection")
if isinstance(_connection, Connection):
    _run(_connection)
elif context.is_offline_mode():
    _run_offline(_config.get_main_option("sqlalchemy.url") or "sqlite://")
else:
    # Developer tools (e.g. command.revision(autogenerate=True)) pass only a URL.
    _engine = make_engine(_config.get_main_option("sqlalchemy.url") or DEFAULT_URL)
    try:
        with _engine.connect() as _conn, _conn.begin():
            _run(_conn)
    finally:
        _engine.dispose()
