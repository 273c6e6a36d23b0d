"""The HTTP side of the Slack stand-in: the server, its request handler, body parsing."""

import contextlib
import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs

from tests.support.slack_records import Headers

# Form fields that carry JSON when a client sends form-encoded bodies.
JSON_FIELDS = frozenset({"attachments", "blocks", "files", "metadata", "view"})


@dataclass
class Answer:
    status: int
    payload: Any  # a dict (sent as JSON) or a str (sent as text)
    headers: dict[str, str] = field(default_factory=dict)


class Handles(Protocol):
    """What the server needs of the stand-in."""

    def _handle(self, verb: str, target: str, headers: Headers, raw: bytes) -> Answer: ...

    def _record_error(self, message: str) -> None: ...


def parse_form(raw: bytes) -> dict[str, Any]:
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    body: dict[str, Any] = {key: values[-1] for key, values in fields.items()}
    for key in JSON_FIELDS & body.keys():
        with contextlib.suppress(ValueError):  # else left as sent; block_kit_problems says so
            body[key] = json.loads(body[key])
    return body


def parse_body(content_type: str, raw: bytes) -> tuple[dict[str, Any], bool]:
    """The body's fields and whether it parsed (a JSON body must be a JSON object)."""
    if not raw:
        return {}, True
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return {}, False
        return (body, True) if isinstance(body, dict) else ({}, False)
    if content_type.startswith("multipart/"):
        return {}, True  # no method here takes multipart bodies; the raw bytes are recorded
    return parse_form(raw), True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    stand_in: Handles


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, verb: str) -> None:
        stand_in = self.server.stand_in
        try:
            raw = self._body()
            headers = Headers(self.headers.items())
            answer = stand_in._handle(verb, self.path, headers, raw)
        except Exception as exc:  # a bug here must show up in the test, not kill the thread
            stand_in._record_error(f"{verb} {self.path}: {exc!r}")
            answer = Answer(500, f"stand-in error: {exc!r}")
        if isinstance(answer.payload, str):
            data, content_type = answer.payload.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = (
                json.dumps(answer.payload).encode(),
                "application/json; charset=utf-8",
            )
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client went away; the call is recorded already

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
            while self.rfile.readline().strip():  # trailers, up to the empty line
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the calls are recorded instead."""
