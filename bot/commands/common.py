"""What every `budgetbot` command shares: exit codes, the catalog, Prometheus, the clock,
the database and the notifier, all from Settings."""

import argparse
import difflib
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console

from bot.catalog import load_catalog
from bot.domain.slo import Catalog
from bot.metrics.prometheus import PrometheusSource
from bot.settings import Settings
from bot.times import parse_time

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.slack.notifier import Notifier

EXIT_OK, EXIT_USAGE, EXIT_PROMETHEUS, EXIT_PARTIAL, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_HELD = 1  # `gate`: the service may not deploy


class UsageError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit 1."""


def complain(message: str, prefix: str = "budgetbot: ") -> None:
    """One unwrapped line on stderr, so scripts and people both can read it."""
    print(f"{prefix}{message}", file=sys.stderr)


def stdout() -> Console:
    """The console for results: as wide as the terminal, 120 columns when piped."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def read_catalog(args: argparse.Namespace, settings: Settings) -> Catalog:
    return load_catalog(args.config or settings.config_path)


def prometheus_source(
    catalog: Catalog, settings: Settings, reuse_hours: bool = False
) -> PrometheusSource:
    """reuse_hours: only for many evaluations in one process (the digest's chart); for one,
    reusing hours would only add the range queries."""
    url = settings.prometheus_url or catalog.prometheus_url
    if not url:
        raise UsageError("no Prometheus URL: set PROMETHEUS_URL or prometheus.url in the catalog")
    # The catalog's flavor names the catalog's store; PROMETHEUS_URL's is detected.
    flavor = None if settings.prometheus_url else catalog.prometheus_flavor
    return PrometheusSource(url, reuse_hours=reuse_hours, flavor=flavor)


def instant(text: str | None, settings: Settings) -> datetime:
    if text:
        return parse_time(text)
    return settings.now or datetime.now(UTC).replace(microsecond=0)


def unknown(kind: str, name: str, known: Sequence[str]) -> UsageError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UsageError(f"no {kind} named {name!r} in the catalog{hint}")


def migrated(settings: Settings) -> "Engine":
    """The engine of DATABASE_URL, migrated to the newest schema."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def notifier_for(settings: Settings) -> "Notifier":
    """Slack when SLACK_BOT_TOKEN is set (posts never resent); else printed."""
    from bot.slack.app import web_client
    from bot.slack.notifier import PrintNotifier, SlackNotifier

    if settings.slack_bot_token:
        return SlackNotifier(web_client(settings, for_posts=True), updates=web_client(settings))
    return PrintNotifier(print)
