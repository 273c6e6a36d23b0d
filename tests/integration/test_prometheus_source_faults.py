"""PrometheusSource against a scripted HTTP server: bisection, 5xx, unreachable."""

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.metrics.errors import PrometheusError, PrometheusUnreachable
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.promql import Term, TermError
from tests.support.cli import closed_port

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
TAG = re.compile(r'"budgetbot_term", "(\d+)"')


class FakePrometheus(BaseHTTPRequestHandler):
    """Answers every tagged term with 1.0; 400 for a query containing BROKEN."""

    status = 200
    seen: ClassVar[list[dict[str, list[str]]]] = []

    def do_GET(self) -> None:
        if not urlsplit(self.path).path.startswith("/api/v1/query"):  # the store detection
            self._send(200, {"status": "success", "data": {"version": "2.42.0"}})
            return
        params = parse_qs(urlsplit(self.path).query)
        self.seen.append(params)
        query = params["query"][0]
        if self.status != 200:
            self._send(
                self.status, {"status": "error", "errorType": "unavailable", "error": "overloaded"}
            )
        elif "BROKEN" in query:
            self._send(
                400, {"status": "error", "errorType": "bad_data", "error": "parse error at BROKEN"}
            )
        else:
            result = [
                {"metric": {"budgetbot_term": i}, "value": [0, "1"]} for i in TAG.findall(query)
            ]
            self._send(
                200, {"status": "success", "data": {"resultType": "vector", "result": result}}
            )

    def _send(self, code: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[tuple[str, type[FakePrometheus]]]:
    handler = type("Handler", (FakePrometheus,), {"status": 200, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_a_rejected_batch_is_bisected_to_the_bad_term(
    fake: tuple[str, type[FakePrometheus]],
) -> None:
    url, handler = fake
    terms = [Term(i, f"sum(rate(x{i}[5m]))") for i in range(16)]
    terms[11] = Term(11, "BROKEN(")
    values = PrometheusSource(url, concurrency=2).evaluate(terms, AT)
    assert [k for k, v in values.items() if isinstance(v, TermError)] == [11]
    error = values[11]
    assert isinstance(error, TermError) and "bad_data: parse error at BROKEN" in error.message
    assert all(values[i] == 1.0 for i in range(16) if i != 11)
    assert 2 < len(handler.seen) < 16  # bisection, not one query per term
    assert {p["time"][0] for p in handler.seen} == {f"{AT.timestamp():.3f}"}


def test_identical_expressions_are_sent_once(fake: tuple[str, type[FakePrometheus]]) -> None:
    url, handler = fake
    terms = [Term(("a", i), "sum(rate(same[5m]))") for i in range(5)]
    values = PrometheusSource(url).evaluate(terms, AT)
    assert values == {("a", i): 1.0 for i in range(5)}
    assert len(handler.seen) == 1 and len(TAG.findall(handler.seen[0]["query"][0])) == 1


def test_server_errors_fail_the_evaluation_with_prometheus_words(
    fake: tuple[str, type[FakePrometheus]],
) -> None:
    url, handler = fake
    handler.status = 503
    with pytest.raises(PrometheusError, match=r"failed \(HTTP 503\): unavailable: overloaded"):
        PrometheusSource(url).evaluate([Term(0, "up")], AT)
    assert len(handler.seen) == 3  # the first try and two retries


def test_unreachable_is_typed_and_masks_the_password() -> None:
    url = f"http://svc:hunter2@127.0.0.1:{closed_port()}"
    with pytest.raises(PrometheusUnreachable) as caught:
        PrometheusSource(url).evaluate([Term(0, "up")], AT)
    assert "hunter2" not in str(caught.value) and "svc:***@127.0.0.1" in str(caught.value)
    assert "connection refused" in str(caught.value)
