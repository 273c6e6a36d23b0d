"""Postmortems and action items: write, list, complete, snooze, reassign (with permission)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.actions import ActionItem, NewAction, Postmortem
from bot.domain.incidents import Incident, IncidentSeverity, owning_team
from bot.domain.reminders import check_actions
from bot.domain.slo import Catalog
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Written:
    incident: Incident
    postmortem: Postmortem


class Postmortems:
    def __init__(self, catalog: Catalog, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
        self.catalog = catalog
        self._uow = uow
        self._now = now

    def today(self) -> date:
        return self._now().date()

    def check(
        self, incident: Incident, texts: dict[str, str], actions: list[NewAction]
    ) -> dict[str, str]:
        """Field problems of a postmortem form (empty: it may be saved)."""
        problems = (
            {}
            if texts.get("summary") or "summary" not in texts
            else {"summary": "Summarise what happened."}
        )
        if "root_cause" in texts and not texts["root_cause"]:
            problems["root_cause"] = "Name the root cause."
        needs_p0 = incident.severity is IncidentSeverity.SEV1 and "summary" in texts
        return {**problems, **check_actions(actions, self.today(), needs_p0)}

    def write(
        self, incident_id: int, texts: dict[str, str], actions: list[NewAction], user: str
    ) -> Written | None:
        """Store the postmortem; None when the incident has one already."""
        with self._uow.begin() as store:
            written = store.postmortems.write(
                incident_id,
                texts["summary"],
                texts["root_cause"],
                texts.get("went_well", ""),
                texts.get("went_badly", ""),
                texts.get("link") or None,
                user,
                self._now(),
                actions,
            )
            postmortem = store.postmortems.postmortem(incident_id) if written else None
            incident = store.incidents.get(incident_id)
        return Written(incident, postmortem) if incident and postmortem else None

    def add(self, incident_id: int, action: NewAction, user: str) -> ActionItem | None:
        with self._uow.begin() as store:
            return store.postmortems.action(
                store.postmortems.add_action(incident_id, action, user, self._now())
            )

    def incident(self, incident_id: int) -> Incident | None:
        with self._uow.read() as store:
            return store.incidents.get(incident_id)

    def mine(self, user: str) -> list[ActionItem]:
        with self._uow.begin() as store:
            return store.postmortems.actions(owner=user)

    def of_team(self, team: str) -> list[ActionItem]:
        with self._uow.begin() as store:
            ids = [i.id for i in store.incidents.find(limit=10_000) if self._team(i) == team]
            return store.postmortems.actions(team_incidents=ids)

    def overdue(self) -> list[ActionItem]:
        with self._uow.begin() as store:
            return [a for a in store.postmortems.actions() if a.deadline < self.today()]

    def complete(self, action_id: int, user: str) -> bool:
        with self._uow.begin() as store:
            return store.postmortems.complete(action_id, user, self._now())

    def snooze(self, action_id: int, user: str, days: int = 7) -> bool:
        with self._uow.begin() as store:
            return store.postmortems.snooze(
                action_id, self.today() + timedelta(days=days), user, self._now()
            )

    def reassign(self, action_id: int, new_owner: str, user: str) -> str:
        """Empty when done, else why not: only the owner, the declarer or an admin may."""
        with self._uow.begin() as store:
            item = store.postmortems.action(action_id)
            incident = store.incidents.get(item.incident_id) if item else None
            if item is None or incident is None:
                return "There is no such action."
            if user not in (item.owner, incident.draft.declared_by, *self.catalog.admins):
                return "Only the owner, the incident's declarer or a catalog admin may reassign it."
            if not store.postmortems.reassign(action_id, new_owner, user, self._now()):
                return "It is not open, or already theirs."
        return ""

    def action(self, action_id: int) -> ActionItem | None:
        with self._uow.begin() as store:
            return store.postmortems.action(action_id)

    def _team(self, incident: Incident) -> str | None:
        return owning_team(self.catalog, incident)
