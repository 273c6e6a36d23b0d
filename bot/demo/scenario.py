"""The demo's story: four services over the 40 days before `end`, each showing one budget state.

Forty days of data let the 30-day window that ends at the checkout incident see only
real samples, so its budget share is exact.

- checkout (99.9 %): a SEV1 incident about 10 days ago (2 h at 30 % errors, at night
  UTC); about 80 % of the budget spent, so the gate says caution.
- payments-api (99.9 %): a fast burn now (the last 40 min at 20 % errors), so the
  1h/5m page fires (burn rate ~130 > 14.4).
- search (99.5 %): a slow burn (the last 2 days at 1 % errors, 2x its budget rate), so
  the 3d/6h ticket fires (burn rate ~1.4 > 1) but no page.
- export (99.0 %, staging): overspent (a bad stretch 14 to 10 days ago at 6 % errors);
  about 115 % of the budget spent, frozen, though not burning now.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.demo.synthetic import Episode, ServiceTraffic

SPAN = 40 * 86_400  # seconds of data before `end`: 30-day windows up to 10 days back
_HOUR = 3600
_DAY = 86_400


def minute_floor(at: datetime) -> datetime:
    """`at` (aware) rounded down to a whole UTC minute: a valid `end` for the demo data."""
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def demo_start(end: datetime) -> datetime:
    """The first sample of the demo data: SPAN seconds before `end`."""
    return end - timedelta(seconds=SPAN)


def demo_traffic(end: datetime) -> list[ServiceTraffic]:
    """The demo services' traffic for data from demo_start(end) to `end` (whole minute, UTC)."""
    start = demo_start(end)

    def offset(at: datetime) -> int:
        return int((at - start).total_seconds())

    # 02:00-04:00 UTC, the daily low, so the incident's share of the budget barely depends
    # on the time of day the demo runs at
    day = end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    incident = day - timedelta(days=10) + timedelta(hours=2)
    return [
        ServiceTraffic(
            "checkout",
            rate=40.0,
            error_ratio=0.0002,
            episodes=(Episode(offset(incident), 2 * _HOUR, error_ratio=0.30),),
        ),
        ServiceTraffic(
            "payments-api",
            rate=25.0,
            error_ratio=0.0003,
            episodes=(Episode(SPAN - 40 * 60, 40 * 60, error_ratio=0.20),),
        ),
        ServiceTraffic(
            "search",
            rate=30.0,
            error_ratio=0.001,
            episodes=(Episode(SPAN - 2 * _DAY, 2 * _DAY, error_ratio=0.01),),
        ),
        ServiceTraffic(
            "export",
            rate=5.0,
            error_ratio=0.004,
            episodes=(Episode(SPAN - 14 * _DAY, 4 * _DAY, error_ratio=0.06),),
        ),
    ]


def catalog_path() -> Path:
    """The packaged demo catalog (native YAML); its Prometheus URL is a placeholder."""
    return Path(__file__).with_name("catalog.yaml")
