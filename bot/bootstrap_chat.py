"""The chat half of the bootstrap: Slack's clients and notifier (or the terminal), the
renderer and the presenters the use cases' ports name. Built on first use, once."""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bot.domain.slo import SLO, Catalog
from bot.settings import Settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.services.ports import Notifier
    from bot.slack.forms.incidents import IncidentForms
    from bot.slack.messages.alerts import AlertMessages
    from bot.slack.messages.exclusions import ExclusionMessages
    from bot.slack.messages.incidents import IncidentMessages
    from bot.slack.rendering import Renderer


class ChatParts:
    """Slack when SLACK_BOT_TOKEN is set, else each post shown through `_show`."""

    settings: Settings
    _show: Callable[[str], None]

    @property
    def catalog(self) -> Catalog:
        raise NotImplementedError  # the bootstrap's

    @cached_property
    def slack_client(self) -> "WebClient":
        """The Web API client for views and updates (idempotent: retried after a reset)."""
        from bot.slack.app import web_client

        return web_client(self.settings)

    @cached_property
    def notifier(self) -> "Notifier":
        """Slack when SLACK_BOT_TOKEN is set (a post is never resent), else `show`n."""
        from bot.slack.app import web_client
        from bot.slack.notifier import PrintNotifier, SlackNotifier

        if self.settings.slack_bot_token:
            posts = web_client(self.settings, for_posts=True)
            return SlackNotifier(posts, updates=self.slack_client)
        return PrintNotifier(self._show)

    @cached_property
    def renderer(self) -> "Renderer":
        from bot.slack.rendering import Renderer

        return Renderer()

    @cached_property
    def alert_messages(self) -> "AlertMessages":
        from bot.slack.messages.alerts import AlertMessages

        return AlertMessages(self.renderer)

    @cached_property
    def incident_messages(self) -> "IncidentMessages":
        from bot.slack.messages.incidents import IncidentMessages

        return IncidentMessages(self.renderer, self.catalog, self.stored_exclusions())

    @cached_property
    def incident_forms(self) -> "IncidentForms":
        from bot.slack.forms.incidents import IncidentForms

        return IncidentForms(self.renderer, self.catalog)

    def stored_exclusions(self) -> "Callable[[Sequence[SLO], datetime], list[SLO]] | None":
        """The SLOs with the exclusions stored from Slack too; none without a database."""
        return None

    @cached_property
    def exclusion_messages(self) -> "ExclusionMessages":
        from bot.slack.messages.exclusions import ExclusionMessages

        return ExclusionMessages(self.renderer)
