"""Commands over the stored records: incidents and postmortem action items."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, UsageError, bootstrap, stdout, unknown
from bot.times import parse_time

if TYPE_CHECKING:
    from bot.settings import Settings

_ID = re.compile(r"^(?:INC-)?(\d+)$", re.IGNORECASE)


def incidents(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.console_incidents import incident_json, print_incident, print_incidents

    if args.action == "stats":
        return _stats(args, settings)
    with bootstrap(args, settings) as boot, boot.uow.read() as store:
        repo = store.incidents
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
        print_incident(stdout(), chosen[0])
    else:
        print_incidents(stdout(), chosen)
    return EXIT_OK


STATS_LIMIT = 100_000  # incidents counted by one `incidents stats`


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    """Counts by class, budget consumed and the spread of each time (docs/incidents.md)."""
    from bot.cli.console_incidents import print_stats
    from bot.domain.incident_timings import stats
    from bot.domain.incidents import owning_team

    since = parse_time(args.since) if args.since else None
    with bootstrap(args, settings) as boot:
        catalog = boot.catalog
        if args.team is not None and args.team not in catalog.teams:
            raise unknown("team", args.team, sorted(catalog.teams))
        with boot.uow.read() as store:
            found = store.incidents.find(since=since, service=args.service, limit=STATS_LIMIT)
    if args.team is not None:
        found = [i for i in found if owning_team(catalog, i) == args.team]
    counted = stats(found)
    if args.format == "json":
        print(json.dumps(counted.as_json(), indent=2))
    else:
        print_stats(stdout(), counted)
    return EXIT_OK


def actions(args: argparse.Namespace, settings: Settings) -> int:
    import csv

    from bot.services.ownership import open_actions

    boot = bootstrap(args, settings)
    catalog = boot.catalog
    with boot, boot.uow.read() as store:
        items, team_of = open_actions(catalog, store)
    today = boot.now().date()
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
            raise unknown("team", args.team, list(catalog.teams))
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
        from bot.cli.console import print_actions

        print_actions(stdout(), rows)
    return EXIT_OK
