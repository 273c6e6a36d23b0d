"""Cancel on `/slo exclusions`: the same people who may add an exclusion may cancel it."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.ids import CANCEL_EXCLUSION

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def cancel(exclusion_id: int, user: str, respond: Respond) -> None:
        told = deps.exclusions.cancel(exclusion_id, user)
        respond(text=told.text, blocks=told.blocks, replace_original=False)

    @app.action(CANCEL_EXCLUSION)
    def pressed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        value = str(action.get("value", ""))
        if not value.isdigit() or len(value) > 18:
            return
        user = body["user"]["id"]
        deps.plumbing.background.run(
            CANCEL_EXCLUSION, cancel, int(value), user, respond, tell=teller(body, client)
        )
