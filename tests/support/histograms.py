"""A latency histogram with exact counts, for the latency SLI's truth tests.

One service, `api`, serves REQUESTS requests a minute, timed into buckets le = 0.1, 0.25,
0.5, 1.0 and +Inf (the Python client's spelling: "1.0"). Normally FAST of them are within
each boundary; in the last SLOW_HOURS hours fewer are (SLOW). Counters start at 0 at START.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.demo.prometheus import LocalPrometheus, PrometheusMissing

METRIC = "http_request_duration_seconds"
BOUNDARIES = ("0.1", "0.25", "0.5", "1.0", "+Inf")
REQUESTS = 100  # a minute
FAST = {"0.1": 60, "0.25": 90, "0.5": 97, "1.0": 99, "+Inf": 100}
SLOW = {"0.1": 30, "0.25": 70, "0.5": 90, "1.0": 98, "+Inf": 100}
SLOW_HOURS = 6
END = datetime(2026, 6, 3, 12, tzinfo=UTC)
START = END - timedelta(days=2)


@dataclass(frozen=True)
class Histogram:
    url: str
    end: datetime

    def good(self, le: str, start: datetime, end: datetime) -> int:
        """Requests within `le` in the minutes ending in (start, end]."""
        return sum(_per_minute(t)[le] for t in _minutes() if start < t <= end)

    def total(self, start: datetime, end: datetime) -> int:
        return self.good("+Inf", start, end)


def _minutes() -> Iterator[datetime]:
    t = START + timedelta(minutes=1)
    while t <= END:
        yield t
        t += timedelta(minutes=1)


def _per_minute(t: datetime) -> Mapping[str, int]:
    return SLOW if t > END - timedelta(hours=SLOW_HOURS) else FAST


def render() -> str:
    lines = [f"# TYPE {METRIC} histogram"]
    counts = dict.fromkeys(BOUNDARIES, 0)
    lines += [
        f'{METRIC}_bucket{{service="api",le="{le}"}} 0 {START.timestamp():.0f}' for le in BOUNDARIES
    ]
    lines += [f'{METRIC}_count{{service="api"}} 0 {START.timestamp():.0f}']
    lines += [f'{METRIC}_sum{{service="api"}} 0 {START.timestamp():.0f}']
    for t in _minutes():
        for le in BOUNDARIES:
            counts[le] += _per_minute(t)[le]
        stamp = f"{t.timestamp():.0f}"
        lines += [
            f'{METRIC}_bucket{{service="api",le="{le}"}} {counts[le]} {stamp}' for le in BOUNDARIES
        ]
        lines += [f'{METRIC}_count{{service="api"}} {counts["+Inf"]} {stamp}']
        lines += [f'{METRIC}_sum{{service="api"}} {counts["+Inf"] * 0.1:.1f} {stamp}']
    return "\n".join([*lines, "# EOF", ""])


@pytest.fixture(scope="module")
def histogram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Histogram]:
    """A fresh Prometheus holding the histogram, for one test module."""
    workdir = tmp_path_factory.mktemp("histogram")
    try:
        server = LocalPrometheus(workdir)
    except PrometheusMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    data = workdir / "histogram.om"
    data.write_text(render(), encoding="ascii")
    with server:
        server.backfill([data])
        server.start()
        yield Histogram(server.url, END)
