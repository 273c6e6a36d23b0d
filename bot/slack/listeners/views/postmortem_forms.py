"""The postmortem form and the reassign form: field errors, or saved and announced."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.postmortems import read_form
from bot.slack.ids import POSTMORTEM_VIEW, REASSIGN_VIEW

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    router = deps.postmortems

    @app.view(POSTMORTEM_VIEW)
    def written(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata, texts, actions, parsing = read_form(view)
        if metadata.get("only_actions"):
            texts = {}
        incident = router.postmortems.incident(int(metadata.get("incident", 0)))
        if incident is None:
            ack(response_action="errors", errors={"action-0-description": "The incident is gone."})
            return
        problems = {**router.postmortems.check(incident, texts, actions), **parsing}
        if problems:
            ack(response_action="errors", errors=problems)
            return
        ack()
        deps.plumbing.background.run(
            POSTMORTEM_VIEW,
            router.submit,
            metadata,
            texts,
            actions,
            body["user"]["id"],
            tell=teller(body, client),
        )

    @app.view(REASSIGN_VIEW)
    def reassigned(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        owner = view["state"]["values"].get("owner", {}).get("value", {}).get("selected_user")
        if not owner:
            ack(response_action="errors", errors={"owner": "Choose the new owner."})
            return
        why_not = router.postmortems.reassign(
            int(view["private_metadata"]), owner, body["user"]["id"]
        )
        if why_not:
            ack(response_action="errors", errors={"owner": why_not})
            return
        ack()
