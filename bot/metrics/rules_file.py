"""The Prometheus rule file of recorded hours, and the same hours as OpenMetrics. Pure.

`budgetbot rules` writes `rule_file(slos)`; `budgetbot rules --backfill` computes the same
expressions at whole hours from raw data and writes `openmetrics_day(...)` files for
`promtool tsdb create-blocks-from openmetrics`. Names and labels: bot.metrics.recorded.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import yaml

from bot.domain.slo import SLO, EventsQuery, EventsSLI
from bot.metrics.recorded import (
    BAD_RECORD,
    SLI_LABEL,
    SLO_LABEL,
    TOTAL_RECORD,
    fingerprint,
    record_expr,
)

INTERVAL = "1h"


@dataclass(frozen=True)
class Recording:
    """One recorded series: its record name, its labels and the expression it records."""

    slo: SLO
    record: str
    query: EventsQuery

    @property
    def labels(self) -> dict[str, str]:
        return {SLO_LABEL: self.slo.name, SLI_LABEL: fingerprint(self.query)}

    @property
    def expr(self) -> str:
        return record_expr(self.query)


def recordings(slos: Sequence[SLO]) -> list[Recording]:
    """Two per events SLO (bad, total); error-ratio SLIs have no events to record."""
    out = []
    for slo in slos:
        if isinstance(slo.sli, EventsSLI):
            out.append(Recording(slo, BAD_RECORD, slo.sli.planned_bad))
            out.append(Recording(slo, TOTAL_RECORD, slo.sli.planned_total))
    return out


def rule_file(slos: Sequence[SLO]) -> str:
    """A rule file (`groups:`), one group per team, every group evaluated each hour."""
    groups: dict[str, list[dict[str, object]]] = {}
    for r in recordings(slos):
        rule: dict[str, object] = {"record": r.record, "expr": r.expr, "labels": r.labels}
        groups.setdefault(r.slo.team, []).append(rule)
    skipped = [s.name for s in slos if not isinstance(s.sli, EventsSLI)]
    head = [
        "# Written by `budgetbot rules`: each SLI's events per hour (DESIGN 9.6).",
        "# Load it with Prometheus's rule_files; regenerate it when the catalog changes.",
    ]
    if skipped:
        head.append(f"# Not recorded (error-ratio SLIs have no event counts): {', '.join(skipped)}")
    doc = {
        "groups": [
            {"name": f"budgetbot-{team}", "interval": INTERVAL, "rules": rules}
            for team, rules in sorted(groups.items())
        ]
    }
    return "\n".join(head) + "\n" + yaml.safe_dump(doc, sort_keys=False, width=1000)


def openmetrics_day(
    day: date, series: Iterable[tuple[Recording, Mapping[int, float]]]
) -> str | None:
    """The OpenMetrics text of one UTC day of recorded hours (Unix seconds -> events), or
    None when the day holds none. Samples on the day's first instant belong to it."""
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    end = start + 86_400
    families: dict[str, list[str]] = {BAD_RECORD: [], TOTAL_RECORD: []}
    for recording, samples in series:
        labels = ",".join(f'{k}="{v}"' for k, v in recording.labels.items())
        lines = families[recording.record]
        for stamp in sorted(samples):
            if start <= stamp < end:
                lines.append(f"{recording.record}{{{labels}}} {samples[stamp]!r} {stamp}")
    if not any(families.values()):
        return None
    out = []
    for name, lines in families.items():
        if lines:
            out.append(f"# TYPE {name} gauge")
            out.extend(lines)
    out.append("# EOF\n")
    return "\n".join(out)
