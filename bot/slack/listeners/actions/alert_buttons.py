"""Acknowledge and Silence on a burn alert: acked at once, recorded, shown in the message."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.ids import ACKNOWLEDGE, SILENCE_HOURS

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.plumbing.background.run(
            action.get("action_id", "button"),
            deps.alert_buttons.pressed,
            body,
            action,
            tell=teller(body, client),
        )

    for action_id in (ACKNOWLEDGE, *SILENCE_HOURS):
        app.action(action_id)(pressed)
