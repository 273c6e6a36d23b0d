"""Start postmortem (incident card), Add another action (form), Done/Snooze/Reassign (items)."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.opener import Built
from bot.slack.ids import ACTION_DONE, ACTION_REASSIGN, ACTION_SNOOZE, ADD_ACTION, START_POSTMORTEM
from bot.slack.routing.postmortems import metadata_of

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    router = deps.postmortems

    @app.action(START_POSTMORTEM)
    def start(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(action.get("value", ""))
        if not value.isdigit():
            return

        def form() -> Built:
            incident = router.postmortems.incident(int(value))
            return None if incident is None else router.forms.form(incident)

        deps.plumbing.forms.open(START_POSTMORTEM, body["trigger_id"], form, teller(body, client))

    @app.action(ADD_ACTION)
    def add(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        view = body.get("view", {})
        metadata = metadata_of(view)

        def form() -> Built:
            incident = router.postmortems.incident(int(metadata.get("incident", 0)))
            if incident is None:
                return None
            # The same block ids: Slack keeps what was typed already.
            count = int(metadata.get("count", 1)) + 1
            return router.forms.form(incident, count, bool(metadata.get("only_actions")))

        deps.plumbing.forms.update(ADD_ACTION, view["id"], view.get("hash"), form)

    def item_pressed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.plumbing.background.run(
            action.get("action_id", "item"),
            router.pressed,
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
            item = router.postmortems.action(int(value))
            return None if item is None else router.forms.reassign_form(item)

        deps.plumbing.forms.open(ACTION_REASSIGN, body["trigger_id"], form, teller(body, client))
