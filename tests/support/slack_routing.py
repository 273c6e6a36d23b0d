"""How the stand-in answers a request: a Web API call, a response_url post or an upload.

Calls to `/api/<method>` need a bot token and go to `METHODS` (slack_methods.py); failures
queued with fail_next or error_next are answered first. Every request is recorded as a Call,
then delayed if slow_next asked for it.
"""

import json
import time
from typing import Any
from urllib.parse import urlsplit

from tests.support.slack_http import Answer, parse_body, parse_form
from tests.support.slack_limits import block_kit_problems
from tests.support.slack_methods import METHODS, WebApiMethods
from tests.support.slack_records import Call, Headers
from tests.support.slack_state import RESPONSE_URL

TOKEN_PREFIX = "xoxb-"
UPLOAD = "upload"  # the method name recorded for files upload v2 byte uploads
RESPONSE_URL_USES = 5  # posts one response_url takes


class StandInRouting(WebApiMethods):
    """The request handling of the stand-in (called from the server's threads)."""

    def _handle(self, verb: str, target: str, headers: Headers, raw: bytes) -> Answer:
        at = time.time()
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/api/") and len(path) > len("/api/"):
            method = path[len("/api/") :]
            body, parsed = parse_body(headers.get("content-type", ""), raw)
            query = parse_form(parts.query.encode())
            body = {**query, **body}
            answer = self._api(method, body, headers) if parsed else _invalid_json()
        elif verb == "POST" and path.startswith("/response/"):
            method = RESPONSE_URL
            body, answer = self._response_url(path, headers, raw)
        elif verb == "POST" and path.startswith("/upload/"):
            method = UPLOAD
            file_id = path[len("/upload/") :]
            body = {"file_id": file_id, "size": len(raw)}
            answer = self._upload(file_id, raw)
        else:
            method, body, answer = path, {}, Answer(404, "not found")
        reply = answer.payload
        self._record(Call(method, body, headers, at, answer.status, reply, target, raw))
        with self._lock:
            pending = self._delays.get(method)
            delay = pending.popleft() if pending else 0.0
        if delay:
            time.sleep(delay)
        return answer

    def _api(self, method: str, body: dict[str, Any], headers: Headers) -> Answer:
        failure = self._take_failure(method)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return Answer(failure.status, {"ok": False, "error": failure.error}, extra)
        handler = METHODS.get(method)
        if handler is None:
            if method == "files.upload":
                return _error("method_deprecated")
            return _error("unknown_method", req_method=method)
        authorization = headers.get("authorization", "")
        token = authorization[len("Bearer ") :] if authorization.startswith("Bearer ") else None
        token = token or body.get("token")
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return _error("invalid_auth")
        return Answer(200, handler(self, body))

    def _response_url(
        self, path: str, headers: Headers, raw: bytes
    ) -> tuple[dict[str, Any], Answer]:
        try:
            body = json.loads(raw)
        except ValueError:
            return {}, Answer(400, "invalid_payload")
        if not isinstance(body, dict):
            return {}, Answer(400, "invalid_payload")
        failure = self._take_failure(RESPONSE_URL)
        if failure is not None:
            extra = {} if failure.retry_after is None else {"Retry-After": str(failure.retry_after)}
            return body, Answer(failure.status, failure.error, extra)
        if not any(body.get(key) for key in ("text", "blocks", "attachments", "delete_original")):
            return body, Answer(400, "no_text")
        problems = block_kit_problems("message", body)
        if problems:
            self._violation(RESPONSE_URL, problems, body)
            return body, Answer(400, "\n".join(["invalid_blocks", *problems]))
        with self._lock:  # counted and taken at once: concurrent posts cannot slip past
            uses = self._response_uses.get(path, 0)
            if uses < RESPONSE_URL_USES:
                self._response_uses[path] = uses + 1
                return body, Answer(200, "ok")
        used = f"used_url: {path} took {uses} posts already (Slack allows {RESPONSE_URL_USES})"
        self._violation(RESPONSE_URL, [used], body, "used_url")
        return body, Answer(404, "used_url")

    def _upload(self, file_id: str, raw: bytes) -> Answer:
        failure = self._take_failure(UPLOAD)
        if failure is not None:
            return Answer(failure.status, failure.error)
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return Answer(404, "file_not_found")
            upload.data = raw
        return Answer(200, f"OK - {len(raw)}")


def _error(error: str, **extra: Any) -> Answer:
    return Answer(200, {"ok": False, "error": error, **extra})


def _invalid_json() -> Answer:
    return _error("invalid_json")
