from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.views import exclusion_forms, incident_forms, postmortem_forms

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    incident_forms.register(app, deps)
    postmortem_forms.register(app, deps)
    exclusion_forms.register(app, deps)
