"""/slo: acked at once; the answer is sent to the response_url once the acks have gone out."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.ids import SLO_COMMAND
from bot.slack.routing.replies import reply_all

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def answer(text: str, user: str, respond: Respond) -> None:
        reply_all(respond, deps.slo_command.answer(text, user))

    @app.command(SLO_COMMAND)
    def slo(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.plumbing.metrics.commands.labels(SLO_COMMAND).inc()
        deps.plumbing.background.run(
            SLO_COMMAND,
            deps.plumbing.ack_first.later(answer),  # after the acks of a burst, not between them
            command.get("text", ""),
            command.get("user_id", ""),
            respond,
            tell=teller(command, client),
        )
