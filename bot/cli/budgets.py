"""Commands that read budgets: check-config, status, incident-impact, gate, digest.

The use cases and the terminal output are imported by the command that runs them, so that
`budgetbot --help` and each command load only what they use."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.cli.common import (
    EXIT_HELD,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_PROMETHEUS,
    UsageError,
    bootstrap,
    complain,
    stdout,
    unknown,
)
from bot.metrics.errors import QueryRejected
from bot.times import format_time, parse_time

if TYPE_CHECKING:
    from bot.domain.slo import SLO, Catalog
    from bot.settings import Settings


def check_config(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the catalog loads (and, with --live, every query returns what it should)."""
    boot = bootstrap(args, settings)
    catalog = boot.catalog
    live = since = None
    if args.live:
        from bot.services.catalog_check import live_check

        live = live_check(boot.prometheus, catalog.slos, boot.now())
        since = boot.prometheus.recorded_since(catalog.slos, boot.now())
    if args.format == "json":
        from bot.catalog.summary import catalog_summary

        doc = catalog_summary(catalog)
        if live is not None and since is not None:
            for entry in doc["slos"]:
                entry["live"] = {c.role: c.outcome for c in live[entry["name"]]}
                first = since[entry["name"]]
                entry["recorded_since"] = format_time(first) if first else None
        print(json.dumps(doc, indent=2))
    else:
        from bot.cli.console import print_catalog_summary

        print_catalog_summary(stdout(), catalog, live, since)
    if live is not None and not all(c.usable for checks in live.values() for c in checks):
        return EXIT_PARTIAL
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
            raise unknown(attr, wanted, values)
        field = "name" if attr == "slo" else attr
        return [s for s in catalog.slos if getattr(s, field) == wanted]
    return list(catalog.slos)


def status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.status import evaluate_status

    boot = bootstrap(args, settings)
    catalog = boot.catalog
    slos = _select(catalog, args)
    at = boot.now()
    source = boot.source
    if args.format == "json" or not sys.stderr.isatty():
        statuses = evaluate_status(catalog, source, at, slos)
    else:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("Querying Prometheus", total=len(slos))
            statuses = evaluate_status(
                catalog, source, at, slos, lambda n: bar.update(task, completed=n)
            )
    if args.format == "json":
        print(json.dumps([s.as_json() for s in statuses], indent=2))
    else:
        from bot.cli.console import print_status

        print_status(stdout(), statuses, format_time(at))
    return EXIT_OK if all(s.data == "ok" for s in statuses) else EXIT_PARTIAL


def impact(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.impact import incident_impact

    boot = bootstrap(args, settings)
    catalog = boot.catalog
    slo = catalog.slo(args.slo)
    if slo is None:
        raise unknown("SLO", args.slo, [s.name for s in catalog.slos])
    start, end = parse_time(args.start), parse_time(args.end)
    if end <= start:
        raise UsageError("--end must come after --start")
    try:
        report = incident_impact(catalog, boot.source, slo, start, end)
    except QueryRejected as exc:
        complain(exc.message)
        return EXIT_PARTIAL
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2))
    else:
        from bot.cli.console import print_impact

        print_impact(stdout(), report)
    return EXIT_OK if report.severity is not None else EXIT_PARTIAL


def gate(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the service may deploy (open, caution, or overridden), 1 when held,
    3 when an SLO has no usable data, 2 when Prometheus cannot be read."""
    boot = bootstrap(args, settings)
    if args.service not in boot.catalog.services:
        raise unknown("service", args.service, list(boot.catalog.services))
    gate = boot.gate_of(args.service)  # refuses a schema that is not current: asks nothing
    answer = gate.ask(args.service, "cli")
    if args.format == "json":
        print(json.dumps(answer.as_json(), indent=2))
    else:
        verdict = answer.verdict
        word = "allowed" if verdict.allowed else "HELD"
        print(f"{args.service}: {verdict.decision} ({word}): {verdict.reason}")
        for status in answer.statuses:  # a calendar budget: which period, what is left of it
            if status.period_note and status.budget_remaining is not None:
                left = f"{status.budget_remaining:.0%}"
                print(f"  {status.slo.name}: {left} left in {status.period_note}")
    if answer.verdict.decision == "unknown" and not answer.verdict.allowed:
        return EXIT_PARTIAL
    return EXIT_OK if answer.verdict.allowed else EXIT_HELD


def digest(args: argparse.Namespace, settings: Settings) -> int:
    """Post the digests (printed instead with --print or without SLACK_BOT_TOKEN); exit 2
    when Prometheus could not be read for some digest, 3 when Slack refused one."""
    from bot.cli.digest import DigestRequest, run_digest

    boot = bootstrap(args, settings)
    catalog = boot.catalog
    if args.team and args.team not in catalog.teams:
        raise unknown("team", args.team, list(catalog.teams))
    if args.platform and catalog.platform is None and not args.print_only:
        raise UsageError("the catalog has no platform: section; add one with a channel")
    request = DigestRequest(
        at=boot.now(),
        teams=_digest_teams(catalog, args),
        platform=args.platform,
        force=args.force,
        print_only=args.print_only or not settings.slack_bot_token,
        chart_dir=args.chart_dir,
    )
    data = boot.digest_data  # refuses a schema that is not current, before anything is said
    digests = None if request.print_only else boot.digests
    if not args.print_only and not settings.slack_bot_token:
        complain("SLACK_BOT_TOKEN is not set: printing the digest instead of posting it")
    outcomes = run_digest(request, data, digests, stdout())
    states = {o.state for o in outcomes}
    if "postponed" in states:
        return EXIT_PROMETHEUS
    return EXIT_PARTIAL if "failed" in states else EXIT_OK


def _digest_teams(catalog: Catalog, args: argparse.Namespace) -> list[str]:
    """The team asked for; for the ranking every team; else the teams with a digest."""
    if args.team:
        return [args.team]
    return [n for n, t in sorted(catalog.teams.items()) if args.platform or t.digest]
