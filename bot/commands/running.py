"""Commands that run the bot's work: serve, migrate, evaluate, remind, demo."""

import argparse
from datetime import UTC, datetime

from bot.commands.common import (
    EXIT_OK,
    EXIT_PROMETHEUS,
    complain,
    instant,
    migrated,
    notifier_for,
    prometheus_source,
    read_catalog,
    stdout,
)
from bot.settings import Settings
from bot.times import format_time


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.serve import serve as serve_app

    config = args.config or settings.config_path
    return serve_app(settings, config, socket_mode=args.socket_mode, host=args.host)


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import mask_url
    from storage.migrate import current, upgrade

    upgrade(settings.database_url)
    print(f"{mask_url(settings.database_url)} is at revision {current(settings.database_url)}")
    return EXIT_OK


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.alerting import AlertingCycle
    from bot.services.snapshots import keep_snapshots
    from bot.slack.alert_messages import AlertMessages
    from bot.slack.refused_posts import RefusedPosts
    from bot.slack.rendering import Renderer

    catalog = read_catalog(args, settings)
    at = instant(args.at, settings)
    engine = migrated(settings)
    cycle = AlertingCycle(
        catalog,
        prometheus_source(catalog, settings),
        engine,
        RefusedPosts(notifier_for(settings)),  # wait for an invite; a refused layout as text
        AlertMessages(Renderer()),
        on_evaluated=lambda at, statuses: keep_snapshots(engine, at, statuses),  # as serve
    )
    report = cycle.run(at)
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


def remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.reminders import Reminders
    from bot.slack.reminder_messages import ReminderMessages
    from bot.slack.rendering import Renderer

    catalog = read_catalog(args, settings)
    at = instant(args.at, settings)
    report = Reminders(
        catalog, migrated(settings), notifier_for(settings), ReminderMessages(Renderer())
    ).run(at)
    print(
        f"{format_time(at)}: {report.owners} owner reminders, {report.team_posts} team posts"
        + (f", {report.failed} failed" if report.failed else "")
    )
    return EXIT_OK


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.run import run_demo

    now = settings.now or datetime.now(UTC)
    return run_demo(args.dir, stdout(), settings, now, args.keep_running)
