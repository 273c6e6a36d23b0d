"""Incident use cases that end in the chat: each change re-publishes the incident's cards,
posted once per channel (claimed first) and updated in place afterwards."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.incidents import Incident, IncidentDraft, IncidentSeverity, owning_teams
from bot.domain.slo import Catalog
from bot.services.incidents import Incidents
from bot.services.ports import IncidentPresenter, Notifier, PostFailed
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.incidents")

RETRY_REFUSED = timedelta(minutes=15)  # a refused card is tried again this often, for a day


class IncidentCards:
    def __init__(
        self,
        incidents: Incidents,
        uow: UnitOfWork,
        notifier: Notifier,
        views: IncidentPresenter,
        catalog: Catalog,
        now: Callable[[], datetime],
    ) -> None:
        self._incidents = incidents
        self._uow = uow
        self._notifier = notifier
        self._views = views
        self._catalog = catalog
        self._now = now

    def channels(self, incident: Incident) -> list[str]:
        """The owning teams' channels (in the order of its services), then the channel it
        was declared in."""
        teams = owning_teams(self._catalog, incident)
        found = list(dict.fromkeys(self._catalog.teams[t].channel for t in teams))
        if incident.draft.declared_in and incident.draft.declared_in not in found:
            found.append(incident.draft.declared_in)
        return found

    def publish(self, incident: Incident) -> None:
        """Post the card where it is missing (claimed first), update it where it is; a card
        Slack refused is tried again every RETRY_REFUSED, and the declarer told once."""
        card = self._views.card(incident)
        with self._uow.read() as store:
            posted = dict(store.cards.cards(incident.id))
        for channel in self.channels(incident):
            try:
                if channel in posted:
                    self._notifier.update(channel, posted[channel], card.text, card.blocks)
                    continue
                now = self._now()
                with self._uow.begin() as store:
                    cards = store.cards
                    claimed = cards.claim_card(incident.id, channel, now) or cards.retry_card(
                        incident.id, channel, now - RETRY_REFUSED, now
                    )
                if claimed:
                    ts = self._notifier.post(channel, card.text, card.blocks)
                    with self._uow.begin() as store:
                        store.cards.set_card(incident.id, channel, ts)
            except PostFailed as exc:
                self._failed(incident, channel, channel in posted, exc)

    def _failed(self, incident: Incident, channel: str, updating: bool, exc: PostFailed) -> None:
        what = f"incident card for {incident.key} in {channel}"
        if updating or not exc.surely_not_sent:
            log.error("%s failed: %s", what, exc.reason)
            return
        with self._uow.begin() as store:
            cards = store.cards
            if exc.retryable:  # give the claim back: the next publish (a refresh) posts it
                cards.release_card(incident.id, channel)
                first = False
            else:
                first = cards.refuse_card(incident.id, channel, exc.reason, self._now())
        log.warning("%s not posted, tried again later: %s", what, exc.reason)
        if first:
            self._tell_refused(incident, channel, exc)

    def _tell_refused(self, incident: Incident, channel: str, exc: PostFailed) -> None:
        """Tell the declarer, by direct message, what happened and what to do."""
        with self._uow.read() as store:
            elsewhere = [c for c, _ in store.cards.cards(incident.id)]
        told = self._views.card_refused(incident.key, channel, exc, elsewhere)
        try:
            self._notifier.post(incident.draft.declared_by, told.text, told.blocks)
        except PostFailed as failed:
            log.error("could not tell %s about the refused card: %s", incident.key, failed.reason)

    def declare(self, draft: IncidentDraft, submission_key: str | None) -> None:
        """Save and classify a declared incident, then post its cards (once per form)."""
        incident = self._incidents.declare(draft, submission_key)
        if incident is not None:
            self.publish(incident)

    def resolve(
        self, incident_id: int, user: str, ended_at: datetime | None = None
    ) -> Incident | None:
        """Resolve it (now, or at `ended_at`); None when it was resolved before."""
        return self._changed(self._incidents.resolve(incident_id, user, ended_at), "resolved")

    def reclassify(
        self, incident_id: int, severity: IncidentSeverity, reason: str, user: str
    ) -> Incident | None:
        incident = self._incidents.reclassify(incident_id, severity, reason, user)
        return self._changed(incident, "reclassified")

    def mark(self, incident_id: int, what: str, user: str) -> tuple[Incident | None, bool]:
        """Acknowledged or mitigated: the first time, the card and its thread say so."""
        incident, done = self._incidents.mark(incident_id, what, user)
        if done:
            self._changed(incident, what)
        return incident, done

    def correct(self, incident_id: int, field: str, value: datetime, user: str) -> Incident | str:
        """A corrected start or end (or the problem with it)."""
        corrected = self._incidents.correct(incident_id, field, value, user)
        if not isinstance(corrected, str):
            self._changed(corrected, "corrected")
        return corrected

    def _changed(self, incident: Incident | None, kind: str) -> Incident | None:
        """Update the cards, and give the change its line in each card's thread."""
        if incident is None:
            return None
        self.publish(incident)
        change = next((c for c in reversed(incident.changes) if c.kind == kind), None)
        if change is None:
            return incident
        line = self._views.timeline(incident, change)
        with self._uow.read() as store:
            threads = store.cards.cards(incident.id)
        for channel, ts in threads:
            try:
                self._notifier.post(channel, line.text, line.blocks, ts)
            except PostFailed as exc:
                log.error(
                    "the %s line of %s in %s failed: %s", kind, incident.key, channel, exc.reason
                )
        return incident

    def refresh(self) -> None:
        """Recompute pending and ongoing incidents and update their cards (scheduled); post
        the cards of the last day's incidents that a failed post left missing."""
        refreshed = self._incidents.refresh()
        for incident in refreshed:
            self.publish(incident)
        done = {i.id for i in refreshed}
        due = self._now() - RETRY_REFUSED
        with self._uow.read() as store:
            cards = store.cards
            recent = store.incidents.find(since=self._now() - timedelta(days=1), limit=200)
            missing = [
                i for i in recent
                if i.id not in done
                and (set(self.channels(i)) - cards.claimed_channels(i.id)
                     or cards.refused_cards(i.id, due))
            ]  # fmt: skip
        for incident in missing:
            self.publish(incident)
