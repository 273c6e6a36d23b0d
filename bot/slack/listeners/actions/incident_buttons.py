"""Acknowledge, Mitigated, Resolve and Reclassify on an incident card; Declare incident on a
burn alert."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.background import teller
from bot.slack.forms.opener import Built
from bot.slack.ids import DECLARE_FROM_ALERT, MARK_INCIDENT, RECLASSIFY_INCIDENT, RESOLVE_INCIDENT

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    @app.action(DECLARE_FROM_ALERT)
    def declare(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        service, _, started = str(action.get("value", "")).partition("|")
        start = datetime.fromtimestamp(int(started), UTC) if started.isdigit() else None
        channel = body.get("channel", {}).get("id", "")

        def form() -> Built:
            return deps.incident_forms.declare_form(channel, deps.plumbing.now(), [service], start)

        deps.plumbing.forms.open(DECLARE_FROM_ALERT, body["trigger_id"], form, teller(body, client))

    @app.action(RECLASSIFY_INCIDENT)
    def reclassify(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        value = str(action.get("value", ""))
        if not value.isdigit():
            return

        def form() -> Built:
            incident = deps.incidents.get(int(value))
            return None if incident is None else deps.incident_forms.reclassify_form(incident)

        deps.plumbing.forms.open(
            RECLASSIFY_INCIDENT, body["trigger_id"], form, teller(body, client)
        )

    @app.action(RESOLVE_INCIDENT)
    def resolve(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str(action.get("value", ""))
        if value.isdigit():
            user = body.get("user", {}).get("id", "")
            deps.plumbing.background.run(
                RESOLVE_INCIDENT,
                deps.incident_cards.resolve,
                int(value),
                user,
                tell=teller(body, client),
            )

    def marking(what: str) -> Callable[..., None]:
        def mark(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
            ack()
            value = str(action.get("value", ""))
            if value.isdigit():
                user = body.get("user", {}).get("id", "")
                deps.plumbing.background.run(
                    str(action.get("action_id", what)),
                    deps.incident_cards.mark,
                    int(value),
                    what,
                    user,
                    tell=teller(body, client),
                )

        return mark

    for action_id, what in MARK_INCIDENT.items():
        app.action(action_id)(marking(what))
