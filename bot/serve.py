"""`budgetbot serve`: assembles the parts from Settings and runs the web server."""

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.catalog import load_catalog
from bot.domain.slo import Catalog
from bot.domain.status import SLOStatus
from bot.metrics.errors import PrometheusError
from bot.metrics.prometheus import PrometheusSource
from bot.observability import BotMetrics, TimedSource
from bot.scheduler import Scheduler, lease_for
from bot.services.alerting import AlertingCycle
from bot.services.board import StatusBoard
from bot.services.digest_data import DigestData
from bot.services.digests import PLATFORM, Digests
from bot.services.gate import GateService
from bot.services.incidents import Incidents
from bot.services.postmortems import Postmortems
from bot.services.reminders import Reminders
from bot.services.snapshots import keep_snapshots
from bot.settings import Settings, SettingsError
from bot.slack.alert_controls import AlertControls
from bot.slack.alert_messages import AlertMessages
from bot.slack.app import SlackDeps, build_app, web_client
from bot.slack.background import Background
from bot.slack.digest_messages import DigestMessages
from bot.slack.forms import FormOpener, forms_client
from bot.slack.home import HomeView
from bot.slack.incident_cards import IncidentCards
from bot.slack.incident_command import IncidentCommand
from bot.slack.incident_views import IncidentViews
from bot.slack.notifier import SlackNotifier
from bot.slack.postmortem_desk import PostmortemDesk
from bot.slack.postmortem_views import PostmortemViews
from bot.slack.refused_posts import RefusedPosts
from bot.slack.reminder_messages import ReminderMessages
from bot.slack.rendering import Renderer
from bot.slack.slo_command import SloCommand
from bot.web import GateApi, create_web_app
from storage.db import make_engine, mask_url
from storage.migrate import upgrade
from storage.repositories import HandledEventRepository

log = logging.getLogger("budgetbot")


def serve(settings: Settings, config_path: str, *, socket_mode: bool, host: str) -> int:
    """Load, migrate, build and serve until stopped; returns the exit code."""
    _require(settings, socket_mode)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    catalog = load_catalog(config_path)
    url = settings.prometheus_url or catalog.prometheus_url
    if not url:
        raise SettingsError(
            "no Prometheus URL: set PROMETHEUS_URL or prometheus.url in the catalog"
        )
    engine = make_engine(settings.database_url)
    upgrade(engine)  # serialised across replicas by the migration lock
    metrics = BotMetrics()
    # The catalog's flavor names the catalog's store; PROMETHEUS_URL's is detected.
    flavor = None if settings.prometheus_url else catalog.prometheus_flavor
    prometheus = PrometheusSource(url, timeout=10.0, flavor=flavor)
    source = TimedSource(prometheus, metrics)

    def now() -> datetime:
        return settings.now or datetime.now(UTC).replace(microsecond=0)

    def record(at: datetime, statuses: list[SLOStatus]) -> None:
        keep_snapshots(engine, at, statuses)

    board = StatusBoard(catalog, source, now, record=record)
    renderer = Renderer()
    client = web_client(settings)
    notifier = SlackNotifier(web_client(settings, for_posts=True), updates=client)
    messages = AlertMessages(renderer)
    controls = AlertControls(engine, notifier, messages, now)
    incidents = Incidents(catalog, source, engine, now)
    incident_views = IncidentViews(renderer, catalog)
    cards = IncidentCards(incidents, engine, notifier, incident_views, catalog, now)
    postmortems = Postmortems(catalog, engine, now)
    home = HomeView(board, renderer, postmortems.mine, controls.firing_lines)
    desk = PostmortemDesk(
        postmortems, PostmortemViews(renderer), renderer, notifier, engine, home.for_user
    )
    gate = GateService(board.current, engine, now)

    def announce(channel: str, text: str) -> None:
        notifier.post(channel, text, renderer.render("text.json.j2", text=text))

    deps = SlackDeps(
        slo_command=SloCommand(board, renderer, controls.firing_lines, gate, announce),
        home=home,
        claim_event=lambda event_id: _claim(engine, event_id),
        metrics=metrics,
        background=Background(metrics),
        forms=FormOpener(forms_client(settings), metrics),
        alert_controls=controls,
        now=now,
        incidents=incidents,
        incident_views=incident_views,
        incident_command=IncidentCommand(incidents, incident_views, cards, renderer, now),
        incident_cards=cards,
        postmortem_desk=desk,
    )
    app = build_app(settings, deps, client, socket_mode=socket_mode)
    alerts = RefusedPosts(notifier)  # wait for an invite; a refused layout goes as text
    cycle = AlertingCycle(catalog, source, engine, alerts, messages, on_evaluated=record)
    scheduler = Scheduler(lease_for(engine))
    scheduler.add_interval("alerting cycle", lambda: cycle.run(now()), settings.evaluation_interval)
    scheduler.add_interval("incident refresh", cards.refresh, settings.evaluation_interval)
    reminders = Reminders(catalog, engine, notifier, ReminderMessages(renderer))
    for name, team in catalog.teams.items():
        morning = CronTrigger(hour=9, minute=0, timezone=ZoneInfo(team.timezone))
        scheduler.add_cron(f"reminders {name}", _morning_job(reminders, now, name), morning)
    data = DigestData(catalog, prometheus, engine)  # untimed: a chart is ~60 small reads
    digests = Digests(catalog, data, engine, notifier, DigestMessages(renderer))

    def run_due(only: str | None) -> None:
        for outcome in digests.run_due(now(), only):
            metrics.digests.labels(outcome.state).inc()
        metrics.digests.labels("checked").inc()

    _schedule_digests(scheduler, catalog, run_due)
    socket = (
        _SocketConnection(SocketModeHandler(app, settings.slack_app_token)) if socket_mode else None
    )
    health = _Health(engine, catalog, prometheus, socket, scheduler)
    gate_api = GateApi(gate.ask, frozenset(catalog.services), settings.api_token)
    web = create_web_app(
        None if socket_mode else app, health, metrics, gate_api, settings.slack_signing_secret
    )
    if socket is not None:
        socket.start()
    scheduler.start()
    log.info(
        "serving %d SLOs on %s:%d (%s), database %s",
        len(catalog.slos),
        host,
        settings.port,
        "Socket Mode" if socket_mode else "HTTP",
        mask_url(settings.database_url),
    )
    try:
        uvicorn.run(web, host=host, port=settings.port, log_level="warning", access_log=False)
    finally:
        scheduler.shutdown(wait=True)  # bounded: posts in flight finish and record their ts
    return 0


