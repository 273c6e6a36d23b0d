"""A real HTTP receiver of policy webhooks on a loopback port, in a thread of this process.

It records every request (path, headers, body) and answers each with the next scripted
reply (status, body, delay in seconds), else 200 "ok". Used as a context manager:

    with WebhookReceiver() as receiver:
        receiver.script((500, "down", 0))
        ... receiver.url("/hook") ...
        receiver.requests
"""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from bot.domain.signature import verify


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event_id(self) -> str:
        return self.headers["X-Budgetbot-Event-Id"]

    def signed_with(self, secret: str) -> bool:
        timestamp = int(self.headers["X-Budgetbot-Timestamp"])
        return verify(secret, timestamp, self.body, self.headers["X-Budgetbot-Signature"])


Reply = tuple[int, str, float]  # status, body, seconds to wait before answering


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: list[Reply] = []
        self.hold: threading.Event | None = None  # when given: every answer waits for it
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    status, text, delay = (
                        receiver._replies.pop(0) if receiver._replies else (200, "ok", 0.0)
                    )
                if delay:
                    time.sleep(delay)
                if receiver.hold is not None:
                    receiver.hold.wait(timeout=60)
                data = text.encode()
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the sender gave up waiting
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
