"""The use cases' tests run on tests.support.fakes: an in-memory database per test."""

from collections.abc import Iterator

import pytest

from storage.unit_of_work import UnitOfWork
from tests.support.fakes import memory_uow


@pytest.fixture
def uow() -> Iterator[UnitOfWork]:
    """A unit of work on a fresh in-memory database with the current schema."""
    work = memory_uow()
    yield work
    work.engine.dispose()
