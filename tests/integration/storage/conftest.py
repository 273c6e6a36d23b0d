"""Engines over the `database_url` fixture: a bare one and one migrated to head."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty test database, disposed of afterwards."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    """The engine after upgrading its database to head."""
    upgrade(engine)
    return engine
