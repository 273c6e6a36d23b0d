"""app_home_opened: publish the scoreboard once per event_id, Slack's retries included."""

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.ids import APP_HOME_OPENED

if TYPE_CHECKING:
    from bot.slack.app import SlackDeps


def register(app: App, deps: "SlackDeps") -> None:
    def publish(event_id: str, user: str, client: WebClient) -> None:
        if not deps.plumbing.claim_event(event_id):
            deps.plumbing.metrics.events.labels(APP_HOME_OPENED, "duplicate").inc()
            return
        deps.plumbing.metrics.events.labels(APP_HOME_OPENED, "handled").inc()
        client.views_publish(user_id=user, view=deps.home.for_user(user))

    @app.event(APP_HOME_OPENED)
    def home_opened(
        ack: Ack, event: dict[str, Any], body: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        if event.get("tab", "home") == "home" and body.get("event_id") and event.get("user"):
            deps.plumbing.background.run(
                APP_HOME_OPENED, publish, body["event_id"], event["user"], client
            )
