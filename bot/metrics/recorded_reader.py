"""Reading recorded hours (bot.metrics.recorded) for one evaluation, at its pinned instant."""

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.metrics.composition import Recorded, Windowed, composable
from bot.metrics.errors import QueryRejected
from bot.metrics.recorded import HOUR_MS, fingerprint, parse_samples, selectors

ABSENT_FOR = 600.0  # seconds: after an answer without any recorded hour, asked again then

Query = Callable[[str, datetime], list[dict[str, object]]]


class RecordedReader:
    """The recorded samples of the SLOs whose windows are composed, in few range selectors.

    Where Prometheus holds none (no rules loaded), a running process asks again only
    every ABSENT_FOR seconds, so it costs one cheap query now and then.
    """

    def __init__(self, query: Query, *, max_query_chars: int, concurrency: int) -> None:
        self._query = query
        self._max_chars = max_query_chars
        self._concurrency = concurrency
        self._absent_until = 0.0
        self.present: bool | None = None  # recorded hours seen in the last answer; None: unasked
        self.earliest: datetime | None = None  # the earliest recorded hour's start, last answer
        self.slos = 0  # SLOs with recorded hours in the last answer

    def read(self, items: Sequence[Windowed], at: datetime) -> Recorded:
        wanted = [i for i in items if composable(i)]
        if not wanted or time.monotonic() < self._absent_until:
            return {}
        longest = max(i.seconds for i in wanted)
        names = sorted({i.slo for i in wanted})
        queries = selectors(names, longest, self._max_chars)
        with ThreadPoolExecutor(max_workers=max(1, min(self._concurrency, len(queries)))) as pool:
            try:
                rows = [
                    row for got in pool.map(lambda q: self._query(q, at), queries) for row in got
                ]
            except QueryRejected:  # a store that refuses the selector: everything is read raw
                rows = []
        samples = parse_samples(rows)
        firsts = [points[0][0] for points in samples.values() if points]
        self.present = bool(firsts)
        self.earliest = (
            datetime.fromtimestamp((min(firsts) - HOUR_MS) / 1000, UTC) if firsts else None
        )
        self.slos = len({slo for slo, _ in samples})
        if not samples:
            self._absent_until = time.monotonic() + ABSENT_FOR
        return samples

    def since(self, items: Sequence[Windowed], at: datetime) -> dict[str, datetime | None]:
        """Per SLO of `items`, the start of its earliest recorded hour inside its window
        (None: none, or only recorded for queries it no longer has)."""
        samples = self.read(items, at)
        firsts: dict[str, list[int]] = {item.slo: [] for item in items}
        at_ms = round(at.timestamp() * 1000)
        for item in items:
            points = samples.get((item.slo, fingerprint(item.query))) if item.query else None
            inside = [t for t, _ in points or () if t - HOUR_MS >= at_ms - item.seconds * 1000]
            if inside:
                firsts[item.slo].append(inside[0])
        return {
            name: datetime.fromtimestamp((min(f) - HOUR_MS) / 1000, UTC) if f else None
            for name, f in firsts.items()
        }

    def summary(self) -> dict[str, object]:
        """What /healthz says: whether the last evaluation found recorded hours, since when."""
        if self.present is None:
            return {"present": None, "note": "no evaluation has read them yet"}
        since = self.earliest.isoformat().replace("+00:00", "Z") if self.earliest else None
        return {"present": self.present, "slos": self.slos, "since": since}
