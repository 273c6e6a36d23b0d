"""/slo: acked at once; the answer is sent to the response_url once the acks have gone out."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.opener import Built
from bot.slack.ids import SLO_COMMAND
from bot.slack.routing.replies import reply_all

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def answer(text: str, user: str, respond: Respond) -> None:
        reply_all(respond, deps.slo_command.answer(text, user))

    def exclusions(user: str, respond: Respond) -> None:
        reply_all(respond, deps.exclusions.listing(user))

    @app.command(SLO_COMMAND)
    def slo(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.plumbing.metrics.commands.labels(SLO_COMMAND).inc()
        words = command.get("text", "").split()
        sub = words[0].lower() if words else ""
        tell = teller(command, client)
        if sub == "exclude":

            def form() -> Built:
                return deps.exclusions.forms.form(deps.plumbing.now())

            deps.plumbing.forms.open(SLO_COMMAND, command["trigger_id"], form, tell)
            return
        if sub == "exclusions":
            user = command.get("user_id", "")
            deps.plumbing.background.run(SLO_COMMAND, exclusions, user, respond, tell=tell)
            return
        deps.plumbing.background.run(
            SLO_COMMAND,
            deps.plumbing.ack_first.later(answer),  # after the acks of a burst, not between them
            command.get("text", ""),
            command.get("user_id", ""),
            respond,
            tell=tell,
        )
