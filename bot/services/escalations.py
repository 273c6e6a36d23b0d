"""Response deadlines: an incident nobody acknowledged in time gets one escalation post in
its owning team's channel, mentioning the team's escalation (DESIGN 9.4).

The post is claimed in the database before it is sent, so replicas, restarts and a cron
`budgetbot escalate` beside `serve` post it once. Run by serve's scheduled jobs (one replica
holds the lease) and by `budgetbot escalate`.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.incident_timings import escalation_due, response_deadline
from bot.domain.incidents import Incident, owning_team
from bot.domain.slo import Catalog
from bot.services.ports import IncidentPresenter, Notifier, PostFailed
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.escalations")

OPEN_LIMIT = 1000  # open incidents looked at per check


class Escalations:
    def __init__(
        self,
        catalog: Catalog,
        uow: UnitOfWork,
        notifier: Notifier,
        views: IncidentPresenter,
        now: Callable[[], datetime],
    ) -> None:
        self._catalog = catalog
        self._uow = uow
        self._notifier = notifier
        self._views = views
        self._now = now

    def due(self, at: datetime) -> list[Incident]:
        """Open incidents past their response deadline at `at`, not acknowledged and not
        escalated yet."""
        with self._uow.read() as store:
            found = store.incidents.find(open_only=True, limit=OPEN_LIMIT)
            late = [i for i in found if (d := escalation_due(self._catalog, i)) and d <= at]
            done = store.timings.escalated([i.id for i in late])
        return sorted((i for i in late if i.id not in done), key=lambda i: i.id)

    def run(self, at: datetime | None = None) -> list[str]:
        """Escalate what is due (at `at`, else now); the keys of the incidents escalated."""
        at = at or self._now()
        posted = []
        for incident in self.due(at):
            team = owning_team(self._catalog, incident)
            if team is None:
                log.warning("%s is past its deadline but no team owns it", incident.key)
                continue
            if self._escalate(incident, self._catalog.teams[team].channel, team, at):
                posted.append(incident.key)
        return posted

    def _escalate(self, incident: Incident, channel: str, team: str, at: datetime) -> bool:
        with self._uow.begin() as store:
            now = store.incidents.get(incident.id)  # acknowledged meanwhile: nothing to say
            if now is None or now.acknowledged_at is not None or now.resolved_at is not None:
                return False
            if not store.timings.claim_escalation(incident.id, channel, at):
                return False  # another replica, or an earlier run, has it
        deadline = response_deadline(self._catalog, incident) or 0
        message = self._views.escalation(incident, self._catalog.teams[team].escalation, deadline)
        try:
            ts = self._notifier.post(channel, message.text, message.blocks)
        except PostFailed as exc:
            if exc.surely_not_sent:  # give the claim back: the next check posts it
                with self._uow.begin() as store:
                    store.timings.release_escalation(incident.id)
            log.error("the escalation of %s in %s failed: %s", incident.key, channel, exc.reason)
            return False
        with self._uow.begin() as store:
            store.timings.set_escalation(incident.id, ts, at)
        log.info("escalated %s in %s", incident.key, channel)
        return True
