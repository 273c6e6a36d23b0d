"""/incident: `declare` opens the form; the other subcommands answer at the response_url."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms import Built
from bot.slack.ids import INCIDENT_COMMAND

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def answer(text: str, user: str, respond: Respond) -> None:
        for reply in deps.incident_command.answer(text, user):
            respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")

    @app.command(INCIDENT_COMMAND)
    def incident(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.metrics.commands.labels(INCIDENT_COMMAND).inc()
        text = command.get("text", "").strip()
        tell = teller(command, client)
        if text in ("", "declare") or text.startswith("declare "):
            channel = command.get("channel_id", "")

            def form() -> Built:
                return deps.incident_views.declare_form(channel, deps.now())

            deps.forms.open(INCIDENT_COMMAND, command["trigger_id"], form, tell)
        else:
            deps.background.run(
                INCIDENT_COMMAND, answer, text, command["user_id"], respond, tell=tell
            )
