"""Which team owns an incident or an action item: the team of the incident's first service."""

from sqlmodel import Session

from bot.domain.actions import ActionItem, ActionStatus
from bot.domain.incidents import Incident
from bot.domain.slo import Catalog
from storage.incidents import IncidentRepository
from storage.postmortems import PostmortemRepository


def incident_teams(catalog: Catalog, incident: Incident | None) -> list[str]:
    """Every team owning one of the incident's services, in the order of its services."""
    services = incident.draft.services if incident else ()
    teams = [catalog.services[s].team for s in services if s in catalog.services]
    return [t for t in dict.fromkeys(teams) if t in catalog.teams]


def incident_team(catalog: Catalog, incident: Incident | None) -> str | None:
    """The team owning the incident's actions: its first service's; None when none of its
    services is in the catalog any more."""
    teams = incident_teams(catalog, incident)
    return teams[0] if teams else None


def open_actions(catalog: Catalog, session: Session) -> tuple[list[ActionItem], dict[int, str]]:
    """Open action items, and the owning team of each that has one (by action id)."""
    actions = PostmortemRepository(session).actions(status=ActionStatus.OPEN)
    incidents = IncidentRepository(session)
    team_of: dict[int, str] = {}
    for action in actions:
        team = incident_team(catalog, incidents.get(action.incident_id))
        if team is not None:
            team_of[action.id] = team
    return actions, team_of
