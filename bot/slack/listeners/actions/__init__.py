from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.actions import (
    alert_buttons,
    exclusion_buttons,
    incident_buttons,
    postmortem_buttons,
)

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    alert_buttons.register(app, deps)
    incident_buttons.register(app, deps)
    postmortem_buttons.register(app, deps)
    exclusion_buttons.register(app, deps)
