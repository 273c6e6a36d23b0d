"""Incident cards: one per incident and channel, claimed before it is posted.

A claim whose post surely did not leave is given back (`release_card`); one Slack refused
(not_in_channel, invalid_blocks) is kept with the reason (`refuse_card`) and tried again
later (`retry_card`), so that a card is never lost and people are told once.
"""

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from storage.claims import insert_once
from storage.models import IncidentCard


class CardRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim_card(self, id: int, channel: str, at: datetime) -> bool:
        """Claim the incident's card in `channel`, before posting it; True the first time only.

        Final once the caller commits. An unknown incident is an IntegrityError (foreign key).
        """
        statement = insert(IncidentCard).values(incident_id=id, channel=channel, claimed_at=at)
        return insert_once(self._session, statement) is not None

    def set_card(self, id: int, channel: str, ts: str) -> None:
        """Remember the posted card's message ts; a LookupError if the card was not claimed."""
        result = self._session.exec(
            update(IncidentCard)
            .where(col(IncidentCard.incident_id) == id, col(IncidentCard.channel) == channel)
            .values(ts=ts, refused=None)
        )
        if result.rowcount != 1:
            raise LookupError(f"no card of INC-{id} claimed in {channel}")

    def release_card(self, id: int, channel: str) -> None:
        """Give the card's claim back: its post surely did not leave (a later publish posts)."""
        self._session.exec(
            delete(IncidentCard).where(
                col(IncidentCard.incident_id) == id,
                col(IncidentCard.channel) == channel,
                col(IncidentCard.ts).is_(None),
            )
        )

    def refuse_card(self, id: int, channel: str, reason: str, at: datetime) -> bool:
        """Slack refused the claimed card: keep the claim, with why and when, so that
        `retry_card` can try again later. True the first time (to tell people once)."""
        first = self._session.exec(
            update(IncidentCard)
            .where(
                col(IncidentCard.incident_id) == id,
                col(IncidentCard.channel) == channel,
                col(IncidentCard.ts).is_(None),
                col(IncidentCard.refused).is_(None),
            )
            .values(refused=reason[:255], claimed_at=at)
        )
        if first.rowcount == 1:
            return True
        self._session.exec(
            update(IncidentCard)
            .where(col(IncidentCard.incident_id) == id, col(IncidentCard.channel) == channel)
            .values(refused=reason[:255], claimed_at=at)
        )
        return False

    def retry_card(self, id: int, channel: str, tried_before: datetime, at: datetime) -> bool:
        """Claim another try of a refused card last tried before `tried_before`; True for
        the one caller that may post it now."""
        result = self._session.exec(
            update(IncidentCard)
            .where(
                col(IncidentCard.incident_id) == id,
                col(IncidentCard.channel) == channel,
                col(IncidentCard.ts).is_(None),
                col(IncidentCard.refused).is_not(None),
                col(IncidentCard.claimed_at) < tried_before,
            )
            .values(claimed_at=at)
        )
        return result.rowcount == 1

    def refused_cards(self, id: int, tried_before: datetime) -> dict[str, str]:
        """Channel → Slack's refusal, for the incident's refused cards last tried before
        `tried_before` (due for another try)."""
        rows = self._session.exec(
            select(IncidentCard.channel, IncidentCard.refused).where(
                col(IncidentCard.incident_id) == id,
                col(IncidentCard.ts).is_(None),
                col(IncidentCard.refused).is_not(None),
                col(IncidentCard.claimed_at) < tried_before,
            )
        )
        return {channel: refused for channel, refused in rows if refused is not None}

    def claimed_channels(self, id: int) -> set[str]:
        """Every channel whose card of the incident is claimed, posted or not."""
        rows = self._session.exec(
            select(IncidentCard.channel).where(col(IncidentCard.incident_id) == id)
        )
        return set(rows)

    def cards(self, id: int) -> list[tuple[str, str]]:
        """(channel, ts) of the incident's posted cards, in the order they were claimed."""
        rows = self._session.exec(
            select(IncidentCard.channel, IncidentCard.ts)
            .where(col(IncidentCard.incident_id) == id, col(IncidentCard.ts).is_not(None))
            .order_by(col(IncidentCard.claimed_at), col(IncidentCard.channel))
        )
        return [(channel, ts) for channel, ts in rows if ts is not None]
