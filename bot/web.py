"""The ASGI app: POST /slack/events, GET /healthz, GET /metrics (run by uvicorn)."""

import gc
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.metrics.errors import PrometheusError
from bot.observability import BotMetrics
from bot.services.gate import GateAnswer

log = logging.getLogger(__name__)
Health = Callable[[], tuple[bool, dict[str, Any]]]  # (healthy, details)


@dataclass(frozen=True)
class GateApi:
    """GET /api/v1/gate: `ask(service, asked_by)`, the known services and the bearer token."""

    ask: Callable[[str, str], GateAnswer]
    services: frozenset[str]
    token: str | None


def create_web_app(
    bolt: App | None,
    health: Health,
    metrics: BotMetrics,
    gate: GateApi | None = None,
    signing_secret: str | None = None,
) -> Starlette:
    """Routes for HTTP mode (with bolt) or Socket Mode (bolt=None: no /slack/events).

    With `signing_secret`, /slack/events checks the signature and timestamp on the raw
    body before anything parses it.
    """
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if verifier is not None and not verifier.is_valid_request(body, dict(request.headers)):
            log.info("refused a request to /slack/events: bad or stale signature")
            return Response("invalid request signature", 401)
        try:
            # bolt's dispatch blocks until the listener acks: keep it off the event loop.
            response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))  # type: ignore[union-attr]
        except Exception as exc:  # a signed payload that is not what Slack sends
            log.warning("refused a malformed Slack payload: %s", type(exc).__name__)
            return Response("malformed request", 400)
        return to_starlette_response(response)

    async def healthz(request: Request) -> Response:
        healthy, details = await run_in_threadpool(health)
        return JSONResponse(details, status_code=200 if healthy else 503)

    async def prometheus_metrics(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def gate_api(request: Request) -> Response:
        assert gate is not None
        given = request.headers.get("authorization", "").encode()
        if not gate.token or not hmac.compare_digest(given, f"Bearer {gate.token}".encode()):
            why = (
                "a bearer token is required"
                if gate.token
                else "set BUDGETBOT_API_TOKEN to use the API"
            )
            return JSONResponse({"error": why}, 401, headers={"WWW-Authenticate": "Bearer"})
        service = request.query_params.get("service", "")
        if not service:
            return JSONResponse({"error": "give ?service=<name>"}, 400)
        if service not in gate.services:
            return JSONResponse({"error": f"no service named {service!r} in the catalog"}, 404)
        try:
            answer = await run_in_threadpool(gate.ask, service, "api")
        except PrometheusError as exc:  # never "open" and never "frozen" when blind
            return JSONResponse({"error": str(exc)}, 503)
        except Exception as exc:  # e.g. the database is down: no verdict without its record
            log.error("the gate of %s could not be decided: %s", service, type(exc).__name__)
            why = f"cannot decide now ({type(exc).__name__}); try again"
            return JSONResponse({"error": why}, 503)
        return JSONResponse(answer.as_json())

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", prometheus_metrics, methods=["GET"]),
    ]
    if bolt is not None:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    if gate is not None:
        routes.append(Route("/api/v1/gate", gate_api, methods=["GET"]))
    web = Starlette(routes=routes, lifespan=_settled_heap)
    web.router.redirect_slashes = False  # its redirect would follow the request's Host header
    return web


@asynccontextmanager
async def _settled_heap(app: Starlette) -> AsyncIterator[None]:
    """When serving starts, set aside what start-up built (imports, catalog, templates).

    A full collection scans every object the process holds; in budgetbot that is a few
    hundred thousand, about 0.2 s with the interpreter lock held, and the first burst of
    requests used to trigger one between its acks. Frozen objects are never scanned again,
    so later collections cost what the requests themselves allocated.
    """
    gc.collect()  # garbage is not frozen: it would never be freed
    gc.freeze()
    yield
