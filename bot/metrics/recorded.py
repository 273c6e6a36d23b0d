"""Recorded hours: the series `budgetbot rules` has Prometheus record, and reading them. Pure.

Each rate or count SLI query is recorded once an hour as the events of the hour before the
sample: `slo:budgetbot_bad_events:increase1h` and `slo:budgetbot_total_events:increase1h`,
labelled `budgetbot_slo` (the SLO) and `budgetbot_sli` (a fingerprint of the query, so a
query edited since its rules were loaded is never read from the old recordings).

Prometheus evaluates a rule group at an offset of its own within the hour, and backfilled
hours lie on clock hours, so the samples' own timestamps say what each covers: a sample at
r holds the events of (r - 1h, r]. `cover` chains the samples of a window into pieces that
do not overlap and tells which stretches are left for raw data.
"""

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.durations import format_duration
from bot.domain.slo import EventsQuery, QueryKind
from bot.metrics.promql import MalformedResult, render

BAD_RECORD = "slo:budgetbot_bad_events:increase1h"
TOTAL_RECORD = "slo:budgetbot_total_events:increase1h"
SLO_LABEL = "budgetbot_slo"
SLI_LABEL = "budgetbot_sli"
HOUR_MS = 3_600_000


def fingerprint(query: EventsQuery) -> str:
    """12 hex digits that change with the query's text or kind."""
    return hashlib.sha256(f"{query.kind}\n{query.text}".encode()).hexdigest()[:12]


def record_expr(query: EventsQuery) -> str:
    """The rule's expression: the query's events in the hour before the evaluation, as one
    series (a rate is turned into events; `sum` keeps only the rule's own labels)."""
    hourly = f"sum({render(query.text, 3600)})"
    return f"{hourly} * 3600" if query.kind is QueryKind.RATE else hourly


@dataclass(frozen=True)
class Cover:
    """What recorded hours give for one window: their events and the stretches left.

    `events` is None when no recorded hour lies in the window; `gaps` are (start, end)
    Unix milliseconds, in order, that raw data must fill.
    """

    events: float | None
    gaps: tuple[tuple[int, int], ...]


def cover(samples: Sequence[tuple[int, float]], start: int, end: int) -> Cover:
    """Chain recorded samples (Unix ms, events; ascending) into the window (start, end] (ms).

    From the newest sample back, each sample is taken when its hour lies in the window and
    ends at or before the start of the hour taken after it, so no instant counts twice
    (a switch from backfilled clock hours to a live group's offset overlaps once).
    """
    events: float | None = None
    gaps: list[tuple[int, int]] = []
    edge = end  # everything after `edge` is accounted for
    for stamp, value in reversed(samples):
        if stamp > edge or stamp - HOUR_MS < start:
            continue
        if stamp < edge:
            gaps.append((stamp, edge))
        events = value if events is None else events + value
        edge = stamp - HOUR_MS
    if edge > start:
        gaps.append((start, edge))
    return Cover(events, tuple(reversed(gaps)))


def selectors(names: Sequence[str], seconds: int, max_chars: int) -> list[str]:
    """Range selectors of both records for the SLOs `names` over `seconds`, each query
    under `max_chars` characters. SLO names are [A-Za-z0-9._-]+ (bot.catalog.checks)."""
    window = format_duration(seconds)
    out: list[str] = []
    chunk: list[str] = []

    def flush() -> None:
        pattern = "|".join(_literal(n) for n in chunk)
        out.append(
            f'{{__name__=~"{BAD_RECORD}|{TOTAL_RECORD}",{SLO_LABEL}=~`{pattern}`}}[{window}]'
        )

    size = 0
    for name in names:
        cost = len(_literal(name)) + 1
        if chunk and size + cost > max_chars - 120:  # 120: the rest of the selector
            flush()
            chunk, size = [], 0
        chunk.append(name)
        size += cost
    if chunk:
        flush()
    return out


def _literal(name: str) -> str:
    """An SLO name as a regular expression that matches only it (names are [A-Za-z0-9._-]+)."""
    return name.replace(".", "\\.")


Samples = dict[tuple[str, str], list[tuple[int, float]]]  # (SLO, fingerprint) -> (ms, events)


def parse_samples(rows: Sequence[Mapping[str, Any]]) -> Samples:
    """(SLO, fingerprint) -> its recorded samples (Unix ms, events), ascending. A key with
    several series (labels other than the rule's) is left out: raw data is read instead.
    Samples that are no count of events (NaN, negative) are left out too."""
    found: Samples = {}
    twice: set[tuple[str, str]] = set()
    for row in rows:
        labels = row.get("metric")
        values = row.get("values")
        if not isinstance(labels, Mapping) or not isinstance(values, list):
            raise MalformedResult("a recorded series without labels or values")
        key = (str(labels.get(SLO_LABEL, "")), str(labels.get(SLI_LABEL, "")))
        if key in found:
            twice.add(key)
        samples = []
        for pair in values:
            try:
                stamp, value = round(float(pair[0]) * 1000), float(pair[1])
            except (TypeError, ValueError, IndexError):
                raise MalformedResult(
                    f"a sample that is not [time, number]: {pair!r:.60}"
                ) from None
            if math.isfinite(value) and value >= 0:
                samples.append((stamp, value))
        found[key] = sorted(samples)
    return {k: v for k, v in found.items() if k not in twice}
