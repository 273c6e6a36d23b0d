from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners.events import app_home_opened

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    app_home_opened.register(app, deps)
