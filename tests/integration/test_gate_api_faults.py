"""GET /api/v1/gate over a real HTTP server: 503 whenever no verdict can be had (the
database down, Prometheus down), never a 500 and never a verdict without its record."""

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from sqlalchemy.exc import OperationalError

from bot.metrics.errors import PrometheusUnreachable
from bot.observability import BotMetrics
from bot.services.gate import GateAnswer
from bot.web import GateApi, create_web_app
from tests.support.cli import closed_port
from tests.support.waiting import wait_until

TOKEN = "gate-token"


@contextmanager
def serve_gate(ask: Callable[[str, str], GateAnswer]) -> Iterator[str]:
    gate = GateApi(ask, frozenset({"checkout"}), TOKEN)
    app = create_web_app(None, lambda: (True, {}), BotMetrics(), gate)
    port = closed_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 10, "the gate API server did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def get(url: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        f"{url}/api/v1/gate?service=checkout", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def database_down(service: str, asked_by: str) -> GateAnswer:
    raise OperationalError("INSERT INTO gate_decision ...", {}, Exception("server closed"))


def prometheus_down(service: str, asked_by: str) -> GateAnswer:
    raise PrometheusUnreachable("http://127.0.0.1:9", "connection refused")


@pytest.mark.parametrize(
    ("ask", "words"),
    [(database_down, "cannot decide now (OperationalError)"), (prometheus_down, "unreachable")],
)
def test_no_verdict_is_a_503(ask: Callable[[str, str], GateAnswer], words: str) -> None:
    with serve_gate(ask) as url:
        status, body = get(url)
        assert status == 503 and words in body["error"]
        assert "INSERT" not in body["error"]  # no SQL in the answer


def test_a_trailing_slash_is_not_redirected_to_the_host_header() -> None:
    """Starlette's slash redirect builds its target from Host: an open redirect. Off."""
    with serve_gate(database_down) as url:
        request = urllib.request.Request(f"{url}/healthz/", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        with caught.value:
            assert caught.value.code == 404
            assert "evil.example" not in (caught.value.headers.get("location") or "")
