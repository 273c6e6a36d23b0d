"""`budgetbot exclusions list`: the exclusions that are coming or current (DESIGN 9.3)."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, bootstrap, stdout
from bot.times import format_time

LISTED_BACK = timedelta(days=100)  # stored exclusions listed by --all: this far back
LISTED_AHEAD = timedelta(days=3650)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from bot.domain.exclusions import Exclusion
    from bot.domain.slo import SLO
    from bot.settings import Settings


def exclusions(args: argparse.Namespace, settings: Settings) -> int:
    boot = bootstrap(args, settings)
    at = boot.now()
    from bot.services.exclusions import attach_stored  # brings the storage: only when run

    stored = []
    if boot.has_database():  # those added from Slack
        with boot.uow.read() as store:
            stored = store.exclusions.between(at - LISTED_BACK, at + LISTED_AHEAD)
    covered = attach_stored(boot.catalog.slos, stored)  # the catalog's are on them already
    rows = [as_json(e, covered, at) for e in (*boot.catalog.exclusions, *stored)]
    if not args.all:
        rows = [r for r in rows if r["next_start"] is not None]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table("Name", "Source", "SLOs", "Next", "Lasts", "Repeats", "Reason")
    for r in rows:
        table.add_row(
            Text(str(r["name"])),
            str(r["source"]),
            Text(", ".join(r["slos"])),  # type: ignore[arg-type]
            str(r["next_start"] or "ended"),
            f"{int(r['duration_s']) // 60} min",  # type: ignore[call-overload]
            Text(str(r["recurrence"] or "once")),
            Text(str(r["reason"])),
        )
    stdout().print(table)
    return EXIT_OK


def as_json(exclusion: Exclusion, slos: Sequence[SLO], at: datetime) -> dict[str, object]:
    """The JSON of DESIGN 9.3: the SLOs it covers, RFC 3339 UTC times."""
    covered = [s.name for s in slos if exclusion in s.exclusions]
    following = exclusion.next_start(at)
    return {
        "name": exclusion.name,
        "source": exclusion.source,
        "slos": covered,
        "reason": exclusion.reason,
        "start": format_time(exclusion.start),
        "duration_s": exclusion.duration,
        "recurrence": exclusion.recurrence,
        "next_start": format_time(following) if following else None,
    }
