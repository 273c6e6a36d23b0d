"""The open action items and their owning teams (bot.domain.incidents.owning_team)."""

from bot.domain.actions import ActionItem, ActionStatus
from bot.domain.incidents import owning_team
from bot.domain.slo import Catalog
from storage.unit_of_work import Store


def open_actions(catalog: Catalog, store: Store) -> tuple[list[ActionItem], dict[int, str]]:
    """Open action items, and the owning team of each that has one (by action id)."""
    actions = store.postmortems.actions(status=ActionStatus.OPEN)
    incidents = store.incidents
    team_of: dict[int, str] = {}
    for action in actions:
        team = owning_team(catalog, incidents.get(action.incident_id))
        if team is not None:
            team_of[action.id] = team
    return actions, team_of
