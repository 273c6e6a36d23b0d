"""check-config --live: each SLO query sent once to Prometheus, counting the series it
returns; a latency SLI's bucket at its threshold is looked for too, and when it is none of
the histogram's boundaries, the boundaries that exist are named."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.catalog.summary import slo_queries
from bot.domain.slo import SLO, EventsSLI
from bot.metrics.promql import Term, TermError, TermValue, render


class SeriesCounter(Protocol):
    def evaluate(self, terms: Sequence[Term], at: datetime) -> dict[Hashable, TermValue]:
        """Each term's single value at `at` (None: no series; TermError: rejected)."""
        ...

    def bucket_boundaries(self, series: str, at: datetime) -> list[str]:
        """The `le` values of a histogram's buckets at `at`."""
        ...


BUCKET = "bucket"


@dataclass(frozen=True)
class QueryCheck:
    """What one query returned: "one", "several" or "none" series, or "error" with why."""

    role: str  # error_query, total_query, error_ratio_query, or bucket (a latency SLI's)
    outcome: str
    series: int
    message: str = ""

    @property
    def usable(self) -> bool:
        """One series is right; none is fine for an error query (no errors yet)."""
        return self.outcome == "one" or (self.outcome == "none" and self.role == "error_query")


def live_check(
    source: SeriesCounter, slos: Sequence[SLO], at: datetime
) -> dict[str, list[QueryCheck]]:
    """Every query of every SLO over its window at `at`: how many series it returns."""
    terms = [
        Term((slo.name, role), f"count({render(query, _checked_over(slo))})")
        for slo in slos
        for role, query in slo_queries(slo).items()
    ]
    buckets = {
        slo.name: slo.sli.bucket
        for slo in slos
        if isinstance(slo.sli, EventsSLI) and slo.sli.bucket is not None
    }
    terms += [Term((name, BUCKET), f"count(sum({b.selector}))") for name, b in buckets.items()]
    values = source.evaluate(terms, at)
    checks: dict[str, list[QueryCheck]] = {slo.name: [] for slo in slos}
    for term in terms:
        name, role = str(term.key[0]), str(term.key[1])  # type: ignore[index]
        value = values.get(term.key)
        if role == BUCKET and value is None:
            bucket = buckets[name]
            found = source.bucket_boundaries(bucket.series, at)
            listed = ", ".join(found) if found else "none: no such histogram"
            message = f"no bucket at the threshold {bucket.threshold:g}; boundaries: {listed}"
            checks[name].append(QueryCheck(role, "error", 0, message))
        else:
            checks[name].append(_check(role, value))
    return checks


def _checked_over(slo: SLO) -> int:
    """The window a query is tried over: an hour for timeslices (a 30-day subquery of
    minutes would only try Prometheus's patience), else the SLO's own."""
    return 3600 if slo.slice_size is not None else slo.window


def _check(role: str, value: TermValue) -> QueryCheck:
    if isinstance(value, TermError):
        return QueryCheck(role, "error", 0, value.message)
    if value is not None and not (math.isfinite(value) and value >= 0):
        return QueryCheck(role, "error", 0, f"count() returned {value}")
    count = 0 if value is None else int(value)
    outcome = {0: "none", 1: "one"}.get(count, "several")
    message = {
        "none": "returns no series (a wrong selector, or no such events yet)",
        "several": f"returns {count} series; an SLI query must return one (wrap it in sum())",
    }.get(outcome, "")
    return QueryCheck(role, outcome, count, message)
