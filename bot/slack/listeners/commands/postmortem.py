"""/postmortem <incident id> opens the postmortem form; /actions lists and closes items."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.opener import Built
from bot.slack.ids import ACTIONS_COMMAND, POSTMORTEM_COMMAND
from bot.slack.limits import echo
from bot.slack.routing.replies import reply_all

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps

USAGE = "Usage: `/postmortem <incident id>`, e.g. `/postmortem INC-42`."


def register(app: App, deps: "SlackDeps") -> None:
    router = deps.postmortems

    def open_form(command: dict[str, Any], key: str, only_actions: bool, client: WebClient) -> None:
        def form() -> Built:
            if not key:
                return USAGE
            number = key.upper().removeprefix("INC-")
            incident = router.postmortems.incident(int(number)) if number.isdigit() else None
            if incident is None:
                return f"There is no incident `{echo(key)}`: see `/incident list`."
            return router.forms.form(incident, only_actions=only_actions)

        deps.plumbing.forms.open(
            POSTMORTEM_COMMAND, command["trigger_id"], form, teller(command, client)
        )

    @app.command(POSTMORTEM_COMMAND)
    def postmortem(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.plumbing.metrics.commands.labels(POSTMORTEM_COMMAND).inc()
        words = command.get("text", "").split()
        open_form(command, words[0] if words else "", False, client)

    def answer(text: str, user: str, respond: Respond) -> None:
        reply_all(respond, router.answer(text, user))

    @app.command(ACTIONS_COMMAND)
    def actions(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        deps.plumbing.metrics.commands.labels(ACTIONS_COMMAND).inc()
        words = command.get("text", "").split()
        if len(words) == 2 and words[0].lower() == "add":
            open_form(command, words[1], True, client)
            return
        deps.plumbing.background.run(
            ACTIONS_COMMAND,
            answer,
            command.get("text", ""),
            command["user_id"],
            respond,
            tell=teller(command, client),
        )
