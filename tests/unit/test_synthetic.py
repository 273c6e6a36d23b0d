"""The synthetic traffic model: exact counts, episodes, day files and the ground truth."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.demo.scenario import catalog_path, demo_start, demo_traffic, minute_floor
from bot.demo.synthetic import (
    BAD_CODE,
    COUNTER_OFFSET,
    GOOD_CODE,
    Episode,
    ServiceTraffic,
    days,
    generate,
    render_day,
    write_openmetrics,
)

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = 3600


def flat(
    service: str = "svc",
    ratio: float = 0.25,
    episodes: tuple[Episode, ...] = (),
    data_from: datetime | None = None,
) -> ServiceTraffic:
    """A service at 10 req/s without a daily swing: exactly 600 requests a minute."""
    return ServiceTraffic(service, 10.0, ratio, episodes, daily_swing=0.0, data_from=data_from)


def test_flat_traffic_gives_exact_counts_per_minute() -> None:
    truth = generate([flat()], T0, T0 + timedelta(hours=1))
    assert truth.counts("svc", T0, T0 + MIN) == (150, 600)
    assert truth.counts("svc", T0, T0 + timedelta(hours=1)) == (150 * 60, 600 * 60)
    assert truth.error_ratio("svc", T0 + timedelta(hours=1), 300) == 0.25


def test_counts_cover_samples_in_half_open_interval() -> None:
    truth = generate([flat()], T0, T0 + timedelta(hours=1))
    # (t, t] is empty; (t - 1 s, t] holds the sample at t; a window before the data holds none
    assert truth.counts("svc", T0 + 5 * MIN, T0 + 5 * MIN) == (0, 0)
    assert truth.counts("svc", T0 + 5 * MIN - timedelta(seconds=1), T0 + 5 * MIN) == (150, 600)
    assert truth.counts("svc", T0 - timedelta(days=1), T0) == (0, 0)
    # beyond the last sample nothing is added
    end = T0 + timedelta(hours=1)
    assert truth.counts("svc", end, end + timedelta(days=1)) == (0, 0)


def test_counts_add_up_over_adjacent_windows() -> None:
    truth = generate([ServiceTraffic("svc", 33.3, 0.0013)], T0, T0 + timedelta(days=2))
    a, b, c = T0, T0 + timedelta(hours=17, seconds=7), T0 + timedelta(days=2)
    first, second = truth.counts("svc", a, b), truth.counts("svc", b, c)
    assert (first[0] + second[0], first[1] + second[1]) == truth.counts("svc", a, c)


def test_daily_swing_averages_out_over_whole_days() -> None:
    swinging = ServiceTraffic("svc", 12.5, 0.001, daily_swing=0.4)
    truth = generate([swinging], T0, T0 + timedelta(days=2))
    bad, total = truth.counts("svc", T0, T0 + timedelta(days=2))
    assert abs(total - 12.5 * 2 * 86_400) <= 1
    assert abs(bad - 0.001 * total) <= 1
    night = truth.counts("svc", T0 + timedelta(hours=2), T0 + timedelta(hours=4))[1]
    afternoon = truth.counts("svc", T0 + timedelta(hours=14), T0 + timedelta(hours=16))[1]
    assert afternoon > 1.5 * night  # the swing puts the peak at 15:00 UTC, the low at 03:00


def test_error_episode_covers_exactly_its_samples() -> None:
    start = T0 + timedelta(minutes=30)
    truth = generate(
        [flat(ratio=0.0, episodes=(Episode(30 * 60, 2 * HOUR, error_ratio=0.5),))],
        T0,
        T0 + timedelta(hours=4),
    )
    end = start + timedelta(hours=2)
    assert truth.counts("svc", start, end) == (300 * 120, 600 * 120)
    assert truth.counts("svc", T0, start) == (0, 600 * 30)
    assert truth.counts("svc", end, T0 + timedelta(hours=4)) == (0, 600 * 90)


def test_no_traffic_episode_keeps_counters_flat() -> None:
    end = T0 + timedelta(hours=6)
    truth = generate([flat(episodes=(Episode(2 * HOUR, 4 * HOUR, traffic=0.0),))], T0, end)
    assert truth.counts("svc", T0 + timedelta(hours=2), end) == (0, 0)
    assert truth.error_ratio("svc", end, HOUR) is None
    quiet_from = T0 + timedelta(hours=2)
    assert truth.counter("svc", GOOD_CODE, end) == truth.counter("svc", GOOD_CODE, quiet_from)
    assert truth.error_ratio("svc", T0 + timedelta(hours=2), HOUR) == 0.25


def test_later_episode_wins_for_ratio_and_multipliers_multiply() -> None:
    episodes = (
        Episode(0, HOUR, error_ratio=0.1, traffic=2.0),
        Episode(0, HOUR, error_ratio=0.2, traffic=1.5),
    )
    truth = generate([flat(episodes=episodes)], T0, T0 + timedelta(hours=1))
    assert truth.counts("svc", T0, T0 + MIN) == (360, 1800)


def test_data_from_starts_a_service_later() -> None:
    later = T0 + timedelta(days=1)
    truth = generate([flat("a"), flat("b", data_from=later)], T0, T0 + timedelta(days=2))
    assert truth.series("b").first == int(later.timestamp())
    assert truth.counts("b", T0, later) == (0, 0)
    assert truth.counter("b", BAD_CODE, later - MIN) is None
    assert truth.counter("b", BAD_CODE, later) == COUNTER_OFFSET
    day = later + timedelta(days=1)
    assert truth.counts("b", later, day) == truth.counts("a", later, day)


def test_counter_values_start_at_the_offset() -> None:
    truth = generate([flat()], T0, T0 + timedelta(hours=1))
    assert truth.counter("svc", GOOD_CODE, T0) == COUNTER_OFFSET
    assert truth.counter("svc", BAD_CODE, T0 + MIN + timedelta(seconds=59)) == COUNTER_OFFSET + 150
    assert truth.counter("svc", GOOD_CODE, T0 + MIN) == COUNTER_OFFSET + 450
    with pytest.raises(ValueError, match="code"):
        truth.counter("svc", "404", T0)


def test_generation_is_deterministic() -> None:
    services = [ServiceTraffic("x", 7.7, 0.003, (Episode(HOUR, HOUR, 0.3),))]
    one = generate(services, T0, T0 + timedelta(days=1))
    two = generate(services, T0, T0 + timedelta(days=1))
    assert list(one.series("x").bad) == list(two.series("x").bad)
    assert list(one.series("x").good) == list(two.series("x").good)


def test_instants_in_other_time_zones_are_the_same_instants() -> None:
    truth = generate([flat()], T0, T0 + timedelta(hours=1))
    berlin = timezone(timedelta(hours=1))
    at = (T0 + timedelta(hours=1)).astimezone(berlin)
    utc = T0 + timedelta(hours=1)
    assert truth.error_ratio("svc", at, 600) == truth.error_ratio("svc", utc, 600)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (T0.replace(tzinfo=None), T0 + MIN, "timezone-aware"),
        (T0, T0 + timedelta(seconds=90), "whole minute"),
        (T0, T0, "after start"),
    ],
)
def test_generate_refuses_bad_instants(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate([flat()], start, end)


def test_refuses_bad_models() -> None:
    with pytest.raises(ValueError, match="unique"):
        generate([flat("a"), flat("a")], T0, T0 + MIN)
    with pytest.raises(ValueError, match="data_from"):
        generate([flat(data_from=T0 + timedelta(days=1))], T0, T0 + timedelta(hours=1))
    with pytest.raises(ValueError, match="error_ratio"):
        ServiceTraffic("a", 1.0, 1.5)
    with pytest.raises(ValueError, match="service name"):
        ServiceTraffic('a"b', 1.0, 0.1)
    with pytest.raises(ValueError, match="duration"):
        Episode(0, 0, 0.1)
    with pytest.raises(ValueError, match="traffic"):
        Episode(0, 60, traffic=-1.0)


SAMPLE = re.compile(r'^http_requests_total\{service="([^"]+)",code="(\d+)"\} (\d+) (\d+)$')


def parse(text: str) -> list[tuple[str, str, int, int]]:
    """(service, code, value, unix seconds) of each sample line of an OpenMetrics text."""
    lines = text.splitlines()
    assert lines[:2] == [
        "# HELP http_requests Synthetic HTTP requests by service and status code.",
        "# TYPE http_requests counter",
    ]
    assert lines[-1] == "# EOF"
    samples = []
    for line in lines[2:-1]:
        match = SAMPLE.match(line)
        assert match, line
        samples.append((match[1], match[2], int(match[3]), int(match[4])))
    return samples


def test_day_text_groups_series_in_time_order() -> None:
    end = T0 + timedelta(days=1, hours=2)
    truth = generate([flat("a"), flat("b", data_from=T0 + timedelta(hours=23))], T0, end)
    assert days(truth) == [date(2026, 3, 1), date(2026, 3, 2)]
    samples = parse(render_day(truth, date(2026, 3, 1)))
    keys = [(s, c) for s, c, _, _ in samples]
    assert list(dict.fromkeys(keys)) == [("a", "200"), ("a", "500"), ("b", "200"), ("b", "500")]
    assert keys.count(("a", "200")) == 1440 and keys.count(("b", "500")) == 60
    for key in dict.fromkeys(keys):
        stamps = [t for s, c, _, t in samples if (s, c) == key]
        assert stamps == sorted(stamps) and stamps[-1] == int(T0.timestamp()) + 86_400 - 60
    # the next day starts at midnight and holds the last sample, at `end`
    second = parse(render_day(truth, date(2026, 3, 2)))
    assert min(t for *_, t in second) == int(T0.timestamp()) + 86_400
    assert max(t for *_, t in second) == int(end.timestamp())
    assert parse(render_day(truth, date(2026, 3, 3))) == []


def test_written_files_hold_every_sample_with_the_truths_values(tmp_path: Path) -> None:
    end = T0 + timedelta(days=2, minutes=7)
    services = [ServiceTraffic("a", 3.3, 0.01, (Episode(HOUR, HOUR, 0.5),)), flat("b")]
    truth = generate(services, T0 - timedelta(hours=3), end)
    paths = write_openmetrics(truth, tmp_path / "om")
    assert [p.name for p in paths] == [
        "http_requests-2026-02-28.om",
        "http_requests-2026-03-01.om",
        "http_requests-2026-03-02.om",
        "http_requests-2026-03-03.om",
    ]
    samples = [s for p in paths for s in parse(p.read_text(encoding="ascii"))]
    assert len(samples) == 2 * 2 * len(truth.series("a").good)
    for service, code, value, stamp in samples:
        assert value == truth.counter(service, code, datetime.fromtimestamp(stamp, UTC))


def test_demo_scenario_builds_and_ships_its_catalog() -> None:
    end = minute_floor(datetime(2026, 11, 23, 14, 37, 12, tzinfo=UTC))
    assert end == datetime(2026, 11, 23, 14, 37, tzinfo=UTC)
    truth = generate(demo_traffic(end), demo_start(end), end)
    assert truth.services == ("checkout", "payments-api", "search", "export")
    # docs/architecture.md, Budget math: burn rate = e(w) / B; 1h/5m page at 14.4 for a 99.9 % SLO
    for window in (3600, 300):
        ratio = truth.error_ratio("payments-api", end, window)
        assert ratio is not None and ratio / 0.001 > 14.4
    month = {s: truth.error_ratio(s, end, 30 * 86_400) for s in truth.services}
    assert month["export"] is not None and month["export"] / 0.01 > 1.0  # overspent
    assert month["checkout"] is not None and 0.75 < month["checkout"] / 0.001 < 1.0  # caution
    assert catalog_path().is_file()
