"""The claims that make every alert post and data-missing warning happen at most once.

Every outward effect is claimed by a unique row before it is sent (docs/alerting.md): each
post about an episode (claim_post) and each data-missing warning (claim_data_warning); a
repeat of an uncertain opening post is claimed on the episode itself (claim_repeat).
A claim is an INSERT inside a SAVEPOINT, never check-then-insert, so that of two replicas
exactly one wins; the loser's transaction stays usable. Claims are final once committed,
but for an opening post that surely did not leave (release_post), which a later cycle
claims and sends again (unsent). AlertRepository (storage/alerts.py) builds on these.
"""

from datetime import UTC, datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from bot.domain.alerts import OpenAlert
from bot.domain.slo import Severity
from storage.alert_rows import is_open, open_alert
from storage.claims import insert_once
from storage.models.alerts import POST_KINDS, AlertEpisode, AlertPost, DataWarning


class AlertClaims:
    """The claims of the alerting cycle; never commits (the caller owns the unit of work)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim_post(self, episode: int, kind: str, at: datetime | None = None) -> bool:
        """Claim the `kind` post ("open", "escalate", "resolve") of an episode, before posting.

        True the first time only (final once the caller commits). An unknown kind is a
        ValueError; an unknown episode an IntegrityError (foreign key).
        """
        if kind not in POST_KINDS:
            raise ValueError(f"unknown alert post kind {kind!r}; expected one of {POST_KINDS}")
        statement = insert(AlertPost).values(
            episode_id=episode, kind=str(kind), claimed_at=at or datetime.now(UTC)
        )
        return insert_once(self._session, statement) is not None

    def release_post(self, episode: int, kind: str) -> None:
        """Give the claim back: the post surely did not leave (Slack refused, or could not
        be reached at all), so a later cycle may claim and send it again."""
        self._session.exec(
            delete(AlertPost).where(
                col(AlertPost.episode_id) == episode, col(AlertPost.kind) == kind
            )
        )

    def release_data_warning(self, slo: str, since: datetime) -> None:
        """Give a data-missing warning's claim back: it surely did not leave."""
        self._session.exec(
            delete(DataWarning).where(
                col(DataWarning.slo) == slo, col(DataWarning.missing_since) == since
            )
        )

    def restore_severity(self, episode: int, severity: Severity) -> None:
        """Set the open episode's severity back (save() never lowers it): an escalation
        whose reply surely did not leave is undone, so the next cycle escalates again."""
        self._update_open(episode, severity=Severity(severity).value)

    def unsent(self) -> list[tuple[str, OpenAlert]]:
        """(slo, alert) of open episodes whose opening post was given back and never sent."""
        claimed = select(AlertPost.episode_id).where(col(AlertPost.kind) == "open")
        statement = (
            select(AlertEpisode)
            .where(is_open(), col(AlertEpisode.ts).is_(None))
            .where(col(AlertEpisode.id).not_in(claimed))
            .order_by(col(AlertEpisode.id))
        )
        return [(row.slo, open_alert(row)) for row in self._session.exec(statement)]

    def uncertain(self, claimed_before: datetime) -> list[tuple[str, OpenAlert]]:
        """(slo, alert) of open episodes whose opening post was claimed before
        `claimed_before` and never got a ts (it may or may not have arrived), not yet
        posted again."""
        claimed = select(AlertPost.episode_id).where(
            col(AlertPost.kind) == "open", col(AlertPost.claimed_at) < claimed_before
        )
        statement = (
            select(AlertEpisode)
            .where(is_open(), col(AlertEpisode.ts).is_(None))
            .where(col(AlertEpisode.repeated).is_(False), col(AlertEpisode.id).in_(claimed))
            .order_by(col(AlertEpisode.id))
        )
        return [(row.slo, open_alert(row)) for row in self._session.exec(statement)]

    def claim_repeat(self, episode: int) -> bool:
        """Claim the one repeat of an uncertain opening post; True for one caller only."""
        result = self._session.exec(
            update(AlertEpisode)
            .where(col(AlertEpisode.id) == episode, is_open())
            .where(col(AlertEpisode.repeated).is_(False), col(AlertEpisode.ts).is_(None))
            .values(repeated=True)
        )
        return result.rowcount == 1

    def release_repeat(self, episode: int) -> None:
        """The repeat surely did not leave: a later cycle may claim it again."""
        self._update_open(episode, repeated=False)

    def unsent_resolutions(self, since: datetime) -> list[tuple[str, OpenAlert, tuple[str, str]]]:
        """(slo, alert, (channel, ts)) of episodes resolved since `since` whose posted
        message got no resolution reply: its claim was given back (release_post)."""
        replied = select(AlertPost.episode_id).where(col(AlertPost.kind) == "resolve")
        statement = (
            select(AlertEpisode)
            .where(col(AlertEpisode.resolved_at) >= since)
            .where(col(AlertEpisode.ts).is_not(None), col(AlertEpisode.channel).is_not(None))
            .where(col(AlertEpisode.id).not_in(replied))
            .order_by(col(AlertEpisode.id))
        )
        return [
            (row.slo, open_alert(row), (str(row.channel), str(row.ts)))
            for row in self._session.exec(statement)
        ]

    def claim_data_warning(self, slo: str, since: datetime, at: datetime | None = None) -> bool:
        """Claim the one data-missing warning of the SLO's outage that began at `since`."""
        statement = insert(DataWarning).values(
            slo=slo, missing_since=since, claimed_at=at or datetime.now(UTC)
        )
        return insert_once(self._session, statement) is not None

    def _update_open(self, episode: int, **values: object) -> bool:
        """Set `values` on the episode if it is still open; True when a row changed."""
        result = self._session.exec(
            update(AlertEpisode).where(col(AlertEpisode.id) == episode, is_open()).values(**values)
        )
        return result.rowcount == 1
