"""Commands that run the bot's work: serve, migrate, evaluate, remind, demo.

Only `serve` and `migrate` create or upgrade the schema (the demo migrates the database it
creates); `evaluate` and `remind` refuse one that is not current (bot/bootstrap.py).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_PROMETHEUS, bootstrap, complain, stdout
from bot.times import format_time

if TYPE_CHECKING:
    from bot.settings import Settings


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.serve import serve as serve_app

    config = args.config or settings.config_path
    return serve_app(settings, config, socket_mode=args.socket_mode, host=args.host)


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import mask_url
    from storage.migrate import current

    with bootstrap(args, settings) as boot:
        boot.migrate()
        print(f"{mask_url(settings.database_url)} is at revision {current(boot.engine)}")
    return EXIT_OK


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """One alerting cycle, as serve runs it (posts to Slack with SLACK_BOT_TOKEN, else
    printed; budgets kept as snapshots), then the policy deliveries due at its instant;
    exit 2 when Prometheus could not be read."""
    with bootstrap(args, settings) as boot:
        cycle = boot.alerting
        deliveries = boot.deliveries if boot.catalog.policies else None  # secrets checked
        at = boot.now()
        report = cycle.run(at)
        if deliveries is not None:
            sent = deliveries.run(at)
            print(
                f"{format_time(at)}: policy deliveries: {sent.delivered} delivered, "
                f"{sent.retrying} to retry, {sent.failed} failed"
            )
    print(
        f"{format_time(at)}: {report.evaluated} SLOs, {report.opened} opened, "
        f"{report.escalated} escalated, {report.resolved} resolved, "
        f"{report.data_warnings} data warnings, {report.without_data} without data"
        + (f", {report.failed_posts} posts failed" if report.failed_posts else "")
    )
    if report.prometheus_error:
        complain(report.prometheus_error)
        return EXIT_PROMETHEUS
    return EXIT_OK


def escalate(args: argparse.Namespace, settings: Settings) -> int:
    """Post the escalations due now: incidents nobody acknowledged within their deadline."""
    with bootstrap(args, settings) as boot:
        escalations = boot.escalations
        at = boot.now()
        posted = escalations.run(at)
    print(
        f"{format_time(at)}: {len(posted)} escalated" + (f": {', '.join(posted)}" if posted else "")
    )
    return EXIT_OK


def remind(args: argparse.Namespace, settings: Settings) -> int:
    with bootstrap(args, settings) as boot:
        reminders = boot.reminders
        at = boot.now()
        report = reminders.run(at)
    print(
        f"{format_time(at)}: {report.owners} owner reminders, {report.team_posts} team posts"
        + (f", {report.failed} failed" if report.failed else "")
    )
    return EXIT_OK


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.run import run_demo

    return run_demo(
        args.dir, stdout(), settings, bootstrap(args, settings).now(), args.keep_running
    )
