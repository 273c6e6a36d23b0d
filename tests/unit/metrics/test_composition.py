"""Long windows composed from recorded hours, clock hours and raw pieces (pure parts)."""

import math

import pytest

from bot.domain.slo import EventsQuery, QueryKind
from bot.metrics.composition import Windowed, plan_composition
from bot.metrics.exclusion_pieces import plan_excluded, take_out
from bot.metrics.hourly import HourlyCache
from bot.metrics.promql import Term, TermError
from bot.metrics.recorded import HOUR_MS, cover, fingerprint, parse_samples, selectors

T = 1_772_452_800_000  # 2026-03-02T12:00:00Z in ms, a whole hour
MIN = 60_000
DAY_MS = 24 * HOUR_MS
OFFSET = 17 * MIN + 23_456  # a rule group's own offset within the hour


def hourly(first_end: int, count: int, value: float = 10.0) -> list[tuple[int, float]]:
    return [(first_end + i * HOUR_MS, value) for i in range(count)]


@pytest.mark.parametrize(
    ("samples", "start", "end", "events", "gaps"),
    [
        ([], T - DAY_MS, T, None, ((T - DAY_MS, T),)),
        # a live group's hours: a head before the first, a tail after the last
        (
            hourly(T - DAY_MS + OFFSET + HOUR_MS, 23),
            T - DAY_MS,
            T,
            230.0,
            ((T - DAY_MS, T - DAY_MS + OFFSET), (T - HOUR_MS + OFFSET, T)),
        ),
        # a sample whose hour crosses the window's start, or that lies after its end, is left
        (hourly(T - DAY_MS + OFFSET, 25), T - DAY_MS, T, 230.0, None),
        # backfilled clock hours, then a live group's offset: the overlapping hour is skipped
        (
            hourly(T - 9 * HOUR_MS, 5) + hourly(T - 5 * HOUR_MS + OFFSET, 4),
            T - 10 * HOUR_MS,
            T,
            80.0,
            ((T - 6 * HOUR_MS, T - 6 * HOUR_MS + OFFSET), (T - 2 * HOUR_MS + OFFSET, T)),
        ),
        # an hour missing in the middle (Prometheus was down) is a gap of its own
        (
            [s for s in hourly(T - 9 * HOUR_MS, 9) if s[0] != T - 4 * HOUR_MS],
            T - 10 * HOUR_MS,
            T,
            80.0,
            ((T - 5 * HOUR_MS, T - 4 * HOUR_MS), (T - HOUR_MS, T)),
        ),
    ],
)  # fmt: skip
def test_cover(
    samples: list[tuple[int, float]],
    start: int,
    end: int,
    events: float | None,
    gaps: tuple[tuple[int, int], ...] | None,
) -> None:
    got = cover(samples, start, end)
    assert got.events == events
    if gaps is not None:
        assert got.gaps == gaps
    # the taken hours and the gaps partition the window: nothing twice, nothing left out
    taken = 0 if events is None else round(events / 10) * HOUR_MS
    assert taken + sum(b - a for a, b in got.gaps) == end - start


QUERY = EventsQuery('sum(increase(x{a="b"}[{{.window}}]))', QueryKind.COUNT)
RATE = EventsQuery('sum(rate(x{a="b"}[{{.window}}]))', QueryKind.RATE)


def item(query: EventsQuery = QUERY, seconds: int = 7 * 86400) -> Windowed:
    return Windowed(Term(("s", "period", "total"), "ignored"), "s", query, seconds)


def lengths(plan: object) -> int:
    """ms covered by a plan's one composed term: raw pieces plus clock hours."""
    c = plan.composed[0]  # type: ignore[attr-defined]
    return sum(p.length for p in c.pieces) + sum(len(r) for r in c.hours) * HOUR_MS


@pytest.mark.parametrize("at", [T, T + OFFSET, T + 5 * MIN + 1])
def test_a_cold_window_is_raw_head_clock_hours_and_raw_tail(at: int) -> None:
    plan = plan_composition([item()], at, recorded={}, hourly=True)
    assert not plan.direct and lengths(plan) == 7 * DAY_MS
    c = plan.composed[0]
    assert len(c.hours) == 1 and len(c.pieces) <= 2 and c.recorded is None
    assert all(p.length < 2 * HOUR_MS for p in c.pieces)


def test_recorded_hours_leave_only_short_raw_pieces() -> None:
    samples = {("s", fingerprint(QUERY)): hourly(T - 7 * DAY_MS + OFFSET + HOUR_MS, 167, 1.0)}
    plan = plan_composition([item()], T, recorded=samples, hourly=True)
    c = plan.composed[0]
    assert c.recorded == 167.0 and c.read_recorded and not c.hours and not plan.hours
    assert sum(p.length for p in c.pieces) + 167 * HOUR_MS == 7 * DAY_MS
    assert sorted(plan.pieces) == [T - 7 * DAY_MS + OFFSET, T]  # one batch per instant


