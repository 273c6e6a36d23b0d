"""/postmortem <incident id> opens the postmortem form; /actions lists and closes items."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.ids import ACTIONS_COMMAND, POSTMORTEM_COMMAND

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    desk = deps.postmortem_desk

    def open_form(
        client: WebClient, trigger_id: str, key: str, only_actions: bool, respond: Respond
    ) -> None:
        number = key.upper().removeprefix("INC-")
        incident = desk.postmortems.incident(int(number)) if number.isdigit() else None
        if incident is None:
            respond(
                text=f"There is no incident `{key}`: see `/incident list`.",
                response_type="ephemeral",
            )
            return
        client.views_open(
            trigger_id=trigger_id, view=desk.views.form(incident, only_actions=only_actions)
        )

    @app.command(POSTMORTEM_COMMAND)
    def postmortem(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.metrics.commands.labels(POSTMORTEM_COMMAND).inc()
        words = command.get("text", "").split()
        if not words:
            respond(
                text="Usage: `/postmortem <incident id>`, e.g. `/postmortem INC-42`.",
                response_type="ephemeral",
            )
            return
        open_form(client, command["trigger_id"], words[0], False, respond)  # trigger: 3 s

    def answer(text: str, user: str, respond: Respond) -> None:
        for reply in desk.answer(text, user):
            respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    @app.command(ACTIONS_COMMAND)
    def actions(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.metrics.commands.labels(ACTIONS_COMMAND).inc()
        words = command.get("text", "").split()
        if len(words) == 2 and words[0].lower() == "add":
            open_form(client, command["trigger_id"], words[1], True, respond)
            return
        deps.background.run(
            ACTIONS_COMMAND, answer, command.get("text", ""), command["user_id"], respond
        )
