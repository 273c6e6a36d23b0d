"""Budget exclusions added from Slack, as domain exclusions (bot.domain.exclusions).

Like storage.repositories, ExclusionRepository never commits: the caller owns the unit of
work. Times are aware datetimes, stored as UTC; a naive one is refused. Every change is
audited in exclusion_event. A cancelled exclusion is void, for the past as well as the
future: active(), between() and get() never return it (history() still tells its story).
A recurring exclusion (recurrence set) has no end in the database: active() and between()
return it from its first start on, and Exclusion.occurrences() says what it covers.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, insert, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.domain.exclusions import Exclusion
from storage.models.exclusions import ExclusionEvent, ExclusionRecord

AuditLine = tuple[datetime, str, str, str]  # at, actor, action, detail


class ExclusionRepository:
    """Slack's exclusions (source "slack"), each with its audit trail."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, exclusion: Exclusion, at: datetime) -> Exclusion:
        """Store a new exclusion added at `at` by `exclusion.created_by` (required); it is
        returned with its id and source "slack". ValueError for a stored one (id set) or a
        duration that is not positive."""
        if exclusion.id is not None:
            raise ValueError(f"exclusion {exclusion.id} is stored already")
        if exclusion.created_by is None:
            raise ValueError("a stored exclusion needs created_by (the Slack user id)")
        if exclusion.duration <= 0:
            raise ValueError(f"duration must be positive, got {exclusion.duration}s")
        once = exclusion.recurrence is None
        statement = (
            insert(ExclusionRecord)
            .values(
                name=exclusion.name,
                start=exclusion.start,
                duration_s=exclusion.duration,
                ends_at=exclusion.start + timedelta(seconds=exclusion.duration) if once else None,
                reason=exclusion.reason,
                recurrence=exclusion.recurrence,
                timezone=exclusion.timezone,
                slos=sorted(exclusion.slos),
                services=sorted(exclusion.services),
                teams=sorted(exclusion.teams),
                created_by=exclusion.created_by,
                created_at=at,
            )
            .returning(col(ExclusionRecord.id))
        )
        id = int(self._session.exec(statement).scalar_one())
        self._event(id, at, exclusion.created_by, "added", _added_detail(exclusion))
        stored = self.get(id)
        assert stored is not None
        return stored

    def cancel(self, id: int, actor: str, at: datetime) -> Exclusion | None:
        """Cancel the exclusion at `at`; it is returned as it was. None when it is unknown
        or cancelled already: of two concurrent cancels, exactly one succeeds."""
        found = self.get(id)
        if found is None:
            return None
        result = self._session.exec(  # the row's lock decides between concurrent cancels
            update(ExclusionRecord)
            .where(col(ExclusionRecord.id) == id, _not_cancelled())
            .values(cancelled_by=actor, cancelled_at=at)
        )
        if result.rowcount != 1:
            return None
        self._event(id, at, actor, "cancelled", "")
        return found

    def get(self, id: int) -> Exclusion | None:
        """The exclusion; None when it is unknown or cancelled."""
        found = self._exclusions(
            select(ExclusionRecord).where(col(ExclusionRecord.id) == id, _not_cancelled())
        )
        return found[0] if found else None

    def active(self, at: datetime) -> list[Exclusion]:
        """The exclusions not ended at `at` (under way or to come), by start."""
        return self._exclusions(select(ExclusionRecord).where(_not_cancelled(), _ends_after(at)))

    def between(self, start: datetime, end: datetime) -> list[Exclusion]:
        """The exclusions overlapping [start, end), by start; none when end <= start."""
        if end <= start:
            return []
        return self._exclusions(
            select(ExclusionRecord).where(
                _not_cancelled(), col(ExclusionRecord.start) < end, _ends_after(start)
            )
        )

    def history(self, id: int) -> list[AuditLine]:
        """The exclusion's audit trail, oldest first (cancelled ones too); [] if unknown."""
        rows = self._session.exec(
            select(ExclusionEvent)
            .where(col(ExclusionEvent.exclusion_id) == id)
            .order_by(col(ExclusionEvent.at), col(ExclusionEvent.id))
            .execution_options(populate_existing=True)
        )
        return [(row.at, row.actor, row.action, row.detail) for row in rows]

    def _exclusions(self, statement: SelectOfScalar[ExclusionRecord]) -> list[Exclusion]:
        """Run `statement`; its rows as domain exclusions, by start (then id)."""
        ordered = statement.order_by(col(ExclusionRecord.start), col(ExclusionRecord.id))
        rows = self._session.exec(ordered.execution_options(populate_existing=True))
        return [_exclusion(row) for row in rows]

    def _event(self, id: int, at: datetime, actor: str, action: str, detail: str) -> None:
        """Append one line to the exclusion's audit trail."""
        self._session.exec(
            insert(ExclusionEvent).values(
                exclusion_id=id, at=at, actor=actor, action=action, detail=detail
            )
        )


def _exclusion(row: ExclusionRecord) -> Exclusion:
    assert row.id is not None
    return Exclusion(
        name=row.name,
        start=row.start,
        duration=row.duration_s,
        reason=row.reason,
        recurrence=row.recurrence,
        timezone=row.timezone,
        slos=frozenset(row.slos),
        services=frozenset(row.services),
        teams=frozenset(row.teams),
        source="slack",
        created_by=row.created_by,
        id=row.id,
    )


def _added_detail(e: Exclusion) -> str:
    """What was added, in one line: "name: start for Ns (recurrence); reason"."""
    repeats = "" if e.recurrence is None else f" ({e.recurrence}, {e.timezone})"
    return f"{e.name}: {e.start.astimezone(UTC).isoformat()} for {e.duration}s{repeats}; {e.reason}"


def _not_cancelled() -> ColumnElement[bool]:
    return col(ExclusionRecord.cancelled_at).is_(None)


def _ends_after(at: datetime) -> ColumnElement[bool]:
    """Not ended at `at`: a one-off ends at ends_at, a recurring one has no end stored."""
    ends = col(ExclusionRecord.ends_at)
    return or_(ends.is_(None), ends > at)
