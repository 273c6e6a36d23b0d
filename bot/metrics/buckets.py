"""A latency SLI's histogram buckets: the boundaries that exist, named in its error. Pure."""

import math
from collections.abc import Callable, Mapping, Sequence

from bot.domain.slo import SLO, EventsSLI
from bot.domain.status import Reading
from bot.metrics.source import NO_BUCKET, no_bucket


def boundaries(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """The `le` values of a `count by (le) (<buckets>)` answer, in increasing order."""
    found = set()
    for row in rows:
        labels = row.get("metric")
        if isinstance(labels, dict) and isinstance(labels.get("le"), str):
            found.add(labels["le"])
    return sorted(found, key=_boundary)


def named_buckets(
    slos: Sequence[SLO], readings: dict[str, Reading], boundaries_of: Callable[[str], list[str]]
) -> dict[str, Reading]:
    """A latency SLI without its bucket gets the boundaries that exist in its error."""
    for slo in slos:
        reading = readings[slo.name]
        if reading.error and reading.error.startswith(NO_BUCKET):
            assert isinstance(slo.sli, EventsSLI) and slo.sli.bucket is not None
            found = boundaries_of(slo.sli.bucket.series)
            readings[slo.name] = Reading(period=None, error=no_bucket(slo, found))
    return readings


def _boundary(le: str) -> float:
    try:
        return float(le)
    except ValueError:
        return math.inf
