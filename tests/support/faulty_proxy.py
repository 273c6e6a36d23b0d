"""A small HTTP proxy in front of the real Prometheus that answers as a broken one would.

Modes: "pass" (forward as is), "error-200" (HTTP 200 with an error body), "not-json",
"abc" (every sample value replaced by "abc"), "nan" / "inf" / "negative" (every sample
value replaced), "no-data" (success without data), "slow" (waits `delay` seconds first),
"drop" (every series dropped), "duplicate" (every series twice).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLACED = {"abc": "abc", "nan": "NaN", "inf": "+Inf", "negative": "-5"}


class FaultyProxy:
    """Forwards GETs to `upstream`, then spoils the answer as `mode` says."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.url = ""  # the proxy's own, once it listens
        self.mode = "pass"
        self.delay = 0.0
        self.requests = 0
        self.paths: list[str] = []  # every path asked, with its query string

    def answer(self, path: str) -> tuple[int, bytes]:
        self.requests += 1
        self.paths.append(path)
        if self.mode == "slow":
            time.sleep(self.delay)
        with urllib.request.urlopen(self.upstream + path, timeout=30) as response:
            status, body = response.status, response.read()
        if self.mode == "error-200":
            return 200, b'{"status":"error","errorType":"internal","error":"store is sad"}'
        if self.mode == "not-json":
            return 200, b"<html>502 Bad Gateway</html>"
        if self.mode == "no-data":
            return 200, b'{"status":"success"}'
        if self.mode in ("drop", "duplicate"):
            doc = json.loads(body)
            result = doc.get("data", {}).get("result", [])
            doc["data"]["result"] = [] if self.mode == "drop" else result + result
            return status, json.dumps(doc).encode()
        if self.mode in REPLACED:
            doc = json.loads(body)
            for series in doc.get("data", {}).get("result", []):
                _spoil(series, REPLACED[self.mode])
            return status, json.dumps(doc).encode()
        return status, body


def _spoil(series: dict[str, Any], value: str) -> None:
    if "value" in series:
        series["value"][1] = value
    for sample in series.get("values", []):
        sample[1] = value


@contextmanager
def faulty_proxy(upstream: str) -> Iterator[tuple[str, FaultyProxy]]:
    """(the proxy's URL, its control object) while the proxy runs on a free loopback port."""
    proxy = FaultyProxy(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = proxy.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy.url, proxy
    finally:
        server.shutdown()
        server.server_close()
