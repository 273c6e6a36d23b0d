"""The alerting cycle's state: alert episodes, claimed posts, watches and data warnings.

Like storage.repositories, AlertRepository never commits: the caller owns the unit of work
(`with Session(engine) as s, s.begin():`). Every outward effect is claimed by a unique row
before it is sent (docs/alerting.md): opening an episode (one open episode per
SLO), each post about it (claim_post) and each data-missing warning (claim_data_warning).
A claim is an INSERT inside a SAVEPOINT, never check-then-insert, so that of two replicas
exactly one wins; the loser's transaction stays usable. Claims are final once committed,
but for an opening post that surely did not leave (release_post), which a later cycle
claims and sends again (unsent).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, delete, func, insert, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.domain.alerts import OpenAlert, Watch
from bot.domain.slo import Severity
from storage.claims import insert_once
from storage.models import (
    POST_KINDS,
    AlertEpisode,
    AlertPost,
    DataWarning,
    SloWatch,
    UTCDateTime,
)


class AlertRepository:
    """Alert episodes and the claims that make every alert post happen at most once."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- the cycle's state ---------------------------------------------------------------

    def watches(self, slos: Iterable[str]) -> dict[str, Watch]:
        """Each SLO's Watch (open episode and data state); `Watch()` when nothing is stored."""
        names = sorted(set(slos))
        if not names:
            return {}
        episodes = self._session.exec(
            select(AlertEpisode).where(col(AlertEpisode.slo).in_(names), _is_open())
        )
        alerts = {row.slo: _alert(row) for row in episodes}
        rows = self._session.exec(select(SloWatch).where(col(SloWatch.slo).in_(names)))
        stored = {row.slo: row for row in rows}
        result: dict[str, Watch] = {}
        for slo in names:
            row = stored.get(slo)
            missing_since = row.missing_since if row else None
            result[slo] = Watch(alerts.get(slo), missing_since, bool(row and row.missing_warned))
        return result

    def open_episode(self, slo: str, alert: OpenAlert) -> int | None:
        """Store `alert` as the SLO's open episode; its id, or None if one is open already.

        The partial unique index on open episodes decides: a concurrent opener waits for
        the first transaction to end, then loses. `alert.episode` is ignored.
        """
        statement = (
            insert(AlertEpisode)
            .values(
                slo=slo,
                severity=Severity(alert.severity).value,
                started_at=alert.started_at,
                remaining_at_start=alert.remaining_at_start,
                below_since=alert.below_since,
                acknowledged_by=alert.acknowledged_by,
                silenced_until=alert.silenced_until,
            )
            .returning(col(AlertEpisode.id))
        )
        returned = insert_once(self._session, statement, returning=True)
        return None if returned is None else int(returned[0])

    def save(self, slo: str, watch: Watch) -> None:
        """Store the SLO's watch row and, when `watch.alert` is set, its open episode's state.

        The episode (`watch.alert.episode`, stored by open_episode) gets the cycle's
        severity and below_since. Fresher writes are not undone by a cycle that read the
        state earlier: the severity never drops from page to ticket, and an acknowledgement
        or silence stored meanwhile by acknowledge()/silence() is kept (the watch's values
        only fill empty fields). Nothing happens to an episode that has been resolved.
        """
        values: dict[str, Any] = {
            "slo": slo,
            "missing_since": watch.missing_since,
            "missing_warned": watch.missing_warned,
        }
        dialect = self._session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = dialect_insert(SloWatch).values(**values)
        upsert = upsert.on_conflict_do_update(
            index_elements=[col(SloWatch.slo)],
            set_={
                "missing_since": upsert.excluded.missing_since,
                "missing_warned": upsert.excluded.missing_warned,
            },
        )
        self._session.exec(upsert)
        alert = watch.alert
        if alert is None:
            return
        if alert.episode <= 0:
            raise ValueError(f"the alert of {slo!r} has no stored episode (use open_episode)")
        severity = col(AlertEpisode.severity)
        page = Severity.PAGE.value
        self._session.exec(
            update(AlertEpisode)
            .where(col(AlertEpisode.id) == alert.episode, col(AlertEpisode.slo) == slo, _is_open())
            .values(
                severity=case((severity == page, page), else_=Severity(alert.severity).value),
                below_since=alert.below_since,
                acknowledged_by=func.coalesce(
                    col(AlertEpisode.acknowledged_by), literal(alert.acknowledged_by, String())
                ),
                silenced_until=func.coalesce(
                    col(AlertEpisode.silenced_until), literal(alert.silenced_until, UTCDateTime())
                ),
            )
        )

    def resolve(self, episode: int, at: datetime) -> bool:
        """Mark the episode resolved at `at`; True only for the call that resolved it."""
        return self._update_open(episode, resolved_at=at)

    # -- claims: True the first time only -------------------------------------------------

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
            .where(_is_open(), col(AlertEpisode.ts).is_(None))
            .where(col(AlertEpisode.id).not_in(claimed))
            .order_by(col(AlertEpisode.id))
        )
        return [(row.slo, _alert(row)) for row in self._session.exec(statement)]

    def uncertain(self, claimed_before: datetime) -> list[tuple[str, OpenAlert]]:
        """(slo, alert) of open episodes whose opening post was claimed before
        `claimed_before` and never got a ts (it may or may not have arrived), not yet
        posted again."""
        claimed = select(AlertPost.episode_id).where(
            col(AlertPost.kind) == "open", col(AlertPost.claimed_at) < claimed_before
        )
        statement = (
            select(AlertEpisode)
            .where(_is_open(), col(AlertEpisode.ts).is_(None))
            .where(col(AlertEpisode.repeated).is_(False), col(AlertEpisode.id).in_(claimed))
            .order_by(col(AlertEpisode.id))
        )
        return [(row.slo, _alert(row)) for row in self._session.exec(statement)]

    def claim_repeat(self, episode: int) -> bool:
        """Claim the one repeat of an uncertain opening post; True for one caller only."""
        result = self._session.exec(
            update(AlertEpisode)
            .where(col(AlertEpisode.id) == episode, _is_open())
            .where(col(AlertEpisode.repeated).is_(False), col(AlertEpisode.ts).is_(None))
            .values(repeated=True)
        )
        return result.rowcount == 1

    def release_repeat(self, episode: int) -> None:
        """The repeat surely did not leave: a later cycle may claim it again."""
        self._update_open(episode, repeated=False)

    def unsent_resolutions(
        self, since: datetime
    ) -> list[tuple[str, OpenAlert, tuple[str, str]]]:
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
            (row.slo, _alert(row), (str(row.channel), str(row.ts)))
            for row in self._session.exec(statement)
        ]

    def claim_data_warning(self, slo: str, since: datetime, at: datetime | None = None) -> bool:
        """Claim the one data-missing warning of the SLO's outage that began at `since`."""
        statement = insert(DataWarning).values(
            slo=slo, missing_since=since, claimed_at=at or datetime.now(UTC)
        )
        return insert_once(self._session, statement) is not None

    # -- the Slack message and people's actions on it --------------------------------------

    def set_message(self, episode: int, channel: str, ts: str) -> None:
        """Remember the episode's Slack message (channel id and message ts)."""
        result = self._session.exec(
            update(AlertEpisode)
            .where(col(AlertEpisode.id) == episode)
            .values(channel=channel, ts=ts)
        )
        if result.rowcount != 1:
            raise LookupError(f"no alert episode {episode}")

    def message(self, episode: int) -> tuple[str, str] | None:
        """The episode's Slack message as (channel, ts); None if unknown or not posted."""
        row = self._session.exec(
            select(AlertEpisode.channel, AlertEpisode.ts).where(col(AlertEpisode.id) == episode)
        ).one_or_none()
        if row is None or row[0] is None or row[1] is None:
            return None
        return row[0], row[1]

    def acknowledge(self, episode: int, user: str, at: datetime) -> bool:
        """Record that `user` acknowledged the open episode; False if resolved or unknown."""
        return self._update_open(episode, acknowledged_by=user, acknowledged_at=at)

    def silence(self, episode: int, until: datetime) -> bool:
        """Silence the open episode's posts until `until`; False if resolved or unknown."""
        return self._update_open(episode, silenced_until=until)

    # -- reading episodes -----------------------------------------------------------------

    def episode(self, episode: int) -> tuple[str, OpenAlert, datetime | None] | None:
        """(slo, alert, resolved_at) of an episode, open or resolved; None if unknown."""
        row = self._session.get(AlertEpisode, episode)
        if row is None:
            return None
        return row.slo, _alert(row), row.resolved_at

    def firing(self) -> list[tuple[str, OpenAlert, str | None, str | None]]:
        """(slo, alert, channel, ts) of every open episode, oldest first."""
        statement = (
            select(AlertEpisode)
            .where(_is_open())
            .order_by(col(AlertEpisode.started_at), col(AlertEpisode.id))
        )
        return [
            (row.slo, _alert(row), row.channel, row.ts) for row in self._session.exec(statement)
        ]

    def _update_open(self, episode: int, **values: object) -> bool:
        """Set `values` on the episode if it is still open; True when a row changed."""
        result = self._session.exec(
            update(AlertEpisode).where(col(AlertEpisode.id) == episode, _is_open()).values(**values)
        )
        return result.rowcount == 1


def _is_open() -> ColumnElement[bool]:
    """The episode has not resolved yet."""
    return col(AlertEpisode.resolved_at).is_(None)


def _alert(row: AlertEpisode) -> OpenAlert:
    """The domain copy of an episode row."""
    if row.id is None:
        raise ValueError("alert episode row without an id")
    return OpenAlert(
        severity=Severity(row.severity),
        started_at=row.started_at,
        remaining_at_start=row.remaining_at_start,
        episode=row.id,
        below_since=row.below_since,
        acknowledged_by=row.acknowledged_by,
        silenced_until=row.silenced_until,
    )
