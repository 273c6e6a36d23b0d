"""The policy webhooks' HTTP adapter (the WebhookSender port): urllib, no redirects followed,
no proxy, a short timeout, and only a short excerpt of what the receiver answered.

Receivers on private addresses are allowed (they are the usual case). A redirect is not
followed (the 3xx is the answer, a failure), so a signed body never goes where the catalog
did not say. Every failure of the network or the receiver is an answer, never an exception.
"""

import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import IO, Any

from bot.services.ports import WebhookAnswer, WebhookSender

TIMEOUT_S = 5.0  # to connect, and for each read of the answer
EXCERPT_CHARS = 200
_READ_BYTES = 1024  # of the answer's body: the rest is never read


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        return None  # urllib then raises HTTPError with the 3xx itself


class UrllibSender(WebhookSender):
    def __init__(self, timeout: float = TIMEOUT_S) -> None:
        self._timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookAnswer:
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return WebhookAnswer(response.status, _excerpt(response))
        except urllib.error.HTTPError as exc:
            with exc:
                return WebhookAnswer(exc.code, _excerpt(exc))
        except urllib.error.URLError as exc:
            return WebhookAnswer(None, _cut(f"no answer: {exc.reason}"))
        except TimeoutError:
            return WebhookAnswer(None, f"no answer within {self._timeout:g} s")
        except (OSError, ValueError) as exc:  # reset mid-answer, a malformed answer
            return WebhookAnswer(None, _cut(f"no answer: {type(exc).__name__}: {exc}"))


def _excerpt(response: Any) -> str:
    try:
        raw = response.read(_READ_BYTES)
    except (OSError, ValueError):
        return ""
    return _cut(raw.decode("utf-8", "replace"))


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
