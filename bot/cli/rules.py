"""`budgetbot rules`: the rule file of recorded hours, and their history for promtool."""

import argparse
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_PARTIAL, UsageError, bootstrap, complain
from bot.times import parse_time

if TYPE_CHECKING:
    from bot.metrics.prometheus import PrometheusSource
    from bot.metrics.rules_file import Recording
    from bot.settings import Settings

HOUR = 3600
CHUNK_HOURS = 24 * 7  # hours per range query: a week of points per series


def rules(args: argparse.Namespace, settings: "Settings") -> int:
    from bot.metrics.rules_file import recordings, rule_file  # yaml and PromQL: only when run

    boot = bootstrap(args, settings)
    slos = boot.catalog.slos
    if not args.backfill:
        if args.start or args.end or args.output_dir:
            raise UsageError("--start, --end and --output-dir go with --backfill")
        text = rule_file(slos)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            print(text, end="")
        return EXIT_OK
    if not (args.start and args.end and args.output_dir):
        raise UsageError("--backfill needs --start, --end and --output-dir")
    start, end = _hour(parse_time(args.start), up=True), _hour(parse_time(args.end), up=False)
    if end <= start:
        raise UsageError("--end must lie at least one whole hour after --start")
    return backfill(boot.prometheus, recordings(slos), start, end, Path(args.output_dir))


def _hour(at: datetime, *, up: bool) -> int:
    seconds = int(at.timestamp())
    return -(-seconds // HOUR) * HOUR if up else seconds // HOUR * HOUR


def backfill(
    source: "PrometheusSource", wanted: "list[Recording]", start: int, end: int, out: Path
) -> int:
    """Each recording's events per hour for the hours ending in (start, end], from raw data
    in batched range queries, written as one OpenMetrics file per UTC day."""
    from bot.metrics.promql import Term, TermError
    from bot.metrics.rules_file import openmetrics_day

    out.mkdir(parents=True, exist_ok=True)
    series: dict[int, dict[int, float]] = {i: {} for i in range(len(wanted))}
    failed: dict[str, str] = {}
    first = start + HOUR
    while first <= end:
        stamps = range(first, min(end, first + (CHUNK_HOURS - 1) * HOUR) + 1, HOUR)
        terms = [Term(i, r.expr) for i, r in enumerate(wanted)]
        for key, values in source.evaluate_range(terms, stamps).items():
            index = int(key)  # type: ignore[call-overload]
            if isinstance(values, TermError):
                failed.setdefault(wanted[index].slo.name, values.message)
                continue
            for stamp, value in zip(stamps, values, strict=True):
                if math.isfinite(value) and value >= 0:  # NaN: no sample in that hour
                    series[index][stamp] = value
        first = stamps[-1] + HOUR
    written = 0
    day = datetime.fromtimestamp(start + HOUR, UTC).date()
    while day <= datetime.fromtimestamp(end, UTC).date():
        pairs = [(r, series[i]) for i, r in enumerate(wanted) if r.slo.name not in failed]
        text = openmetrics_day(day, pairs)
        if text is not None:
            (out / f"budgetbot-hours-{day.isoformat()}.om").write_text(text, encoding="ascii")
            written += 1
        day += timedelta(days=1)
    print(f"wrote {written} file(s) of recorded hours to {out}")
    for name, message in sorted(failed.items()):
        complain(f"SLO {name} not backfilled: {message}")
    return EXIT_PARTIAL if failed else EXIT_OK
