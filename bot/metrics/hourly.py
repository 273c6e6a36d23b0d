"""Clock hours read once and then reused: the cache of a running process. Pure.

A stretch of a long window that spans two hours or more (bot.metrics.composition) is read
as the whole hours [h - 1h, h] inside it, by a range query (step 1h), and the events of
each hour are kept per expression, so later evaluations read only the raw pieces at the
stretch's edges, each under about an hour of samples. Hours that ended less than SETTLE
seconds ago are not kept: late samples may still arrive for them.

Each hour is turned into events by its query's kind (a per-second rate times its seconds,
a count as it is). It is exact where Prometheus's own `rate()` and `increase()` are: piece
boundaries share their samples (range selectors include both ends), so the increases add
up.
"""

import math
from array import array
from collections.abc import Sequence

HOUR = 3600
SETTLE = 600  # seconds after an hour ends before its increase is kept
COMPOSE_FROM = 86_400  # windows at least this long (seconds) are composed
KEEP_HOURS = 24 * 100  # the longest window served from the cache, in hours


def whole_hours(start: int, end: int, now: int) -> tuple[int, int] | None:
    """The settled whole hours inside the stretch [start, end] (Unix seconds) as (a, b):
    the hours [h - 1h, h] for a < h <= b; None when fewer than two."""
    first = -(-start // HOUR) * HOUR  # the first whole hour at or after the start
    last = min(end, now - SETTLE) // HOUR * HOUR  # the last settled whole hour in it
    if last - first < 2 * HOUR:
        return None
    return first, last


class HourlyCache:
    """Per expression (rendered with a 1h range), its events per hour over contiguous hours.

    Values are the events of the hour before each hour end; NaN stands for "no sample".
    """

    def __init__(self) -> None:
        self._series: dict[str, tuple[int, array[float]]] = {}

    def missing(self, expr: str, hours: range) -> list[range]:
        """The runs of hour ends in `hours` that are not cached (at most two)."""
        cached = self._series.get(expr)
        if cached is None or not hours:
            return [hours] if hours else []
        first, values = cached
        last = first + HOUR * (len(values) - 1)
        if hours.stop <= first - HOUR or hours.start > last + HOUR:
            return [hours]  # disjoint: refetch it all (replaced on store)
        runs = []
        if hours.start < first:
            runs.append(range(hours.start, first, HOUR))
        if hours[-1] > last:
            runs.append(range(last + HOUR, hours.stop, HOUR))
        return runs

    def store(self, expr: str, hours: range, events: Sequence[float]) -> None:
        """Keep the events of the hour ends `hours`, joined to what is cached when adjacent."""
        new = array("d", events)
        cached = self._series.get(expr)
        if cached is not None:
            first, values = cached
            last = first + HOUR * (len(values) - 1)
            if hours.stop == first:
                new, hours = new + values, range(hours.start, last + HOUR, HOUR)
            elif hours.start == last + HOUR:
                new, hours = values + new, range(first, hours.stop, HOUR)
        drop = max(0, len(new) - KEEP_HOURS)
        self._series[expr] = (hours.start + drop * HOUR, new[drop:])

    def events(self, expr: str, hours: range) -> float | None:
        """Events counted over the hours; None if no hour had a sample."""
        cached = self._series.get(expr)
        if cached is None or not hours:
            return None
        first, values = cached
        lo = (hours.start - first) // HOUR
        chosen = values[max(0, lo) : max(0, lo + len(hours))]
        present = [v for v in chosen if not math.isnan(v)]
        return sum(present) if present else None
