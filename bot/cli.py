"""The `budgetbot` command: parses arguments, builds the parts, prints. No logic of its own."""

import argparse
import difflib
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.progress import Progress

from bot.catalog import CatalogError, load_catalog
from bot.console import print_catalog_summary, print_impact, print_status
from bot.domain.slo import SLO, Catalog
from bot.metrics.prometheus import PrometheusError, PrometheusSource, QueryRejected
from bot.services.impact import incident_impact
from bot.services.status import evaluate_status
from bot.settings import Settings, SettingsError
from bot.times import format_time, parse_time
from storage.db import StorageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.slack.notifier import Notifier

_ID = re.compile(r"^(?:INC-)?(\d+)$", re.IGNORECASE)
EXIT_OK, EXIT_USAGE, EXIT_PROMETHEUS, EXIT_PARTIAL, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_HELD = 1  # `gate`: the service may not deploy


class UsageError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit 1."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.run(args, settings))
    except CatalogError as exc:
        _complain(f"the catalog has {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            _complain(f"  {problem}", prefix="")
        return EXIT_USAGE
    except (UsageError, SettingsError, ValueError) as exc:
        _complain(str(exc))
        return EXIT_USAGE
    except PrometheusError as exc:
        _complain(str(exc))
        return EXIT_PROMETHEUS
    except StorageError as exc:
        _complain(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _complain(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line for the person, never a traceback
        _complain(f"internal error ({type(exc).__name__}: {exc}); please report it")
        return EXIT_INTERNAL


def _complain(message: str, prefix: str = "budgetbot: ") -> None:
    """One unwrapped line on stderr, so scripts and people both can read it."""
    print(f"{prefix}{message}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, but bad arguments exit 1 like every other bad input (2 is Prometheus)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="budgetbot", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, run: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--config", help="catalog file (default: $BUDGETBOT_CONFIG or budgetbot.yaml)"
        )
        p.set_defaults(run=run)
        return p

    command("check-config", "validate the SLO catalog and summarise it", _check_config)

    status = command("status", "error budget, burn rates and gate of every SLO", _status)
    status.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")
    which = status.add_mutually_exclusive_group()
    which.add_argument("--team")
    which.add_argument("--service")
    which.add_argument("--slo")
    status.add_argument("--format", choices=("table", "json"), default="table")

    impact = command("incident-impact", "budget an incident window consumed", _incident_impact)
    impact.add_argument("--slo", required=True)
    impact.add_argument("--start", required=True, help="RFC 3339 or Unix seconds")
    impact.add_argument("--end", required=True, help="RFC 3339 or Unix seconds")
    impact.add_argument("--format", choices=("table", "json"), default="table")

    serve = command("serve", "run the Slack app: /slack/events, /healthz, /metrics", _serve)
    serve.add_argument("--socket-mode", action="store_true", help="connect with SLACK_APP_TOKEN")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")

    command("migrate", "apply database migrations (DATABASE_URL)", _migrate)

    gate = command("gate", "may this service deploy? exit 0 allowed, 1 held", _gate)
    gate.add_argument("--service", required=True)
    gate.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")
    gate.add_argument("--format", choices=("table", "json"), default="table")

    digest = command("digest", "the weekly budget digest: once per team per week", _digest)
    whose = digest.add_mutually_exclusive_group()
    whose.add_argument("--team", help="only this team (default: every team with a digest)")
    whose.add_argument("--platform", action="store_true", help="the ranking of all teams")
    digest.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")
    digest.add_argument("--force", action="store_true", help="post even if posted this week")
    digest.add_argument(
        "--print", action="store_true", dest="print_only", help="print it and write the chart"
    )
    digest.add_argument("--chart-dir", default=".", help="where --print writes the charts")

    evaluate = command("evaluate", "run one alerting cycle: post, escalate, resolve", _evaluate)
    evaluate.add_argument("--at", help="evaluate at this time (RFC 3339 or Unix seconds)")

    incidents = command("incidents", "list or show incidents (from DATABASE_URL)", _incidents)
    incidents.add_argument("action", choices=("list", "show"))
    incidents.add_argument("id", nargs="?", help="for show: INC-42 or 42")
    incidents.add_argument("--open", action="store_true", help="only open incidents")
    incidents.add_argument("--service")
    incidents.add_argument("--since", help="declared since (RFC 3339 or Unix seconds)")
    incidents.add_argument("--format", choices=("table", "json"), default="table")

    remind = command("remind", "send the action-item reminders due now (once per day)", _remind)
    remind.add_argument("--at", help="as if at this time (RFC 3339 or Unix seconds)")

    actions = command("actions", "postmortem action items (from DATABASE_URL)", _actions)
    actions.add_argument("action", choices=("list",))
    actions.add_argument("--overdue", action="store_true", help="only overdue items")
    actions.add_argument("--team")
    actions.add_argument("--format", choices=("table", "json", "csv"), default="table")

    demo = command("demo", "start a local Prometheus with 40 days of sample data", _demo)
    demo.add_argument("--dir", default=".budgetbot-demo", help="where the demo keeps its files")
    demo.add_argument("--keep-running", action="store_true", help="keep Prometheus up until Ctrl-C")
    return parser


def _stdout() -> Console:
    """The console for results: as wide as the terminal, 120 columns when piped."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def _catalog(args: argparse.Namespace, settings: Settings) -> Catalog:
    return load_catalog(args.config or settings.config_path)


def _source(catalog: Catalog, settings: Settings, reuse_hours: bool = False) -> PrometheusSource:
    """reuse_hours: only for many evaluations in one process (the digest's chart); for one,
    reusing hours would only add the range queries."""
    url = settings.prometheus_url or catalog.prometheus_url
    if not url:
        raise UsageError("no Prometheus URL: set PROMETHEUS_URL or prometheus.url in the catalog")
    return PrometheusSource(url, reuse_hours=reuse_hours)


def _instant(text: str | None, settings: Settings) -> datetime:
    if text:
        return parse_time(text)
    return settings.now or datetime.now(UTC).replace(microsecond=0)


def _check_config(args: argparse.Namespace, settings: Settings) -> int:
    print_catalog_summary(_stdout(), _catalog(args, settings))
    return EXIT_OK


def _select(catalog: Catalog, args: argparse.Namespace) -> list[SLO]:
    for attr, values in (
        ("team", list(catalog.teams)),
        ("service", list(catalog.services)),
        ("slo", [s.name for s in catalog.slos]),
    ):
        wanted = getattr(args, attr)
        if wanted is None:
            continue
        if wanted not in values:
            raise _unknown(attr, wanted, values)
        field = "name" if attr == "slo" else attr
        return [s for s in catalog.slos if getattr(s, field) == wanted]
    return list(catalog.slos)


def _unknown(kind: str, name: str, known: Sequence[str]) -> UsageError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UsageError(f"no {kind} named {name!r} in the catalog{hint}")


def _status(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(args, settings)
    slos = _select(catalog, args)
    at = _instant(args.at, settings)
    source = _source(catalog, settings)
    if args.format == "json" or not sys.stderr.isatty():
        statuses = evaluate_status(catalog, source, at, slos)
    else:
        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("Querying Prometheus", total=len(slos))
            statuses = evaluate_status(
                catalog, source, at, slos, lambda n: bar.update(task, completed=n)
            )
    if args.format == "json":
        print(json.dumps([s.as_json() for s in statuses], indent=2))
    else:
        print_status(_stdout(), statuses, format_time(at))
    return EXIT_OK if all(s.data == "ok" for s in statuses) else EXIT_PARTIAL


def _incident_impact(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(args, settings)
    slo = catalog.slo(args.slo)
    if slo is None:
        raise _unknown("SLO", args.slo, [s.name for s in catalog.slos])
    start, end = parse_time(args.start), parse_time(args.end)
    if end <= start:
        raise UsageError("--end must come after --start")
    try:
        report = incident_impact(catalog, _source(catalog, settings), slo, start, end)
    except QueryRejected as exc:
        _complain(exc.message)
        return EXIT_PARTIAL
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        print_impact(_stdout(), report)
    return EXIT_OK if report.severity is not None else EXIT_PARTIAL


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.run import run_demo

    now = settings.now or datetime.now(UTC)
    return run_demo(args.dir, _stdout(), settings, now, args.keep_running)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.serve import serve

    config = args.config or settings.config_path
    return serve(settings, config, socket_mode=args.socket_mode, host=args.host)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import mask_url
    from storage.migrate import current, upgrade

    upgrade(settings.database_url)
    print(f"{mask_url(settings.database_url)} is at revision {current(settings.database_url)}")
    return EXIT_OK


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.alerting import AlertingCycle
    from bot.slack.alert_messages import AlertMessages
    from bot.slack.rendering import Renderer

    catalog = _catalog(args, settings)
    at = _instant(args.at, settings)
    cycle = AlertingCycle(
        catalog,
        _source(catalog, settings),
        _migrated(settings),
        _notifier(settings),
        AlertMessages(Renderer()),
    )
    report = cycle.run(at)
    print(
        f"{format_time(at)}: {report.evaluated} SLOs, {report.opened} opened, "
        f"{report.escalated} escalated, {report.resolved} resolved, "
        f"{report.data_warnings} data warnings, {report.without_data} without data"
        + (f", {report.failed_posts} posts failed" if report.failed_posts else "")
    )
    if report.prometheus_error:
        _complain(report.prometheus_error)
        return EXIT_PROMETHEUS
    return EXIT_OK


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    """Post the digests (printed instead with --print or without SLACK_BOT_TOKEN); exit 2
    when Prometheus could not be read for some digest, 3 when Slack refused one."""
    from bot.digest_command import DigestRequest, run_digest

    catalog = _catalog(args, settings)
    if args.team and args.team not in catalog.teams:
        raise _unknown("team", args.team, list(catalog.teams))
    if args.platform and catalog.platform is None and not args.print_only:
        raise UsageError("the catalog has no platform: section; add one with a channel")
    source = _source(catalog, settings, reuse_hours=True)
    request = DigestRequest(
        at=_instant(args.at, settings),
        teams=_digest_teams(catalog, args),
        platform=args.platform,
        force=args.force,
        print_only=args.print_only or not settings.slack_bot_token,
        chart_dir=args.chart_dir,
    )
    if not args.print_only and not settings.slack_bot_token:
        _complain("SLACK_BOT_TOKEN is not set: printing the digest instead of posting it")
    engine = _migrated(settings)
    outcomes = run_digest(request, catalog, source, engine, _notifier(settings), _stdout())
    states = {o.state for o in outcomes}
    if "postponed" in states:
        return EXIT_PROMETHEUS
    return EXIT_PARTIAL if "failed" in states else EXIT_OK


def _digest_teams(catalog: Catalog, args: argparse.Namespace) -> list[str]:
    """The team asked for; for the ranking every team; else the teams with a digest."""
    if args.team:
        return [args.team]
    return [n for n, t in sorted(catalog.teams.items()) if args.platform or t.digest]


def _incidents(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from bot.console import incident_json, print_incident, print_incidents
    from storage.incidents import IncidentRepository

    with Session(_migrated(settings)) as session:
        repo = IncidentRepository(session)
        if args.action == "show":
            found = _ID.match(args.id or "")
            incident = repo.get(int(found.group(1))) if found else None
            if incident is None:
                raise UsageError(f"no incident {args.id!r}; see `budgetbot incidents list`")
            chosen = [incident]
        else:
            since = parse_time(args.since) if args.since else None
            chosen = repo.find(open_only=args.open, since=since, service=args.service)
    if args.format == "json":
        docs = [incident_json(i) for i in chosen]
        print(json.dumps(docs[0] if args.action == "show" else docs, indent=2))
    elif args.action == "show":
        print_incident(_stdout(), chosen[0])
    else:
        print_incidents(_stdout(), chosen)
    return EXIT_OK


def _remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.reminders import Reminders
    from bot.slack.rendering import Renderer

    catalog = _catalog(args, settings)
    at = _instant(args.at, settings)
    report = Reminders(catalog, _migrated(settings), _notifier(settings), Renderer()).run(at)
    print(
        f"{format_time(at)}: {report.owners} owner reminders, {report.team_posts} team posts"
        + (f", {report.failed} failed" if report.failed else "")
    )
    return EXIT_OK


def _actions(args: argparse.Namespace, settings: Settings) -> int:
    import csv

    from sqlmodel import Session

    from bot.services.ownership import open_actions

    catalog = _catalog(args, settings)
    today = _instant(None, settings).date()
    with Session(_migrated(settings)) as session:
        items, team_of = open_actions(catalog, session)
    rows = [
        {
            "id": item.key,
            "incident": f"INC-{item.incident_id}",
            "description": item.description,
            "owner": item.owner,
            "deadline": item.deadline.isoformat(),
            "overdue_days": max(0, (today - item.deadline).days),
            "priority": str(item.priority),
            "kind": str(item.kind),
            "team": team_of.get(item.id, ""),
        }
        for item in items
    ]
    if args.team:
        if args.team not in catalog.teams:
            raise _unknown("team", args.team, list(catalog.teams))
        rows = [r for r in rows if r["team"] == args.team]
    if args.overdue:
        rows = [r for r in rows if int(str(r["overdue_days"])) > 0]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        from bot.console import print_actions

        print_actions(_stdout(), rows)
    return EXIT_OK


def _migrated(settings: Settings) -> "Engine":
    """The engine of DATABASE_URL, migrated to the newest schema."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _notifier(settings: Settings) -> "Notifier":
    """Slack when SLACK_BOT_TOKEN is set (posts never resent); else printed."""
    from bot.slack.app import web_client
    from bot.slack.notifier import PrintNotifier, SlackNotifier

    if settings.slack_bot_token:
        return SlackNotifier(web_client(settings, for_posts=True), updates=web_client(settings))
    return PrintNotifier(print)


def _gate(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the service may deploy (open, caution, or overridden), 1 when held,
    3 when an SLO has no usable data, 2 when Prometheus cannot be read."""
    from bot.services.gate import GateService

    catalog = _catalog(args, settings)
    if args.service not in catalog.services:
        raise _unknown("service", args.service, list(catalog.services))
    at = _instant(args.at, settings)
    slos = [s for s in catalog.slos if s.service == args.service]
    source = _source(catalog, settings)
    gate = GateService(
        lambda: (at, evaluate_status(catalog, source, at, slos)), _migrated(settings), lambda: at
    )
    answer = gate.ask(args.service, "cli")
    if args.format == "json":
        print(json.dumps(answer.as_json(), indent=2))
    else:
        verdict = answer.verdict
        word = "allowed" if verdict.allowed else "HELD"
        print(f"{args.service}: {verdict.decision} ({word}): {verdict.reason}")
    if answer.verdict.decision == "unknown" and not answer.verdict.allowed:
        return EXIT_PARTIAL
    return EXIT_OK if answer.verdict.allowed else EXIT_HELD