def test_an_edited_query_is_not_read_from_the_old_recordings() -> None:
    samples = {("s", fingerprint(RATE)): hourly(T - 7 * DAY_MS + OFFSET + HOUR_MS, 167)}
    plan = plan_composition([item()], T, recorded=samples, hourly=True)
    assert plan.composed[0].recorded is None and plan.composed[0].hours


def test_without_hours_or_recordings_a_term_is_read_as_it_is() -> None:
    assert plan_composition([item()], T, recorded={}, hourly=False).direct
    assert plan_composition([item(seconds=6 * 3600)], T, recorded={}, hourly=True).direct


def test_combine_adds_recorded_hours_clock_hours_and_pieces_in_the_query_kind() -> None:
    samples = {("s", fingerprint(RATE)): hourly(T - 3 * DAY_MS + 2 * HOUR_MS, 24, 3600.0)}
    plan = plan_composition([item(RATE, 3 * 86400)], T + OFFSET, recorded=samples, hourly=True)
    c = plan.composed[0]
    cache = HourlyCache()
    for expr, run in plan.hours.items():
        cache.store(expr, run, [7200.0] * len(run))
    values = {("piece", c.key, i): 2.0 for i in range(len(c.pieces))}  # 2 events/s
    events = 24 * 3600 + sum(len(r) for r in c.hours) * 7200 + sum(p.length for p in c.pieces) / 500
    got = plan.combine(values, cache)[c.key]
    assert got == pytest.approx(events / (3 * 86400))  # a rate again


@pytest.mark.parametrize("garbage", [math.inf, -math.inf, TermError("no")])
def test_a_garbage_piece_is_an_error_never_dropped(garbage: float | TermError) -> None:
    plan = plan_composition([item()], T + OFFSET, recorded={}, hourly=True)
    c = plan.composed[0]
    got = plan.combine({("piece", c.key, 0): garbage, ("piece", c.key, 1): 5.0}, HourlyCache())
    assert isinstance(got[c.key], TermError)


def test_no_piece_with_a_series_is_no_data() -> None:
    plan = plan_composition([item()], T + OFFSET, recorded={}, hourly=True)
    assert plan.combine({}, HourlyCache())[plan.composed[0].key] is None


def test_parse_samples_leaves_out_what_cannot_be_read_as_hours() -> None:
    rows = [
        {"metric": {"budgetbot_slo": "a", "budgetbot_sli": "f"},
         "values": [[1.5, "3"], [0.5, "NaN"], [2.5, "-1"], [3.5, "4"]]},
        {"metric": {"budgetbot_slo": "b", "budgetbot_sli": "f", "x": "1"}, "values": [[1, "1"]]},
        {"metric": {"budgetbot_slo": "b", "budgetbot_sli": "f", "x": "2"}, "values": [[1, "1"]]},
    ]  # fmt: skip
    assert parse_samples(rows) == {("a", "f"): [(1500, 3.0), (3500, 4.0)]}


def test_selectors_stay_under_the_query_limit_and_escape_names() -> None:
    names = [f"checkout.v{i}-availability" for i in range(300)]
    queries = selectors(names, 30 * 86400, 2000)
    assert len(queries) > 1 and all(len(q) <= 2000 for q in queries)
    assert r"checkout\.v7-availability" in queries[0] and queries[0].endswith("[30d]")
    # each query: one | between the two records, and one between each two of its names
    assert sum(q.count("|") for q in queries) == 300


def excluded_item(
    value_key: tuple[str, str, str], stretches: tuple[tuple[int, int], ...]
) -> Windowed:
    return Windowed(Term(value_key, "x"), "s", QUERY, 7 * 86400, stretches)


@pytest.mark.parametrize("garbage", [math.nan, -5.0, math.inf])
def test_a_garbage_value_with_exclusions_is_left_to_be_reported(garbage: float) -> None:
    item = excluded_item(("s", "period", "bad"), ((T - HOUR_MS, T),))
    assert take_out([item], {item.term.key: garbage, ("excluded", item.term.key, 0): 1.0}) == {}
    piece = take_out([item], {item.term.key: 10.0, ("excluded", item.term.key, 0): garbage})
    assert isinstance(piece[item.term.key], TermError)  # never "no errors"


def test_excluded_pieces_are_taken_out_and_a_window_excluded_whole_counts_nothing() -> None:
    item = excluded_item(("s", "period", "total"), ((T - 2 * HOUR_MS, T - HOUR_MS),))
    got = take_out([item], {item.term.key: 100.0, ("excluded", item.term.key, 0): 30.0})
    assert got == {item.term.key: 70.0}
    assert plan_excluded([item]) == {T - HOUR_MS: [Term(("excluded", item.term.key, 0),
                                     'sum(increase(x{a="b"}[1h]))')]}  # fmt: skip
    everything = excluded_item(("s", "period", "total"), ((T - 7 * DAY_MS, T),))
    assert plan_excluded([everything]) == {}
    assert take_out([everything], {everything.term.key: 100.0}) == {everything.term.key: 0.0}
