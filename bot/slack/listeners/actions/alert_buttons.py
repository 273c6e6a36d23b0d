"""Acknowledge and Silence on a burn alert: acked at once, recorded, shown in the message."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App

from bot.slack.ids import ACTION_IDS

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        deps.background.run(
            action["action_id"],
            deps.alert_controls.press,
            action["action_id"],
            int(action["value"]),
            body["user"]["id"],
            body["channel"]["id"],
            body["message"],
        )

    for action_id in ACTION_IDS:
        app.action(action_id)(pressed)
