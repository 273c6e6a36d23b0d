"""`budgetbot demo`: a month of sample traffic in a local Prometheus, then its budgets."""

import shutil
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session

from bot.catalog import load_catalog
from bot.console import print_impact, print_status
from bot.demo.prometheus import LocalPrometheus, PrometheusFailed, PrometheusMissing
from bot.demo.scenario import catalog_path, demo_start, demo_traffic, minute_floor
from bot.demo.synthetic import generate, write_openmetrics
from bot.digest_command import DigestRequest, print_digests
from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.incidents import IncidentDraft
from bot.domain.slo import Catalog
from bot.metrics.prometheus import PrometheusSource
from bot.services.alerting import AlertingCycle
from bot.services.digest_data import DigestData
from bot.services.impact import incident_impact
from bot.services.incidents import Incidents
from bot.services.status import evaluate_status
from bot.settings import Settings
from bot.slack.alert_messages import AlertMessages
from bot.slack.app import web_client
from bot.slack.notifier import Notifier, PrintNotifier, SlackNotifier
from bot.slack.rendering import Renderer
from bot.times import format_time
from storage.db import make_engine
from storage.migrate import upgrade
from storage.postmortems import PostmortemRepository


def run_demo(
    directory: str, console: Console, settings: Settings, now: datetime, keep_running: bool
) -> int:
    """Generate, backfill, serve and evaluate the demo data; returns the exit code.

    SIGTERM is taken as Ctrl-C for the whole run, so the local Prometheus is always stopped.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(directory, console, settings, now, keep_running)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(
    directory: str, console: Console, settings: Settings, now: datetime, keep_running: bool
) -> int:
    workdir = Path(directory).resolve()
    end = minute_floor(now)
    try:
        shutil.rmtree(workdir / "prometheus", ignore_errors=True)
        prometheus = LocalPrometheus(workdir / "prometheus")
        with console.status("Generating 40 days of request counters for 4 services..."):
            traffic = demo_traffic(end)
            truth = generate(traffic, demo_start(end), end)
            files = write_openmetrics(truth, workdir / "openmetrics")
        with console.status(f"Backfilling {len(files)} days into Prometheus with promtool..."):
            prometheus.backfill(files)
        shutil.rmtree(workdir / "openmetrics", ignore_errors=True)
        with prometheus:
            url = prometheus.start()
            console.print(f"Local Prometheus with the sample data: [bold]{url}[/bold]")
            catalog_file = workdir / "budgetbot.yaml"
            text = catalog_path().read_text(encoding="utf-8")
            catalog_file.write_text(text.replace("http://127.0.0.1:9090", url), encoding="utf-8")
            catalog = load_catalog(catalog_file)
            source = PrometheusSource(url, reuse_hours=False)
            print_status(console, evaluate_status(catalog, source, end), format_time(end))

            checkout = next(t for t in traffic if t.service == "checkout")
            episode = checkout.episodes[0]
            start = demo_start(end) + timedelta(seconds=episode.offset)
            slo = catalog.slo("checkout-availability")
            assert slo is not None
            console.print("\nThe checkout incident ten days ago cost:")
            report = incident_impact(
                catalog, source, slo, start, start + timedelta(seconds=episode.duration)
            )
            print_impact(console, report)
            engine = _replay_alerts(console, catalog, source, workdir, end, settings)
            _declare_with_actions(catalog, source, engine, end, start, episode.duration)
            _weekly_digest(console, catalog, engine, url, workdir, end)
            engine.dispose()
            _next_steps(console, catalog_file, end, keep_running)
            if keep_running:
                _wait(console)
    except PrometheusMissing as exc:
        console.print(Text(str(exc), style="red"))
        return 1
    except PrometheusFailed as exc:
        console.print(Text("The local Prometheus failed: ", style="red") + Text(str(exc)))
        return 1
    return 0


def _replay_alerts(
    console: Console,
    catalog: Catalog,
    source: PrometheusSource,
    workdir: Path,
    end: datetime,
    settings: Settings,
) -> Engine:
    """The last day through the alerting cycle, every 10 minutes, as the channels saw it;
    returns the demo database's engine."""
    database = workdir / "demo.db"
    database.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    clock = {"at": end}

    def show(line: str) -> None:
        console.print(Text(f"  {format_time(clock['at'])} {line}"))

    notifier: Notifier = (
        SlackNotifier(web_client(settings, for_posts=True), updates=web_client(settings))
        if settings.slack_bot_token
        else PrintNotifier(show)
    )
    where = "posting to Slack" if settings.slack_bot_token else "what it would post"
    console.print(f"\nThe last 24 hours through the alerting cycle, every 10 minutes ({where}):")
    cycle = AlertingCycle(catalog, source, engine, notifier, AlertMessages(Renderer()))
    for step in range(24 * 6, -1, -1):
        clock["at"] = end - timedelta(minutes=10 * step)
        cycle.run(clock["at"])
    return engine


def _declare_with_actions(
    catalog: Catalog,
    source: PrometheusSource,
    engine: Engine,
    end: datetime,
    start: datetime,
    duration: int,
) -> None:
    """The checkout incident as it was declared, with two postmortem action items."""
    incident = Incidents(catalog, source, engine, lambda: end).declare(
        IncidentDraft(
            title="Checkout failing for card payments",
            services=("checkout",),
            started_at=start,
            ended_at=start + timedelta(seconds=duration),
            description="Replayed from the demo data.",
            declared_by="U0DEMO",
            declared_in="",
        )
    )
    assert incident is not None
    today = end.date()
    with Session(engine) as session, session.begin():
        actions = PostmortemRepository(session)
        for text, owner, deadline in (
            ("Alert on card-authorisation errors", "U0ALICE", today - timedelta(days=2)),
            ("Retry budget for the card gateway", "U0BOB", today + timedelta(days=4)),
        ):
            action = NewAction(text, owner, deadline, Priority.P1, ActionKind.PREVENT)
            actions.add_action(incident.id, action, "U0DEMO", end)


def _weekly_digest(
    console: Console, catalog: Catalog, engine: Engine, url: str, workdir: Path, end: datetime
) -> None:
    """The payments team's weekly digest as it would be posted, and its chart as a file."""
    console.print("\nThe weekly digest of team payments, with the checkout incident declared:")
    data = DigestData(catalog, PrometheusSource(url), engine)
    request = DigestRequest(end, ["payments"], False, False, True, str(workdir))
    print_digests(console, data, request)


def _next_steps(console: Console, catalog_file: Path, end: datetime, keep_running: bool) -> None:
    at = format_time(end)
    console.print("\n[bold]Try next[/bold]")
    if keep_running:
        console.print(Text(f"  budgetbot status --config {catalog_file} --at {at} --format json"))
        console.print(Text(f"  budgetbot status --config {catalog_file} --at {at} --team payments"))
    else:
        console.print(
            "  budgetbot demo --keep-running   (keeps Prometheus up to query it yourself)"
        )
    console.print(Text(f"  budgetbot check-config --config {catalog_file}"))


def _wait(console: Console) -> None:
    """Until Ctrl-C or SIGTERM; the caller's context then stops Prometheus."""
    console.print("\nPrometheus keeps running; press Ctrl-C to stop it.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("Stopping Prometheus.")


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends the wait as Ctrl-C does, so that Prometheus is stopped too."""
    raise KeyboardInterrupt
