"""Forms open after the ack: the listener answers Slack at once, a worker opens the form.

A trigger_id lives 3 seconds from the click, so the opener never retries and never sleeps
out a 429's Retry-After: the person is told to try again instead. A views.open that is
merely slow may still open the form, so a timeout is logged, not told. Forms have workers
of their own, so a queue of slow answers (200 `/slo` commands at once) never holds a form
back past its trigger's life.
"""

import logging
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.observability import BotMetrics
from bot.settings import Settings
from bot.slack.background import Background, Tell, say
from bot.slack.rendering import escape_mrkdwn

FORM_TIMEOUT = 5  # seconds a worker waits for views.open before it gives up
BUSY = "Slack is busy and the form could not open. Try again in a few seconds."
EXPIRED = "The form took too long to open. Try again."
# What a form builder returns: a view to open, a notice to tell instead, or nothing.
Built = dict[str, Any] | str | None

log = logging.getLogger("budgetbot.slack")


def forms_client(settings: Settings) -> WebClient:
    """views.open without retries: a retry would come after the trigger expired."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        timeout=FORM_TIMEOUT,
        retry_handlers=[],
    )


class FormOpener:
    def __init__(self, client: WebClient, metrics: BotMetrics, workers: int = 4) -> None:
        self._client = client
        self._work = Background(metrics, workers, name="slack-forms")

    def open(
        self, what: str, trigger_id: str, build: Callable[[], Built], tell: Tell | None
    ) -> None:
        """Build the view and open it soon; a notice instead of a view is told."""
        self._work.run(what, self._open, trigger_id, build, tell, tell=tell)

    def update(
        self, what: str, view_id: str, view_hash: str | None, build: Callable[[], Built]
    ) -> None:
        """Replace an open form (no trigger needed); nothing is told if it has closed."""
        self._work.run(what, self._update, view_id, view_hash, build)

    def _open(self, trigger_id: str, build: Callable[[], Built], tell: Tell | None) -> None:
        view = build()
        if isinstance(view, str):
            if tell is not None:
                say(tell, escape_mrkdwn(view))  # a notice may echo what was typed
            return
        if view is None:
            return
        try:
            self._client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if exc.response.status_code != 429 and error not in ("expired_trigger_id",):
                raise
            if tell is not None:
                say(tell, BUSY if exc.response.status_code == 429 else EXPIRED)
        except (TimeoutError, URLError) as exc:
            if isinstance(exc, URLError) and not isinstance(exc.reason, TimeoutError):
                raise
            # Slow is not refused: the form may have opened, so nothing is told.
            log.warning("views.open did not answer within %s s", FORM_TIMEOUT)

    def _update(self, view_id: str, view_hash: str | None, build: Callable[[], Built]) -> None:
        view = build()
        if isinstance(view, dict):
            self._client.views_update(view_id=view_id, hash=view_hash, view=view)
