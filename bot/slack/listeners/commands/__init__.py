from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.commands import incident, postmortem, slo

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    slo.register(app, deps)
    incident.register(app, deps)
    postmortem.register(app, deps)
