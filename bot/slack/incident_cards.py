"""Posting each incident's card once per channel, and updating it in place afterwards."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.incidents import Incident, IncidentDraft, IncidentSeverity
from bot.domain.slo import Catalog
from bot.services.incidents import Incidents
from bot.services.ports import Notifier, PostFailed
from bot.slack.incident_views import IncidentViews
from storage.incidents import IncidentRepository

log = logging.getLogger("budgetbot.incidents")


class IncidentCards:
    """Incident use cases that end in Slack: each change re-publishes the cards."""

    def __init__(
        self,
        incidents: Incidents,
        engine: Engine,
        notifier: Notifier,
        views: IncidentViews,
        catalog: Catalog,
        now: Callable[[], datetime],
    ) -> None:
        self._incidents = incidents
        self._engine = engine
        self._notifier = notifier
        self._views = views
        self._catalog = catalog
        self._now = now

    def channels(self, incident: Incident) -> list[str]:
        """The owning teams' channels, then the channel it was declared in."""
        teams = {
            self._catalog.services[s].team
            for s in incident.draft.services
            if s in self._catalog.services
        }
        found = [self._catalog.teams[t].channel for t in sorted(teams) if t in self._catalog.teams]
        if incident.draft.declared_in and incident.draft.declared_in not in found:
            found.append(incident.draft.declared_in)
        return found

    def publish(self, incident: Incident) -> None:
        """Post the card where it is missing (claimed first), update it where it is."""
        text, blocks = self._views.card(incident)
        with Session(self._engine) as session:
            posted = dict(IncidentRepository(session).cards(incident.id))
        for channel in self.channels(incident):
            try:
                if channel in posted:
                    self._notifier.update(channel, posted[channel], text, blocks)
                    continue
                with Session(self._engine) as session, session.begin():
                    claimed = IncidentRepository(session).claim_card(
                        incident.id, channel, self._now()
                    )
                if claimed:
                    ts = self._notifier.post(channel, text, blocks)
                    with Session(self._engine) as session, session.begin():
                        IncidentRepository(session).set_card(incident.id, channel, ts)
            except PostFailed as exc:
                why = exc.reason
                if channel not in posted and exc.retryable:
                    # Give the claim back: the next publish (a refresh, a button) posts it.
                    with Session(self._engine) as session, session.begin():
                        IncidentRepository(session).release_card(incident.id, channel)
                    log.warning("incident card for %s in %s not posted, retried later: %s",
                                incident.key, channel, why)  # fmt: skip
                else:
                    log.error("incident card for %s in %s failed: %s", incident.key, channel, why)

    def declare(self, draft: IncidentDraft, submission_key: str | None) -> None:
        """Save and classify a declared incident, then post its cards (once per form)."""
        incident = self._incidents.declare(draft, submission_key)
        if incident is not None:
            self.publish(incident)

    def resolve(self, incident_id: int, user: str) -> None:
        incident = self._incidents.resolve(incident_id, user)
        if incident is not None:
            self.publish(incident)

    def reclassify(
        self, incident_id: int, severity: IncidentSeverity, reason: str, user: str
    ) -> None:
        incident = self._incidents.reclassify(incident_id, severity, reason, user)
        if incident is not None:
            self.publish(incident)

    def refresh(self) -> None:
        """Recompute pending and ongoing incidents and update their cards (scheduled); post
        the cards of the last day's incidents that a failed post left missing."""
        refreshed = self._incidents.refresh()
        for incident in refreshed:
            self.publish(incident)
        done = {i.id for i in refreshed}
        with Session(self._engine) as session:
            repo = IncidentRepository(session)
            recent = repo.find(since=self._now() - timedelta(days=1), limit=200)
            missing = [
                i for i in recent
                if i.id not in done and set(self.channels(i)) - repo.claimed_channels(i.id)
            ]  # fmt: skip
        for incident in missing:
            self.publish(incident)
