"""The alerting cycle's state: alert episodes, claimed posts, watches and data warnings.

Like storage.repositories, AlertRepository never commits: the caller owns the unit of work
(`with Session(engine) as s, s.begin():`). Every outward effect is claimed by a unique row
before it is sent (docs/alerting.md): opening an episode is an INSERT that a partial unique
index decides (one open episode per SLO); the claims of the posts about it and of the
data-missing warnings are in storage/alert_claims.py, which AlertRepository extends.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import String, case, func, insert, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from bot.domain.alerts import OpenAlert, Watch
from bot.domain.incident_timings import AlertSeen
from bot.domain.slo import Severity
from storage.alert_claims import AlertClaims
from storage.alert_rows import is_open, open_alert
from storage.claims import insert_once
from storage.models.alerts import AlertEpisode, SloWatch
from storage.models.conventions import UTCDateTime


class AlertRepository(AlertClaims):
    """Alert episodes and the claims that make every alert post happen at most once."""

    # -- the cycle's state ---------------------------------------------------------------

    def watches(self, slos: Iterable[str]) -> dict[str, Watch]:
        """Each SLO's Watch (open episode and data state); `Watch()` when nothing is stored."""
        names = sorted(set(slos))
        if not names:
            return {}
        episodes = self._session.exec(
            select(AlertEpisode).where(col(AlertEpisode.slo).in_(names), is_open())
        )
        alerts = {row.slo: open_alert(row) for row in episodes}
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
            .where(col(AlertEpisode.id) == alert.episode, col(AlertEpisode.slo) == slo, is_open())
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

    # -- the Slack message and people's actions on it --------------------------------------

    def set_message(self, episode: int, channel: str, ts: str, at: datetime) -> None:
        """Remember the episode's Slack message (channel id and message ts) and the cycle that
        posted it first (`at`, kept when the post is repeated)."""
        posted = func.coalesce(col(AlertEpisode.posted_at), literal(at, UTCDateTime()))
        result = self._session.exec(
            update(AlertEpisode)
            .where(col(AlertEpisode.id) == episode)
            .values(channel=channel, ts=ts, posted_at=posted)
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
        return row.slo, open_alert(row), row.resolved_at

    def firing(self) -> list[tuple[str, OpenAlert, str | None, str | None]]:
        """(slo, alert, channel, ts) of every open episode, oldest first."""
        statement = (
            select(AlertEpisode)
            .where(is_open())
            .order_by(col(AlertEpisode.started_at), col(AlertEpisode.id))
        )
        return [
            (row.slo, open_alert(row), row.channel, row.ts) for row in self._session.exec(statement)
        ]

    def posted_between(
        self, slos: Iterable[str], start: datetime, until: datetime
    ) -> list[AlertSeen]:
        """The SLOs' burn alerts posted (with a ts) by `until` that were still firing at `start`
        or posted after it, oldest first. A post's time is the cycle's that sent it (the
        bot's clock); alerts posted before that was kept count from their opening cycle."""
        names = sorted(set(slos))
        if not names:
            return []
        resolved = col(AlertEpisode.resolved_at)
        posted = func.coalesce(col(AlertEpisode.posted_at), col(AlertEpisode.started_at))
        statement = (
            select(AlertEpisode.slo, posted, resolved)
            .where(
                col(AlertEpisode.slo).in_(names),
                col(AlertEpisode.ts).is_not(None),
                posted <= until,
                resolved.is_(None) | (resolved > start),
            )
            .order_by(posted)
        )
        return [AlertSeen(slo, at, end) for slo, at, end in self._session.exec(statement)]
