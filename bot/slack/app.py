"""build_app(): the bolt App from Settings and its ports; listeners are registered per folder."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.observability import BotMetrics
from bot.services.incidents import Incidents
from bot.settings import Settings
from bot.slack.alert_controls import AlertControls
from bot.slack.background import Background
from bot.slack.home import HomeView
from bot.slack.incident_cards import IncidentCards
from bot.slack.incident_command import IncidentCommand
from bot.slack.incident_views import IncidentViews
from bot.slack.listeners import actions, commands, events, views
from bot.slack.postmortem_desk import PostmortemDesk
from bot.slack.slo_command import SloCommand

log = logging.getLogger("budgetbot.slack")


@dataclass(frozen=True)
class SlackDeps:
    """What the listeners need, built once at start."""

    slo_command: SloCommand
    home: HomeView
    claim_event: Callable[[str], bool]  # True the first time an event_id is seen
    metrics: BotMetrics
    background: Background
    alert_controls: AlertControls
    now: Callable[[], datetime]
    incidents: Incidents
    incident_views: IncidentViews
    incident_command: IncidentCommand
    incident_cards: IncidentCards
    postmortem_desk: PostmortemDesk


def web_client(settings: Settings, *, for_posts: bool = False) -> WebClient:
    """The Web API client for SLACK_API_URL: retries 429 after its Retry-After.

    A 429 was not processed, so retrying it is always safe. A reset connection or a 5xx
    may come after Slack already posted: `for_posts` clients never resend then (a post is
    at most once); the others (views, updates: idempotent) retry those too.
    """
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=3)]
    if not for_posts:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        retry_handlers=handlers,
    )


def build_app(
    settings: Settings, deps: SlackDeps, client: WebClient, *, socket_mode: bool = False
) -> App:
    """The app; over HTTP every request's signature and timestamp are verified by bolt."""

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # One workspace, one bot token from the environment: nothing to look up, so no
        # auth.test call ever sits between a request and its ack.
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=settings.slack_bot_token
        )

    app = App(
        signing_secret=None if socket_mode else settings.slack_signing_secret,
        client=client,
        authorize=authorize,
        ignoring_self_events_enabled=False,  # no message events are subscribed to
        logger=log,
        # Listeners run in the request: they ack and hand the slow work to deps.background,
        # so the response leaves at once. (Otherwise bolt runs each listener on another
        # thread and polls every 10 ms for its ack.)
        process_before_response=True,
    )
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse) -> None:
        kind = "slack_api" if isinstance(error, SlackApiError) else type(error).__name__
        deps.metrics.slack_errors.labels(kind).inc()
        # The body may carry tokens and user text: log only what identifies the request.
        what = body.get("command") or body.get("event", {}).get("type") or body.get("type")
        log.error("listener for %s failed: %s: %s", what, type(error).__name__, error)
        if isinstance(error, ValueError | KeyError | TypeError | IndexError | AttributeError):
            response.status, response.body = 400, "malformed request"  # input, not our fault

    return app
