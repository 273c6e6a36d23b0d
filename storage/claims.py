"""Claims: an INSERT that succeeds once. A unique violation means another writer claimed it."""

import sqlite3
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

_UNIQUE_SQLSTATE = "23505"  # PostgreSQL's unique_violation
_SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a duplicate key (not a foreign key or a check)."""
    cause = exc.orig
    if isinstance(cause, sqlite3.IntegrityError):
        return getattr(cause, "sqlite_errorname", "") in _SQLITE_UNIQUE
    return getattr(cause, "sqlstate", None) == _UNIQUE_SQLSTATE


def insert_once(
    session: Session, statement: Insert, *, returning: bool = False
) -> list[Any] | None:
    """Run an INSERT in a SAVEPOINT: its RETURNING values ([] without), None on a duplicate.

    Never check-then-insert: a concurrent inserter of the same key waits for the first
    transaction to end, then loses. The rolled-back SAVEPOINT keeps the caller's
    transaction usable; other integrity errors (foreign key, check) propagate.
    """
    try:
        with session.begin_nested():
            result = session.exec(statement)
            return list(result.scalars()) if returning else []
    except IntegrityError as exc:
        if not unique_violation(exc):
            raise
        return None