def _morning_job(
    reminders: Reminders, now: Callable[[], datetime], team: str
) -> Callable[[], object]:
    """The daily reminder run of one team (at its local 09:00)."""
    return lambda: reminders.run(now(), team)


def _schedule_digests(
    scheduler: Scheduler, catalog: Catalog, run_due: Callable[[str | None], object]
) -> None:
    """Each digest at its cron in its time zone, plus a catch-up run at start and every
    15 minutes: it posts a digest whose scheduled time passed without a post this week
    (the bot was down, Prometheus or Slack failed) and does nothing otherwise."""
    schedules = list(catalog.teams.items())
    if catalog.platform is not None:
        schedules.append((PLATFORM, catalog.platform))
    for name, team in schedules:
        if team.digest is None:
            continue
        trigger = CronTrigger.from_crontab(team.digest, timezone=ZoneInfo(team.timezone))
        scheduler.add_cron(f"digest {name}", functools.partial(run_due, name), trigger)
    catch_up = IntervalTrigger(minutes=15, start_date=datetime.now(UTC) + timedelta(seconds=5))
    scheduler.add_cron("digest catch-up", functools.partial(run_due, None), catch_up)


def _require(settings: Settings, socket_mode: bool) -> None:
    needed = ["SLACK_BOT_TOKEN"] + (
        ["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]
    )
    values = {
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_APP_TOKEN": settings.slack_app_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
    }
    missing = [name for name in needed if not values[name]]
    if missing:
        raise SettingsError(f"serve needs {', '.join(missing)} in the environment")


def _claim(engine: Engine, event_id: str) -> bool:
    with Session(engine) as session, session.begin():
        return HandledEventRepository(session).claim(event_id)


class _SocketConnection:
    """Connects to Slack in Socket Mode in the background, retrying while Slack says no."""

    def __init__(self, handler: SocketModeHandler) -> None:
        self._handler = handler
        self.state = "connecting"

    def start(self) -> None:
        threading.Thread(target=self._connect, name="socket-mode", daemon=True).start()

    def _connect(self) -> None:
        delay = 1.0
        while True:
            try:
                self._handler.connect()  # type: ignore[no-untyped-call]
                self.state = "connected"
                return
            except Exception as exc:  # keep serving health and metrics; try again later
                self.state = f"not connected: {type(exc).__name__}"
                log.warning("Socket Mode connection failed (%s); retrying in %.0f s", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 60.0)


class _Health:
    """Healthy when the database answers and the catalog is loaded; reports Prometheus."""

    def __init__(
        self,
        engine: Engine,
        catalog: Catalog,
        prometheus: PrometheusSource,
        socket: _SocketConnection | None,
        scheduler: Scheduler,
    ) -> None:
        self._socket = socket
        self._scheduler = scheduler
        self._engine = engine
        self._catalog = catalog
        # Health answers within 2 s: its own probe gives up long before a query would.
        self._prometheus = PrometheusSource(
            prometheus.url,
            timeout=1.0,
            connect_timeout=0.5,
            retries=0,
            reuse_hours=False,
            detect=False,  # `vector(1)` needs no store of its own
        )
        self._last: tuple[float, str] = (0.0, "unknown")

    def __call__(self) -> tuple[bool, dict[str, Any]]:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:  # any failure means unhealthy; say which
            database = f"error: {type(exc).__name__}"
        details: dict[str, Any] = {
            "status": "ok" if database == "ok" else "unhealthy",
            "database": database,
            "catalog": {"slos": len(self._catalog.slos), "teams": len(self._catalog.teams)},
            "prometheus": self._prometheus_state(),
        }
        details["scheduler"] = "leader" if self._scheduler.leading else "standby"
        if self._socket is not None:
            details["socket_mode"] = self._socket.state
        return database == "ok", details

    def _prometheus_state(self) -> str:
        """ "ok" or why not; asked at most every 15 s so health checks stay cheap."""
        checked, state = self._last
        if time.monotonic() - checked < 15:
            return state
        try:
            self._prometheus.query("vector(1)", datetime.now(UTC))
            state = "ok"
        except PrometheusError as exc:
            state = str(exc)
        self._last = (time.monotonic(), state)
        return state
