"""The weekly digest's claims: each team's digest is posted at most once per ISO week.

Every outward effect is claimed by a unique row before it is sent (docs/alerting.md): claim() is an
INSERT into digest_run that the unique (team, week) constraint decides, never
check-then-insert. A second run, a second replica or a catch-up after downtime finds the
claim taken and posts nothing; a concurrent claimer waits for the first transaction to
end, then loses (or wins, if that one rolled back). After posting, posted() records the
message ts. release() gives the claim up when Slack answered with an error, so the post
surely did not happen and a later run may try again.

Like storage.repositories, DigestRepository never commits: the caller owns the unit of work
(`with Session(engine) as s, s.begin():`). Times are aware datetimes, stored as UTC; a
naive one is refused.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from storage.claims import insert_once
from storage.models import DigestRun


@dataclass(frozen=True)
class DigestClaim:
    """One team's digest of one ISO week ("2026-W48"); ts None until it was posted."""

    team: str
    week: str
    claimed_at: datetime
    channel: str
    ts: str | None


class DigestRepository:
    """Digest claims, one per (team, week)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, team: str, week: str, at: datetime, channel: str = "") -> bool:
        """Claim the team's digest of `week` before posting it; True the first time only.

        Final once the caller commits; a lost claim leaves the caller's transaction usable.
        """
        statement = insert(DigestRun).values(team=team, week=week, claimed_at=at, channel=channel)
        return insert_once(self._session, statement) is not None

    def posted(self, team: str, week: str, ts: str) -> None:
        """Record the posted digest's message ts; a LookupError if it was not claimed."""
        result = self._session.exec(
            update(DigestRun)
            .where(col(DigestRun.team) == team, col(DigestRun.week) == week)
            .values(ts=ts)
        )
        if result.rowcount != 1:
            raise LookupError(f"no digest of {team!r} claimed for {week}")

    def release(self, team: str, week: str) -> None:
        """Give up the claim (Slack refused the post), so a later run may post; no-op if none."""
        self._session.exec(
            delete(DigestRun).where(col(DigestRun.team) == team, col(DigestRun.week) == week)
        )

    def get(self, team: str, week: str) -> DigestClaim | None:
        """The claim of the team's digest of `week` (ts None: never confirmed posted)."""
        statement = select(DigestRun).where(
            col(DigestRun.team) == team, col(DigestRun.week) == week
        )
        row = self._session.exec(statement.execution_options(populate_existing=True)).first()
        return None if row is None else _claim(row)

    def runs(self, team: str | None = None, limit: int = 20) -> list[DigestClaim]:
        """The latest `limit` claims, newest first; of one team, or of all (None)."""
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        statement = select(DigestRun)
        if team is not None:
            statement = statement.where(col(DigestRun.team) == team)
        statement = statement.order_by(
            col(DigestRun.claimed_at).desc(), col(DigestRun.id).desc()
        ).limit(limit)
        rows = self._session.exec(statement.execution_options(populate_existing=True))
        return [_claim(row) for row in rows]


def _claim(row: DigestRun) -> DigestClaim:
    return DigestClaim(row.team, row.week, row.claimed_at, row.channel, row.ts)
