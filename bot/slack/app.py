"""build_app(): the bolt App from Settings and its ports; listeners are registered per folder."""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.observability import BotMetrics
from bot.services.incident_cards import IncidentCards
from bot.services.incidents import Incidents
from bot.settings import Settings
from bot.slack.background import INPUT_ERRORS, Background
from bot.slack.forms.incidents import IncidentForms
from bot.slack.forms.opener import FormOpener
from bot.slack.listeners import actions, commands, events, views
from bot.slack.messages.home import HomeView
from bot.slack.routing.alert_buttons import AlertButtons
from bot.slack.routing.exclusions import ExclusionCommands
from bot.slack.routing.incident import IncidentCommand
from bot.slack.routing.postmortems import PostmortemCommands
from bot.slack.routing.slo import SloCommand

log = logging.getLogger("budgetbot.slack")
P = ParamSpec("P")

QUIET_S = 0.025  # no Slack request for this long: the acks of a burst have gone out
HOLD_S = 1.0  # follow-up work never waits longer than this for a quiet moment


class AckFirst(Middleware):
    """Holds the work that follows an ack while Slack requests keep arriving.

    Acks leave from the request; the answers that follow run on worker threads, and both
    need the one interpreter lock. Two hundred answers rendered and posted while two
    hundred commands wait for their acks would delay every ack, so an answer starts once
    no request has arrived for `quiet` seconds, or `hold` seconds after it was queued,
    whichever comes first. A lone command's answer waits `quiet` seconds.

    It is also the bolt middleware that notes each request as it arrives (a Middleware
    object, which bolt calls directly: no per-request argument matching).
    """

    def __init__(
        self,
        quiet: float = QUIET_S,
        hold: float = HOLD_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._quiet, self._hold, self._clock, self._sleep = quiet, hold, clock, sleep
        self._last = -math.inf  # when the latest request arrived

    def arrived(self) -> None:
        """A request reached the app (every request, before its listener runs)."""
        self._last = self._clock()

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        self.arrived()
        return next()

    def later(self, work: Callable[P, None]) -> Callable[P, None]:
        """`work`, which when called first waits for a quiet moment (hold counted from now)."""
        deadline = self._clock() + self._hold

        def held(*args: P.args, **kwargs: P.kwargs) -> None:
            self.wait(deadline)
            work(*args, **kwargs)

        return held

    def wait(self, deadline: float) -> None:
        """Return once no request arrived for `quiet` seconds, or at `deadline`."""
        while (left := min(self._last + self._quiet, deadline) - self._clock()) > 0:
            self._sleep(left)


@dataclass(frozen=True)
class Plumbing:
    """What every listener shares: the worker pools, the metrics, the clock, the event claim."""

    background: Background  # the work after the ack
    forms: FormOpener  # forms, opened after the ack within the trigger's 3 s
    metrics: BotMetrics
    claim_event: Callable[[str], bool]  # True the first time an event_id is seen
    now: Callable[[], datetime]
    # Keep last: the one part with a default (built here, not in the bootstrap).
    ack_first: AckFirst = field(default_factory=AckFirst)


@dataclass(frozen=True)
class SlackDeps:
    """What the listeners need, built once at start: the shared plumbing, then per feature
    the router (words -> use case -> replies) and what its listeners call directly."""

    plumbing: Plumbing
    slo_command: SloCommand
    home: HomeView
    alert_buttons: AlertButtons
    incident_command: IncidentCommand
    incident_forms: IncidentForms
    incidents: Incidents
    incident_cards: IncidentCards
    postmortems: PostmortemCommands
    exclusions: ExclusionCommands


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
    app = bare_app(settings, client, socket_mode=socket_mode)
    app.use(deps.plumbing.ack_first)
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse) -> None:
        kind = "slack_api" if isinstance(error, SlackApiError) else type(error).__name__
        deps.plumbing.metrics.slack_errors.labels(kind).inc()
        # The body may carry tokens and user text: log only what identifies the request.
        what = body.get("command") or body.get("event", {}).get("type") or body.get("type")
        log.error("listener for %s failed: %s: %s", what, type(error).__name__, error)
        if isinstance(error, INPUT_ERRORS):
            response.status, response.body = 400, "malformed request"  # input, not our fault

    return app


def bare_app(settings: Settings, client: WebClient, *, socket_mode: bool = False) -> App:
    """The bolt App as budgetbot configures it, before any listener is registered."""

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # One workspace, one bot token from the environment: nothing to look up, so no
        # auth.test call ever sits between a request and its ack.
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=settings.slack_bot_token
        )

    return App(
        signing_secret=None if socket_mode else settings.slack_signing_secret,
        client=client,
        authorize=authorize,
        ignoring_self_events_enabled=False,  # no message events are subscribed to
        logger=log,
        # Listeners run in the request: they ack and hand every Web API call to the
        # plumbing's background or forms, so the response leaves at once. (Otherwise bolt
        # runs each listener on another thread and polls every 10 ms for its ack.)
        process_before_response=True,
    )
