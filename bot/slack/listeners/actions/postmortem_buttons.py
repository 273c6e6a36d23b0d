"""Start postmortem (incident card), Add another action (form), Done/Snooze/Reassign (items)."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms import Built
from bot.slack.ids import ACTION_DONE, ACTION_REASSIGN, ACTION_SNOOZE, ADD_ACTION, START_POSTMORTEM
from bot.slack.postmortem_desk import metadata_of

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    desk = deps.postmortem_desk

    @app.action(START_POSTMORTEM)
    def start(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(action.get("value", ""))
        if not value.isdigit():
            return

        def form() -> Built:
            incident = desk.postmortems.incident(int(value))
            return None if incident is None else desk.views.form(incident)

        deps.forms.open(START_POSTMORTEM, body["trigger_id"], form, teller(body, client))

    @app.action(ADD_ACTION)
    def add(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        view = body.get("view", {})
        metadata = metadata_of(view)

        def form() -> Built:
            incident = desk.postmortems.incident(int(metadata.get("incident", 0)))
            if incident is None:
                return None
            # The same block ids: Slack keeps what was typed already.
            count = int(metadata.get("count", 1)) + 1
            return desk.views.form(incident, count, bool(metadata.get("only_actions")))

        deps.forms.update(ADD_ACTION, view["id"], view.get("hash"), form)

    def item_pressed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.background.run(
            action.get("action_id", "item"),
            desk.pressed,
            body,
            action,
            client,
            tell=teller(body, client),
        )

    app.action(ACTION_DONE)(item_pressed)
    app.action(ACTION_SNOOZE)(item_pressed)

    @app.action(ACTION_REASSIGN)
    def reassign(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(action.get("value", ""))
        if not value.isdigit():
            return

        def form() -> Built:
            item = desk.postmortems.action(int(value))
            return None if item is None else desk.views.reassign_form(item)

        deps.forms.open(ACTION_REASSIGN, body["trigger_id"], form, teller(body, client))
