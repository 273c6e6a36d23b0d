"""The exclusion form's submission (bad fields and a person not allowed come back as field
errors, nothing is saved) and its SLO search."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.exclusions import field_errors, read_exclusion
from bot.slack.ids import EXCLUDE_VIEW

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    @app.view(EXCLUDE_VIEW)
    def excluded(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        draft = read_exclusion(view, body["user"]["id"])
        problems = deps.exclusions.service.check(draft)
        if problems:
            ack(response_action="errors", errors=field_errors(problems))
            return
        ack()
        deps.plumbing.background.run(
            EXCLUDE_VIEW, deps.exclusions.add, draft, tell=teller(body, client)
        )

    @app.options({"block_id": "slos", "action_id": "value"})
    def slos(ack: Ack, body: dict[str, Any]) -> None:
        """The form's SLO search, when the catalog has over 100 SLOs."""
        ack(options=deps.exclusions.forms.slo_options(str(body.get("value") or "")))
