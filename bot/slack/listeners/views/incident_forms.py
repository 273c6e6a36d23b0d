"""Form submissions (bad fields come back as Slack field errors, nothing is saved) and the
declare form's service search."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.incidents import check_draft
from bot.slack.background import teller
from bot.slack.forms.incidents import read_declaration, read_reclassification
from bot.slack.ids import DECLARE_VIEW, RECLASSIFY_VIEW

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    @app.view(DECLARE_VIEW)
    def declared(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        now = deps.plumbing.now()
        draft = read_declaration(view, body["user"]["id"], now, deps.incident_forms.service_of)
        problems = check_draft(draft, now, deps.incidents.catalog.services)
        if problems:
            ack(response_action="errors", errors=problems)
            return
        ack()
        deps.plumbing.background.run(
            DECLARE_VIEW,
            deps.incident_cards.declare,
            draft,
            view["id"],
            tell=teller(body, client),
        )

    @app.options({"block_id": "services", "action_id": "value"})
    def services(ack: Ack, body: dict[str, Any]) -> None:
        """The declare form's service search, when the catalog has over 100 services."""
        ack(options=deps.incident_forms.service_options(str(body.get("value") or "")))

    @app.view(RECLASSIFY_VIEW)
    def reclassified(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        incident_id, severity, reason = read_reclassification(view)
        problems = {}
        if severity is None:
            problems["severity"] = "Choose a severity."
        if not reason:
            problems["reason"] = "Say why: it goes into the incident's history."
        if problems:
            ack(response_action="errors", errors=problems)
            return
        ack()
        assert severity is not None
        user = body["user"]["id"]
        deps.plumbing.background.run(
            RECLASSIFY_VIEW,
            deps.incident_cards.reclassify,
            incident_id,
            severity,
            reason,
            user,
            tell=teller(body, client),
        )
