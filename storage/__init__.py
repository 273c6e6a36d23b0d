"""Persistence: engines, SQLModel tables, Alembic migrations and repositories."""
