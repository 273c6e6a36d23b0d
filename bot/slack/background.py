"""Slow work handed off after a listener has acked: failures are logged, counted and told.

The request was acked already, so a failure cannot become an HTTP error any more: the
person who asked is told in a place that works for them instead (the request's
response_url, else a direct message from the bot).
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.observability import BotMetrics

log = logging.getLogger("budgetbot.slack")

Tell = Callable[[str], None]  # says one line to the person who asked

MALFORMED = "budgetbot could not read that request: it is malformed. Nothing was changed."
FAILED = (
    "budgetbot could not finish that. Try again in a minute; if it keeps failing, "
    "ask whoever runs budgetbot to look at its log."
)
INPUT_ERRORS = (ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError)


class Background:
    """A bounded pool of worker threads for the work that follows an ack."""

    def __init__(self, metrics: BotMetrics, workers: int = 4, name: str = "slack-work") -> None:
        self._metrics = metrics
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def run(
        self, what: str, work: Callable[..., object], *args: Any, tell: Tell | None = None
    ) -> None:
        """Run work(*args) soon; `what` names it in logs (never the request body); if it
        fails, `tell` says so to the person who asked."""
        self._pool.submit(self._guarded, what, work, args, tell)

    def _guarded(
        self, what: str, work: Callable[..., object], args: tuple[Any, ...], tell: Tell | None
    ) -> None:
        try:
            work(*args)
        except Exception as exc:  # the request was acked: log, count and tell, never crash
            kind = "slack_api" if isinstance(exc, SlackApiError) else type(exc).__name__
            self._metrics.slack_errors.labels(kind).inc()
            log.error("%s failed: %s: %s", what, type(exc).__name__, exc)
            if tell is not None:
                say(tell, MALFORMED if isinstance(exc, INPUT_ERRORS) else FAILED)


def say(tell: Tell, text: str) -> None:
    """tell(text), logging (never raising) when even that cannot reach the person."""
    try:
        tell(text)
    except Exception as exc:
        log.warning("could not tell the person either: %s: %s", type(exc).__name__, exc)


def teller(body: dict[str, Any], client: WebClient) -> Tell:
    """How to reach whoever sent `body`: an ephemeral reply at its response_url (commands,
    message buttons, forms that ask for one), else a direct message from the bot.

    Worked out only when something is told, so building one costs a request nothing
    before its ack.
    """

    def tell(text: str) -> None:
        url = body.get("response_url")
        urls = body.get("response_urls")
        if not url and isinstance(urls, list) and urls and isinstance(urls[0], dict):
            url = urls[0].get("response_url")
        if isinstance(url, str) and url:
            hook = WebhookClient(url)
            answer = hook.send(text=text, response_type="ephemeral", replace_original=False)
            _sent(answer.status_code)
            return
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        if not isinstance(user, str) or not user:
            raise LookupError("the request names no response_url and no user")
        _sent(client.chat_postMessage(channel=user, text=text).status_code)

    return tell


def _sent(status: int) -> None:
    if status != 200:
        raise RuntimeError(f"Slack answered HTTP {status}")
