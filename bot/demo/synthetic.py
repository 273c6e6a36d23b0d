"""A deterministic traffic model: per-minute request counters with an exact ground truth.

Everything here is pure except `write_openmetrics`, which writes the day files that
`promtool tsdb create-blocks-from openmetrics` backfills into Prometheus.

A counter sample at instant t carries the requests of the minute (t - 60 s, t]. Samples
sit exactly on whole minutes, so in Prometheus 2.x (whose range selectors include both
ends) `rate(x[w])` evaluated at a sample instant t is exactly (c(t) - c(t - w)) / w,
which is `Truth.counts(service, t - w, t)` divided by w.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

STEP = 60  # seconds between two samples of a counter
COUNTER_OFFSET = 1_000_000_000  # every counter starts here, so rate() never extrapolates to 0
METRIC = "http_requests"  # the OpenMetrics family; samples are named http_requests_total
GOOD_CODE = "200"
BAD_CODE = "500"
_DAY = 86_400
_PEAK = 15 * 3600  # seconds after UTC midnight when the daily traffic peaks


@dataclass(frozen=True)
class Episode:
    """A stretch of unusual traffic; offset and duration in seconds from the model's start."""

    offset: int
    duration: int
    error_ratio: float | None = None  # ratio of failing requests in it; None: the baseline's
    traffic: float = 1.0  # multiplier on the request rate; 0: no requests (counters stay flat)

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"episode duration must be positive, got {self.duration} s")
        if self.error_ratio is not None and not 0.0 <= self.error_ratio <= 1.0:
            raise ValueError(f"episode error_ratio must be in [0, 1], got {self.error_ratio}")
        if self.traffic < 0:
            raise ValueError(f"episode traffic multiplier must be >= 0, got {self.traffic}")


@dataclass(frozen=True)
class ServiceTraffic:
    """One service's traffic: mean rate in requests/s, baseline error ratio, episodes."""

    service: str
    rate: float
    error_ratio: float
    episodes: tuple[Episode, ...] = ()
    daily_swing: float = 0.3  # ratio: the rate swings +-30 % around its mean over a UTC day
    data_from: datetime | None = None  # first sample, when later than the model's start
    # As client libraries do: the error series appears with the first error, counting from 0.
    errors_series_lazy: bool = False

    def __post_init__(self) -> None:
        if not self.service or any(c in self.service for c in '"\\\n{}'):
            raise ValueError(f"unusable service name {self.service!r}")
        if self.rate < 0:
            raise ValueError(f"rate must be >= 0 requests/s, got {self.rate}")
        if not 0.0 <= self.error_ratio <= 1.0:
            raise ValueError(f"error_ratio must be in [0, 1], got {self.error_ratio}")
        if not 0.0 <= self.daily_swing < 1.0:
            raise ValueError(f"daily_swing must be in [0, 1), got {self.daily_swing}")


