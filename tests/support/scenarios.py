"""The named test services and their traffic: the ground truth behind the `prom` fixture.

Rates are requests/s (daily mean), error ratios are ratios (0.0005 = 0.05 %). Data runs
from START to END, 32 days, so 30-day windows evaluated up to 2 days before END see only
real samples (no extrapolation at the window's start).
"""

from datetime import UTC, datetime, timedelta

from bot.demo.synthetic import Episode, ServiceTraffic

END = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the pinned "now": the last sample
SPAN = 32 * 86_400  # seconds of data before END
START = END - timedelta(seconds=SPAN)
HOUR = 3600
DAY = 86_400


def _before_end(seconds: int) -> int:
    """An episode offset (seconds from START) that begins `seconds` before END."""
    return SPAN - seconds


SCENARIOS: dict[str, ServiceTraffic] = {
    s.service: s
    for s in (
        ServiceTraffic("steady", rate=40.0, error_ratio=0.0005),
        # 25 % errors for 2 h, starting exactly 5 days before END
        ServiceTraffic(
            "incident",
            rate=30.0,
            error_ratio=0.0005,
            episodes=(Episode(_before_end(5 * DAY), 2 * HOUR, error_ratio=0.25),),
        ),
        # the last 30 minutes at 30 % errors
        ServiceTraffic(
            "fastburn",
            rate=25.0,
            error_ratio=0.0005,
            episodes=(Episode(_before_end(1800), 1800, error_ratio=0.30),),
        ),
        # the last 3 days at 0.25 % errors (2.5x the burn of a 99.9 % SLO)
        ServiceTraffic(
            "slowburn",
            rate=20.0,
            error_ratio=0.0005,
            episodes=(Episode(_before_end(3 * DAY), 3 * DAY, error_ratio=0.0025),),
        ),
        # 0.2 % errors all month: twice a 99.9 % budget
        ServiceTraffic("overspent", rate=15.0, error_ratio=0.002),
        # no requests at all in the last 4 hours (the counters stay flat)
        ServiceTraffic(
            "quiet",
            rate=10.0,
            error_ratio=0.0005,
            episodes=(Episode(_before_end(4 * HOUR), 4 * HOUR, traffic=0.0),),
        ),
        # one whole alert episode: a slow burn (0.3 %) from 4 days to 12 hours before END,
        # with 30 minutes at 30 % errors 13 hours before END; quiet after that
        ServiceTraffic(
            "episode",
            rate=20.0,
            error_ratio=0.0005,
            episodes=(
                Episode(_before_end(4 * DAY), 4 * DAY - 12 * HOUR, error_ratio=0.003),
                Episode(_before_end(13 * HOUR), 1800, error_ratio=0.30),
            ),
        ),
        # a young service: samples only in the last 28 days (use it with a 28d window)
        ServiceTraffic("short", rate=12.0, error_ratio=0.0005, data_from=END - timedelta(days=28)),
        # calendar periods: 20 % errors for 1 h before the UTC month's start (Feb 28 16:00,
        # already March in Tokyo) and 5 % for 1 h after it (Mar 1 06:00), so a rolling
        # reading and a reading of the wrong period both give other figures
        ServiceTraffic(
            "calendar",
            rate=20.0,
            error_ratio=0.0005,
            episodes=(
                Episode(_before_end(DAY + 20 * HOUR), HOUR, error_ratio=0.20),
                Episode(_before_end(DAY + 6 * HOUR), HOUR, error_ratio=0.05),
            ),
        ),
        # low traffic: about 72 requests an hour, none failing until 5 % in the last hour
        ServiceTraffic(
            "trickle",
            rate=0.02,
            error_ratio=0.0,
            episodes=(Episode(_before_end(HOUR), HOUR, error_ratio=0.05),),
        ),
        # no error at all until 3 days before END, then 1 %: the code="500" series is born
        # inside every window longer than 3 days, counting from 0 (as client libraries do)
        ServiceTraffic(
            "born",
            rate=20.0,
            error_ratio=0.0,
            episodes=(Episode(_before_end(3 * DAY), 3 * DAY, error_ratio=0.01),),
            errors_series_lazy=True,
        ),
    )
}
