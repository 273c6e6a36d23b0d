"""`budgetbot serve`: the Slack app, the scheduled jobs and the web server, built from the
parts of bot/bootstrap.py (which it migrates first) and run until stopped."""

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
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine, text

from bot.bootstrap import Bootstrap
from bot.domain.slo import Catalog
from bot.metrics.errors import PrometheusError
from bot.metrics.prometheus import PrometheusSource
from bot.scheduler import Scheduler, lease_for
from bot.services.digests import PLATFORM
from bot.services.reminders import Reminders
from bot.settings import Settings, SettingsError
from bot.slack.app import Plumbing, SlackDeps, build_app
from bot.slack.background import Background
from bot.slack.forms.exclusions import ExclusionForms
from bot.slack.forms.opener import FormOpener, forms_client
from bot.slack.forms.postmortems import PostmortemForms
from bot.slack.messages.home import HomeView
from bot.slack.messages.postmortems import PostmortemMessages
from bot.slack.routing.alert_buttons import AlertButtons
from bot.slack.routing.exclusions import ExclusionCommands
from bot.slack.routing.incident import IncidentCommand
from bot.slack.routing.postmortems import PostmortemCommands
from bot.slack.routing.slo import SloCommand
from bot.web import GateApi, create_web_app
from storage.db import mask_url
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot")

DELIVERY_S = 5.0  # seconds between two looks for due policy deliveries


def serve(settings: Settings, config_path: str, *, socket_mode: bool, host: str) -> int:
    """Load, migrate, build and serve until stopped; returns the exit code."""
    _require(settings, socket_mode)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    boot = Bootstrap(settings, config_path, serving=True)
    catalog = boot.catalog
    prometheus = boot.prometheus  # no Prometheus URL: refused before the database is touched
    boot.check_policy_secrets()  # a webhook's secret_env unset: refused at start, by name
    boot.migrate()  # the one command besides `migrate` that creates or upgrades the schema
    app = _slack_app(boot, socket_mode)
    scheduler = _scheduler(boot)
    socket = (
        _SocketConnection(SocketModeHandler(app, settings.slack_app_token)) if socket_mode else None
    )
    health = _Health(boot.engine, catalog, prometheus, socket, scheduler)
    gate_api = GateApi(boot.gate.ask, frozenset(catalog.services), settings.api_token)
    web = create_web_app(
        None if socket_mode else app, health, boot.metrics, gate_api, settings.slack_signing_secret
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


def _slack_app(boot: Bootstrap, socket_mode: bool) -> App:
    """The bolt app over the use cases: commands, App Home, buttons, forms."""
    renderer, notifier, now, metrics = boot.renderer, boot.notifier, boot.now, boot.metrics
    buttons = AlertButtons(boot.alert_responses, notifier, boot.alert_messages, now)
    home = HomeView(boot.board, renderer, boot.postmortems.mine, buttons.firing_lines)
    postmortems = PostmortemCommands(
        boot.postmortems,
        PostmortemForms(renderer),
        PostmortemMessages(renderer),
        renderer,
        boot.postmortem_filing,
        home.for_user,
    )

    def announce(channel: str, text: str) -> None:
        notifier.post(channel, text, renderer.render("text.json.j2", text=text))

    command = IncidentCommand(
        boot.incidents, boot.incident_messages, boot.incident_cards, renderer, now
    )
    plumbing = Plumbing(
        background=Background(metrics),
        forms=FormOpener(forms_client(boot.settings), metrics),
        metrics=metrics,
        claim_event=functools.partial(_claim, boot.uow),
        now=now,
    )
    deps = SlackDeps(
        plumbing=plumbing,
        slo_command=SloCommand(boot.board, renderer, buttons.firing_lines, boot.gate, announce),
        home=home,
        alert_buttons=buttons,
        incident_command=command,
        incident_forms=boot.incident_forms,
        incidents=boot.incidents,
        incident_cards=boot.incident_cards,
        postmortems=postmortems,
        exclusions=ExclusionCommands(
            boot.exclusions, ExclusionForms(renderer, boot.catalog), boot.exclusion_messages, now
        ),
    )
    return build_app(boot.settings, deps, boot.slack_client, socket_mode=socket_mode)


def _scheduler(boot: Bootstrap) -> Scheduler:
    """The jobs of the replica holding the lease: alerts, incident cards, reminders, digests."""
    catalog, now, interval = boot.catalog, boot.now, boot.settings.evaluation_interval
    scheduler = Scheduler(lease_for(boot.engine))
    cycle = boot.alerting
    if catalog.policies:  # a job of its own: a slow receiver never delays the alerts
        deliveries = boot.deliveries
        scheduler.add_interval("policy deliveries", lambda: deliveries.run(now()), DELIVERY_S)
    scheduler.add_interval("alerting cycle", lambda: cycle.run(now()), interval)
    scheduler.add_interval("incident refresh", boot.incident_cards.refresh, interval)
    escalations = boot.escalations
    scheduler.add_interval("escalations", lambda: escalations.run(now()), interval)
    for name, team in catalog.teams.items():
        morning = CronTrigger(hour=9, minute=0, timezone=ZoneInfo(team.timezone))
        scheduler.add_cron(f"reminders {name}", _morning_job(boot.reminders, now, name), morning)
    digests, counted = boot.digests, boot.metrics.digests

    def run_due(only: str | None) -> None:
        for outcome in digests.run_due(now(), only):
            counted.labels(outcome.state).inc()
        counted.labels("checked").inc()

    _schedule_digests(scheduler, catalog, run_due)
    return scheduler


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


def _claim(uow: UnitOfWork, event_id: str) -> bool:
    """True the first time Slack's event_id is seen (a retry or a second replica: False)."""
    with uow.begin() as store:
        return store.events.claim(event_id)


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
        self._recorded = prometheus.recorded
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
        if self._recorded is not None:
            details["recorded_hours"] = self._recorded.summary()
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