@dataclass(frozen=True, eq=False)
class ServiceSeries:
    """Cumulative good and bad requests per sample; sample k is at Unix second first + 60 k."""

    service: str
    first: int
    good: Sequence[int]
    bad: Sequence[int]
    lazy_bad: bool = False  # the bad series is exported from its first error on, from 0

    @property
    def last(self) -> int:
        """Unix seconds of the last sample."""
        return self.first + STEP * (len(self.good) - 1)

    def cumulative(self, at: float) -> tuple[int, int]:
        """(bad, total) requests counted by the samples at or before `at` (Unix seconds)."""
        if at < self.first:
            return 0, 0
        k = min(int((at - self.first) // STEP), len(self.good) - 1)
        return self.bad[k], self.good[k] + self.bad[k]


class Truth:
    """The exact counts behind the generated counters; instants are aware datetimes."""

    def __init__(self, start: datetime, end: datetime, series: Iterable[ServiceSeries]) -> None:
        self.start = start
        self.end = end
        self._series = {s.service: s for s in series}

    @property
    def services(self) -> tuple[str, ...]:
        """The service names, in the order they were generated."""
        return tuple(self._series)

    def series(self, service: str) -> ServiceSeries:
        """The cumulative counts of one service; KeyError if unknown."""
        return self._series[service]

    def counts(self, service: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(bad, total) requests of the samples in (start, end]."""
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        s = self._series[service]
        bad_end, total_end = s.cumulative(_seconds(end))
        bad_start, total_start = s.cumulative(_seconds(start))
        return bad_end - bad_start, total_end - total_start

    def error_ratio(self, service: str, at: datetime, window_seconds: int) -> float | None:
        """bad/total over (at - window, at] as a ratio; None when there were no requests."""
        bad, total = self.counts(service, at - timedelta(seconds=window_seconds), at)
        return bad / total if total else None

    def counter(self, service: str, code: str, at: datetime) -> int | None:
        """The exported counter's value at `at` (last sample at or before it); None before data."""
        s = self._series[service]
        t = _seconds(at)
        if t < s.first:
            return None
        bad, total = s.cumulative(t)
        if code == BAD_CODE and s.lazy_bad:
            return bad or None  # no series before the first error, then counting from 0
        if code == BAD_CODE:
            return COUNTER_OFFSET + bad
        if code == GOOD_CODE:
            return COUNTER_OFFSET + total - bad
        raise ValueError(f"code must be {GOOD_CODE!r} or {BAD_CODE!r}, got {code!r}")


def generate(traffic: Sequence[ServiceTraffic], start: datetime, end: datetime) -> Truth:
    """Sample every service each 60 s from start to end (aware, whole minutes) into a Truth."""
    first, last = _minute(start, "start"), _minute(end, "end")
    if last <= first:
        raise ValueError(f"end {end} must be after start {start}")
    names = [t.service for t in traffic]
    if len(set(names)) != len(names):
        raise ValueError(f"service names must be unique: {names}")
    return Truth(start, end, [_simulate(t, first, last) for t in traffic])


def _simulate(traffic: ServiceTraffic, model_start: int, end: int) -> ServiceSeries:
    first = model_start
    if traffic.data_from is not None:
        first = _minute(traffic.data_from, f"{traffic.service}: data_from")
        if not model_start <= first < end:
            raise ValueError(f"{traffic.service}: data_from must lie in [start, end)")
    n = (end - first) // STEP + 1
    multiplier = [1.0] * n
    ratio = [traffic.error_ratio] * n
    for ep in traffic.episodes:
        begin = model_start + ep.offset
        # sample k covers (t_k - 60, t_k]; it is in the episode when begin < t_k <= begin + duration
        k_lo = max(1, (begin - first) // STEP + 1)
        k_hi = min(n - 1, (begin + ep.duration - first) // STEP)
        for k in range(k_lo, k_hi + 1):
            multiplier[k] *= ep.traffic
            if ep.error_ratio is not None:
                ratio[k] = ep.error_ratio
    per_minute = _daily_shape(traffic.rate * STEP, traffic.daily_swing)
    m0 = ((first - STEP) % _DAY) // STEP  # minute of the day that sample 0 closes

    good, bad = [0] * n, [0] * n
    expected_total = expected_bad = 0.0
    total = failed = 0
    # Integer counts carry their fractions forward, so totals match the expectation to < 1.
    for k in range(1, n):
        expected_total += per_minute[(m0 + k) % 1440] * multiplier[k]
        new_total = math.floor(expected_total)
        expected_bad += (new_total - total) * ratio[k]
        failed = min(math.floor(expected_bad), failed + new_total - total)
        total = new_total
        good[k] = total - failed
        bad[k] = failed
    return ServiceSeries(traffic.service, first, good, bad, traffic.errors_series_lazy)


def _daily_shape(per_minute: float, swing: float) -> list[float]:
    """Expected requests in each minute of a UTC day (index 0 = 00:00-00:01)."""
    # the middle of minute m, as an angle from the peak: cos() is 1 at the peak, -1 12 h away
    angles = [2 * math.pi * (m * STEP + STEP / 2 - _PEAK) / _DAY for m in range(1440)]
    return [per_minute * (1.0 + swing * math.cos(a)) for a in angles]


def render_day(truth: Truth, day: date) -> str:
    """The OpenMetrics text of the samples in one UTC day [00:00, 24:00); ends with # EOF."""
    day_start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    parts = [
        f"# HELP {METRIC} Synthetic HTTP requests by service and status code.",
        f"# TYPE {METRIC} counter",
    ]
    for name in truth.services:
        s = truth.series(name)
        k_lo = max(0, -((s.first - day_start) // STEP))  # ceil((day_start - first) / STEP)
        k_hi = min(len(s.good), -((s.first - day_start - _DAY) // STEP))
        if k_lo >= k_hi:
            continue
        stamps = range(s.first + STEP * k_lo, s.first + STEP * k_hi, STEP)
        for code, values in ((GOOD_CODE, s.good), (BAD_CODE, s.bad)):
            prefix = f'{METRIC}_total{{service="{name}",code="{code}"}} '
            lazy = s.lazy_bad and code == BAD_CODE
            offset = 0 if lazy else COUNTER_OFFSET
            parts.extend(
                [
                    f"{prefix}{offset + v} {t}"
                    for v, t in zip(values[k_lo:k_hi], stamps, strict=True)
                    if not (lazy and v == 0)  # no series before the first error
                ]
            )
    parts.append("# EOF\n")
    return "\n".join(parts)


def days(truth: Truth) -> list[date]:
    """The UTC days that hold samples, oldest first."""
    first = min(truth.series(n).first for n in truth.services)
    last = max(truth.series(n).last for n in truth.services)
    d0 = datetime.fromtimestamp(first, UTC).date()
    count = (datetime.fromtimestamp(last, UTC).date() - d0).days + 1
    return [d0 + timedelta(days=i) for i in range(count)]


def write_openmetrics(truth: Truth, directory: Path) -> list[Path]:
    """Write one OpenMetrics file per UTC day into directory; returns the paths, oldest first."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for day in days(truth):
        path = directory / f"{METRIC}-{day.isoformat()}.om"
        path.write_text(render_day(truth, day), encoding="ascii")
        paths.append(path)
    return paths


def _seconds(at: datetime) -> float:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at} must be timezone-aware")
    return at.timestamp()


def _minute(at: datetime, what: str) -> int:
    seconds = _seconds(at)
    if seconds % STEP:
        raise ValueError(f"{what} {at} must be a whole minute")
    return int(seconds)
