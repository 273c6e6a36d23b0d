"""/incident: `declare` opens the form; the other subcommands answer at the response_url."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.opener import Built
from bot.slack.ids import INCIDENT_COMMAND
from bot.slack.routing.replies import reply_all

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def answer(text: str, user: str, respond: Respond) -> None:
        reply_all(respond, deps.incident_command.answer(text, user))

    @app.command(INCIDENT_COMMAND)
    def incident(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.plumbing.metrics.commands.labels(INCIDENT_COMMAND).inc()
        text = command.get("text", "").strip()
        tell = teller(command, client)
        if text in ("", "declare") or text.startswith("declare "):
            channel = command.get("channel_id", "")

            def form() -> Built:
                return deps.incident_forms.declare_form(channel, deps.plumbing.now())

            deps.plumbing.forms.open(INCIDENT_COMMAND, command["trigger_id"], form, tell)
        else:
            deps.plumbing.background.run(
                INCIDENT_COMMAND, answer, text, command["user_id"], respond, tell=tell
            )
