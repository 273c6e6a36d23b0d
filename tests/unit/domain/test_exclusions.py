"""Budget exclusions' occurrences, filters and merged stretches (bot.domain.exclusions)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.exclusions import Exclusion, excluded, merged, seconds

H = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def weekly(**kw: object) -> Exclusion:
    """Sundays 02:00-04:00 Berlin time, from 1 March 2026 (winter time)."""
    fields: dict[str, object] = {
        "name": "db-failover", "start": at("2026-03-01T02:00:00+01:00"), "duration": 7200,
        "reason": "planned failover test", "recurrence": "FREQ=WEEKLY;BYDAY=SU",
        "timezone": "Europe/Berlin",
    } | kw  # fmt: skip
    return Exclusion(**fields)  # type: ignore[arg-type]


def test_a_weekly_exclusion_keeps_its_wall_clock_across_daylight_saving() -> None:
    found = weekly().occurrences(at("2026-03-20T00:00:00Z"), at("2026-04-06T00:00:00Z"))
    starts = [s.isoformat() for s, _ in found]
    assert starts == [
        "2026-03-22T01:00:00+00:00",  # 02:00 CET
        "2026-03-29T01:00:00+00:00",  # 29 March: 02:00 does not exist, read with the winter
        "2026-04-05T00:00:00+00:00",  # offset (03:00 CEST); then 02:00 CEST again
    ]
    assert all(e - s == 2 * H for s, e in found)


def test_a_one_off_exclusion_and_one_crossing_the_window_start() -> None:
    once = Exclusion("load-test", at("2026-03-10T10:00:00Z"), 3 * 3600, "agreed with product")
    assert once.occurrences(at("2026-03-10T12:00:00Z"), at("2026-03-11T00:00:00Z")) == [
        (at("2026-03-10T10:00:00Z"), at("2026-03-10T13:00:00Z"))
    ]
    clipped = excluded(
        [once], "a", "s", "t", at("2026-03-10T12:00:00Z"), at("2026-03-12T00:00:00Z")
    )
    assert clipped == [(at("2026-03-10T12:00:00Z"), at("2026-03-10T13:00:00Z"))]
    assert once.occurrences(at("2026-03-10T13:00:00Z"), at("2026-03-11T00:00:00Z")) == []


def test_overlapping_exclusions_are_counted_once() -> None:
    a = Exclusion("a", at("2026-03-10T10:00:00Z"), 7200, "x")
    b = Exclusion("b", at("2026-03-10T11:00:00Z"), 7200, "y")
    c = Exclusion("c", at("2026-03-10T13:00:00Z"), 600, "z")  # touches b's end
    got = excluded(
        [a, b, c], "slo", "svc", "team", at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z")
    )
    assert got == [(at("2026-03-10T10:00:00Z"), at("2026-03-10T13:10:00Z"))]
    assert seconds(got) == 3 * 3600 + 600


@pytest.mark.parametrize(
    ("filters", "covered"),
    [
        ({}, True),  # no filter: every SLO
        ({"slos": frozenset({"checkout-availability"})}, True),
        ({"slos": frozenset({"other"})}, False),
        ({"services": frozenset({"checkout"})}, True),
        ({"teams": frozenset({"search"})}, False),
        ({"teams": frozenset({"payments"}), "slos": frozenset({"x"})}, True),
    ],
)
def test_filters(filters: dict[str, frozenset[str]], covered: bool) -> None:
    exclusion = weekly(**filters)
    assert exclusion.applies_to("checkout-availability", "checkout", "payments") is covered


def test_next_start_is_the_first_occurrence_not_ended() -> None:
    rule = weekly()
    assert rule.next_start(at("2026-03-22T01:30:00Z")) == at("2026-03-22T01:00:00Z")  # running
    assert rule.next_start(at("2026-03-22T03:00:00Z")) == at("2026-03-29T01:00:00Z")
    once = Exclusion("x", at("2026-03-10T10:00:00Z"), 60, "r")
    assert once.next_start(at("2026-03-10T10:00:30Z")) == at("2026-03-10T10:00:00Z")
    assert once.next_start(at("2026-03-10T10:01:00Z")) is None
    ended = weekly(recurrence="FREQ=WEEKLY;BYDAY=SU;COUNT=2")
    assert ended.next_start(at("2026-04-01T00:00:00Z")) is None


def test_merged_joins_in_order() -> None:
    t = at("2026-03-10T00:00:00Z")
    assert merged([(t + 3 * H, t + 4 * H), (t, t + H), (t + H, t + 2 * H)]) == [
        (t, t + 2 * H), (t + 3 * H, t + 4 * H)
    ]  # fmt: skip


def test_an_occurrence_on_the_spring_forward_day_lasts_its_real_duration() -> None:
    """01:30 Berlin on 29 March is 00:30 UTC; two hours later it is 02:30 UTC."""
    early = weekly(start=at("2026-03-01T01:30:00+01:00"))
    assert early.occurrences(at("2026-03-29T02:00:00Z"), at("2026-03-29T03:00:00Z")) == [
        (at("2026-03-29T00:30:00Z"), at("2026-03-29T02:30:00Z"))
    ]
