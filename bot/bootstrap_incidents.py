"""The incident half of the bootstrap: incidents, their cards and escalations, postmortems.
Built on first use, once."""

from functools import cached_property
from typing import TYPE_CHECKING

from bot.bootstrap_needs import Needs

if TYPE_CHECKING:
    from bot.services.escalations import Escalations
    from bot.services.incident_cards import IncidentCards
    from bot.services.incidents import Incidents
    from bot.services.postmortem_filing import PostmortemFiling
    from bot.services.postmortems import Postmortems


class IncidentParts(Needs):
    @cached_property
    def incidents(self) -> "Incidents":
        from bot.services.incidents import Incidents

        return Incidents(self.catalog, self.source, self.uow, self.now)

    @cached_property
    def incident_cards(self) -> "IncidentCards":
        from bot.services.incident_cards import IncidentCards

        return IncidentCards(
            self.incidents, self.uow, self.notifier, self.incident_messages, self.catalog, self.now
        )

    @cached_property
    def escalations(self) -> "Escalations":
        from bot.services.escalations import Escalations

        views = self.incident_messages
        return Escalations(self.catalog, self.uow, self.notifier, views, self.now)

    @cached_property
    def postmortems(self) -> "Postmortems":
        from bot.services.postmortems import Postmortems

        return Postmortems(self.catalog, self.uow, self.now)

    @cached_property
    def postmortem_filing(self) -> "PostmortemFiling":
        from bot.services.postmortem_filing import PostmortemFiling
        from bot.slack.messages.postmortems import PostmortemMessages

        messages = PostmortemMessages(self.renderer)
        return PostmortemFiling(self.postmortems, self.uow, self.notifier, messages)
