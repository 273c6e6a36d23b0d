"""Start postmortem (incident card), Add another action (form), Done/Snooze/Reassign (items)."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

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
        incident = desk.postmortems.incident(int(value)) if value.isdigit() else None
        if incident is not None:  # right here: the trigger_id expires in 3 s
            client.views_open(trigger_id=body["trigger_id"], view=desk.views.form(incident))

    @app.action(ADD_ACTION)
    def add(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body.get("view", {})
        metadata = metadata_of(view)
        incident = desk.postmortems.incident(int(metadata.get("incident", 0)))
        if incident is not None:  # same block ids: Slack keeps what was typed already
            form = desk.views.form(
                incident, int(metadata.get("count", 1)) + 1, bool(metadata.get("only_actions"))
            )
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)

    def item_pressed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.background.run(action.get("action_id", "item"), desk.pressed, body, action, client)

    app.action(ACTION_DONE)(item_pressed)
    app.action(ACTION_SNOOZE)(item_pressed)

    @app.action(ACTION_REASSIGN)
    def reassign(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(action.get("value", ""))
        item = desk.postmortems.action(int(value)) if value.isdigit() else None
        if item is not None:
            client.views_open(trigger_id=body["trigger_id"], view=desk.views.reassign_form(item))
