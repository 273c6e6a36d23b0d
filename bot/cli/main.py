"""The `budgetbot` command: parses arguments and runs the subcommand (bot/cli/*.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from bot.cli import budgets, exclusions, policies, records, rules, running
from bot.cli.common import (
    EXIT_INTERNAL,
    EXIT_PROMETHEUS,
    EXIT_USAGE,
    UsageError,
    complain,
)
from bot.metrics.errors import PrometheusError


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # --help and bad arguments exit here
    args.config = args.config or args.global_config  # `budgetbot --config F status` too
    from bot.settings import Settings  # only now: --help has no use for it (nor dataclasses)

    try:
        settings = Settings.from_env()
        return int(args.run(args, settings))
    except (UsageError, ValueError) as exc:  # SettingsError is a ValueError
        complain(str(exc))
        return EXIT_USAGE
    except PrometheusError as exc:
        complain(str(exc))
        return EXIT_PROMETHEUS
    except OSError as exc:
        complain(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _failed(exc)


def _failed(exc: Exception) -> int:
    """A bad catalog or database (exit 1), else a bug: one line for the person, never a
    traceback. Their error types come with pydantic and SQLAlchemy, so they are imported
    only now, as far as needed (neither is a ValueError, OSError or PrometheusError, so
    checking them after those changes nothing)."""
    from bot.catalog import CatalogError

    if isinstance(exc, CatalogError):
        complain(f"the catalog has {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            complain(f"  {problem}", prefix="")
        return EXIT_USAGE
    from storage.db import StorageError

    if isinstance(exc, StorageError):
        complain(str(exc))
        return EXIT_USAGE
    complain(f"internal error ({type(exc).__name__}: {exc}); please report it")
    return EXIT_INTERNAL


class _Parser(argparse.ArgumentParser):
    """argparse, but bad arguments exit 1 like every other bad input (2 is Prometheus)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="budgetbot", description=__doc__)
    parser.add_argument(
        "--config",
        dest="global_config",
        help="catalog file, before or after the command (default: $BUDGETBOT_CONFIG)",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, run: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--config", help="catalog file (default: $BUDGETBOT_CONFIG or budgetbot.yaml)"
        )
        p.set_defaults(run=run)
        return p

    check = command(
        "check-config", "validate the SLO catalog and list what it derived", budgets.check_config
    )
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.add_argument(
        "--live", action="store_true", help="also send each query once to Prometheus"
    )
    check.add_argument("--at", help="with --live: evaluate at this time")

    status = command("status", "error budget, burn rates and gate of every SLO", budgets.status)
    status.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")
    which = status.add_mutually_exclusive_group()
    which.add_argument("--team")
    which.add_argument("--service")
    which.add_argument("--slo")
    status.add_argument("--format", choices=("table", "json"), default="table")

    impact = command("incident-impact", "budget an incident window consumed", budgets.impact)
    impact.add_argument("--slo", required=True)
    impact.add_argument("--start", required=True, help="RFC 3339 or Unix seconds")
    impact.add_argument("--end", required=True, help="RFC 3339 or Unix seconds")
    impact.add_argument("--format", choices=("table", "json"), default="table")

    serve = command("serve", "run the Slack app: /slack/events, /healthz, /metrics", running.serve)
    serve.add_argument("--socket-mode", action="store_true", help="connect with SLACK_APP_TOKEN")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")

    command("migrate", "apply database migrations (DATABASE_URL)", running.migrate)

    gate = command("gate", "may this service deploy? exit 0 allowed, 1 held", budgets.gate)
    gate.add_argument("--service", required=True)
    gate.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")
    gate.add_argument("--format", choices=("table", "json"), default="table")

    digest = command("digest", "the weekly budget digest: once per team per week", budgets.digest)
    whose = digest.add_mutually_exclusive_group()
    whose.add_argument("--team", help="only this team (default: every team with a digest)")
    whose.add_argument("--platform", action="store_true", help="the ranking of all teams")
    digest.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")
    digest.add_argument("--force", action="store_true", help="post even if posted this week")
    digest.add_argument(
        "--print", action="store_true", dest="print_only", help="print it and write the chart"
    )
    digest.add_argument("--chart-dir", default=".", help="where --print writes the charts")

    evaluate = command(
        "evaluate", "run one alerting cycle: post, escalate, resolve", running.evaluate
    )
    evaluate.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")

    incidents = command(
        "incidents", "list, show or count incidents (from DATABASE_URL)", records.incidents
    )
    incidents.add_argument("action", choices=("list", "show", "stats"))
    incidents.add_argument("id", nargs="?", help="for show: INC-42 or 42")
    incidents.add_argument("--open", action="store_true", help="only open incidents")
    incidents.add_argument("--service")
    incidents.add_argument("--team", help="for stats: incidents this team owns")
    incidents.add_argument("--since", help="going on since (RFC 3339 or Unix seconds)")
    incidents.add_argument("--format", choices=("table", "json"), default="table")

    escalate = command(
        "escalate",
        "post the escalations of incidents past their response deadline",
        running.escalate,
    )
    escalate.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")

    remind = command(
        "remind", "send the action-item reminders due now (once per day)", running.remind
    )
    remind.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")

    actions = command("actions", "postmortem action items (from DATABASE_URL)", records.actions)
    actions.add_argument("action", choices=("list",))
    actions.add_argument("--overdue", action="store_true", help="only overdue items")
    actions.add_argument("--team")
    actions.add_argument("--format", choices=("table", "json", "csv"), default="table")

    record = command("rules", "the Prometheus rule file that records each SLI's hours", rules.rules)
    record.add_argument("--output", help="write the rule file here (default: stdout)")
    record.add_argument(
        "--backfill", action="store_true", help="write past hours as OpenMetrics for promtool"
    )
    record.add_argument("--start", help="with --backfill: first hour (RFC 3339 or Unix seconds)")
    record.add_argument("--end", help="with --backfill: last hour (RFC 3339 or Unix seconds)")
    record.add_argument("--output-dir", help="with --backfill: where the day files go")

    excluded = command(
        "exclusions", "budget exclusions that are coming or current", exclusions.exclusions
    )
    excluded.add_argument("action", choices=("list",))
    excluded.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")
    excluded.add_argument("--all", action="store_true", help="also those that have ended")
    excluded.add_argument("--format", choices=("table", "json"), default="table")

    acting = command(
        "policies", "policy actions: deliveries made, or a signed test event", policies.policies
    )
    acting.add_argument("action", choices=("deliveries", "test"))
    acting.add_argument("name", nargs="?", help="for test: the policy's name")
    acting.add_argument("--format", choices=("table", "json"), default="table")

    demo = command("demo", "start a local Prometheus with 40 days of sample data", running.demo)
    demo.add_argument("--dir", default=".budgetbot-demo", help="where the demo keeps its files")
    demo.add_argument("--keep-running", action="store_true", help="keep Prometheus up until Ctrl-C")
    return parser
