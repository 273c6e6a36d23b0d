"""Reading recorded hours (bot.metrics.recorded) for one evaluation, at its pinned instant."""

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bot.metrics.composition import Recorded, Windowed, composable
from bot.metrics.errors import QueryRejected
from bot.metrics.recorded import parse_samples, selectors

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
        self.present = bool(samples)
        if not samples:
            self._absent_until = time.monotonic() + ABSENT_FOR
        return samples
