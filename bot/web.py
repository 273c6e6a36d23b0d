"""The ASGI app: POST /slack/events, GET /healthz, GET /metrics (run by uvicorn)."""

from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.observability import BotMetrics

Health = Callable[[], tuple[bool, dict[str, Any]]]  # (healthy, details)


def create_web_app(bolt: App | None, health: Health, metrics: BotMetrics) -> Starlette:
    """Routes for HTTP mode (with bolt) or Socket Mode (bolt=None: health and metrics only)."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # bolt's dispatch blocks until the listener acks: keep it off the event loop.
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))  # type: ignore[union-attr]
        return to_starlette_response(response)

    async def healthz(request: Request) -> Response:
        healthy, details = await run_in_threadpool(health)
        return JSONResponse(details, status_code=200 if healthy else 503)

    async def prometheus_metrics(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", prometheus_metrics, methods=["GET"]),
    ]
    if bolt is not None:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes)
