"""The unit of work: the one way the use cases open a transaction.

    with uow.begin() as store:      # committed when the block ends, rolled back on error
        store.alerts.claim_open(...)
    with uow.read() as store:       # reads only: nothing is committed
        store.incidents.get(...)

`Store` holds the repositories of that one transaction, so every change made in a block
commits or rolls back together.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Engine
from sqlmodel import Session

from storage.alerts import AlertRepository
from storage.digests import DigestRepository
from storage.exclusions import ExclusionRepository
from storage.gates import GateRepository
from storage.incident_cards import CardRepository
from storage.incident_timings import TimingRepository
from storage.incidents import IncidentRepository
from storage.policies import PolicyRepository
from storage.postmortems import PostmortemRepository
from storage.repositories import HandledEventRepository, SnapshotRepository


class Store:
    """The repositories of one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def alerts(self) -> AlertRepository:
        return AlertRepository(self.session)

    @cached_property
    def cards(self) -> CardRepository:
        return CardRepository(self.session)

    @cached_property
    def digests(self) -> DigestRepository:
        return DigestRepository(self.session)

    @cached_property
    def events(self) -> HandledEventRepository:
        return HandledEventRepository(self.session)

    @cached_property
    def exclusions(self) -> ExclusionRepository:
        return ExclusionRepository(self.session)

    @cached_property
    def gates(self) -> GateRepository:
        return GateRepository(self.session)

    @cached_property
    def incidents(self) -> IncidentRepository:
        return IncidentRepository(self.session)

    @cached_property
    def policies(self) -> PolicyRepository:
        return PolicyRepository(self.session)

    @cached_property
    def postmortems(self) -> PostmortemRepository:
        return PostmortemRepository(self.session)

    @cached_property
    def timings(self) -> TimingRepository:
        return TimingRepository(self.session)

    @cached_property
    def snapshots(self) -> SnapshotRepository:
        return SnapshotRepository(self.session)


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def begin(self) -> Iterator[Store]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with Session(self.engine) as session, session.begin():
            yield Store(session)

    @contextmanager
    def read(self) -> Iterator[Store]:
        """Reads only: the session is closed at the end and nothing is committed."""
        with Session(self.engine) as session:
            yield Store(session)
