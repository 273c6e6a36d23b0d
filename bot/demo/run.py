"""`budgetbot demo`: a month of sample traffic in a local Prometheus, then its budgets."""

import shutil
import signal
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.text import Text

from bot.bootstrap import Bootstrap
from bot.cli.console import print_impact, print_status
from bot.cli.digest import DigestRequest, print_digests
from bot.demo.prometheus import LocalPrometheus, PrometheusFailed, PrometheusMissing
from bot.demo.scenario import catalog_path, demo_start, demo_traffic, minute_floor
from bot.demo.synthetic import ServiceTraffic, generate, write_openmetrics
from bot.domain.actions import ActionKind, NewAction, Priority
from bot.domain.incidents import IncidentDraft
from bot.services.impact import incident_impact
from bot.services.status import evaluate_status
from bot.settings import Settings
from bot.times import format_time


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
            clock = _Clock(end)
            with _demo_parts(settings, console, catalog_file, url, clock) as boot:
                _budgets(console, boot, traffic, end)
                _replay_alerts(console, boot, clock, end)
                _declare_with_actions(boot, traffic, end)
                _weekly_digest(console, boot, workdir, end)
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


class _Clock:
    """The instant the replay has reached, for the lines of what would be posted."""

    def __init__(self, at: datetime) -> None:
        self.at = at


def _demo_parts(
    settings: Settings, console: Console, catalog_file: Path, url: str, clock: _Clock
) -> Bootstrap:
    """The parts over the demo's own catalog, Prometheus and new database (migrated here:
    the demo created it), posting to Slack with SLACK_BOT_TOKEN, else printing the posts."""
    database = catalog_file.parent / "demo.db"
    for stale in (database, database.with_name("demo.db-wal"), database.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    demo = replace(
        settings,
        config_path=str(catalog_file),
        database_url=f"sqlite:///{database}",
        prometheus_url=url,
    )

    def show(line: str) -> None:
        console.print(Text(f"  {format_time(clock.at)} {line}"))

    boot = Bootstrap(demo, at=clock.at, show=show)
    boot.migrate()
    return boot


def _budgets(
    console: Console, boot: Bootstrap, traffic: list[ServiceTraffic], end: datetime
) -> None:
    """Every SLO's budget now, and what the checkout incident ten days ago cost."""
    catalog, source = boot.catalog, boot.source
    print_status(console, evaluate_status(catalog, source, end), format_time(end))
    start, duration = _checkout_episode(traffic, end)
    slo = catalog.slo("checkout-availability")
    assert slo is not None
    console.print("\nThe checkout incident ten days ago cost:")
    report = incident_impact(catalog, source, slo, start, start + timedelta(seconds=duration))
    print_impact(console, report)


def _checkout_episode(traffic: list[ServiceTraffic], end: datetime) -> tuple[datetime, int]:
    """When the checkout incident of the demo data started, and its seconds."""
    checkout = next(t for t in traffic if t.service == "checkout")
    episode = checkout.episodes[0]
    return demo_start(end) + timedelta(seconds=episode.offset), episode.duration


def _replay_alerts(console: Console, boot: Bootstrap, clock: _Clock, end: datetime) -> None:
    """The last day through the alerting cycle, every 10 minutes, as the channels saw it."""
    where = "posting to Slack" if boot.settings.slack_bot_token else "what it would post"
    console.print(f"\nThe last 24 hours through the alerting cycle, every 10 minutes ({where}):")
    cycle = boot.alerting
    for step in range(24 * 6, -1, -1):
        clock.at = end - timedelta(minutes=10 * step)
        cycle.run(clock.at)


def _declare_with_actions(boot: Bootstrap, traffic: list[ServiceTraffic], end: datetime) -> None:
    """The checkout incident as it was declared, with two postmortem action items."""
    start, duration = _checkout_episode(traffic, end)
    incident = boot.incidents.declare(
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
    with boot.uow.begin() as store:
        for text, owner, deadline in (
            ("Alert on card-authorisation errors", "U0ALICE", today - timedelta(days=2)),
            ("Retry budget for the card gateway", "U0BOB", today + timedelta(days=4)),
        ):
            action = NewAction(text, owner, deadline, Priority.P1, ActionKind.PREVENT)
            store.postmortems.add_action(incident.id, action, "U0DEMO", end)


def _weekly_digest(console: Console, boot: Bootstrap, workdir: Path, end: datetime) -> None:
    """The payments team's weekly digest as it would be posted, and its chart as a file."""
    console.print("\nThe weekly digest of team payments, with the checkout incident declared:")
    request = DigestRequest(end, ["payments"], False, False, True, str(workdir))
    print_digests(console, boot.digest_data, request)


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
