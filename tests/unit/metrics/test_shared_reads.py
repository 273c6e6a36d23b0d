"""Queries of one shape read together, each sample once (bot.metrics.shared_reads)."""

import math

from bot.catalog.scans import scan_of
from bot.domain.slo import EventsQuery, QueryKind
from bot.metrics.composition import Windowed
from bot.metrics.promql import Term
from bot.metrics.shared_reads import plan_shared_reads, twice

DAY = 86400
WINDOWS = (300, 3600, DAY, 7 * DAY)


def query(service: str, bad: bool) -> EventsQuery:
    code = ',code=~"5.."' if bad else ""
    text = f'sum(increase(http_requests_total{{service="{service}"{code}}}[{{{{.window}}}}]))'
    return EventsQuery(text, QueryKind.COUNT, scan_of(text))


def items(service: str, windows: tuple[int, ...] = WINDOWS) -> list[Windowed]:
    return [
        Windowed(Term((service, w, role), "x"), service, query(service, role == "bad"), w)
        for w in windows
        for role in ("bad", "total")
    ]


def test_one_group_reads_each_series_once_per_segment() -> None:
    plan, alone = plan_shared_reads([*items("a"), *items("b.v2")], 6000)
    assert not alone and len(plan.groups) == 1 and len(plan.terms) == 16
    exprs = [s.expr for s in plan.segments]
    head = 'sum by (code, service) (increase(http_requests_total{service=~"a|b\\\\.v2"}'
    assert exprs == [
        f"{head}[5m]))", f"{head}[55m] offset 5m))", f"{head}[23h] offset 1h))",
        f"{head}[6d] offset 1d))",
    ]  # fmt: skip


def test_fold_sums_the_segments_inside_each_window_over_the_matching_series() -> None:
    plan, _ = plan_shared_reads([*items("a"), *items("b")], 6000)
    per_segment = [  # (service, code): events in each segment, newest first
        {("a", "200"): 10.0, ("a", "503"): 1.0, ("b", "200"): 7.0, ("b", "404"): 2.0},
        {("a", "200"): 100.0, ("a", "503"): 4.0, ("b", "200"): 70.0},
        {("a", "200"): 1000.0, ("b", "200"): 700.0, ("b", "500"): 9.0},
        {("a", "200"): 5000.0, ("a", "500"): 50.0, ("b", "200"): 3500.0},
    ]
    answers = {
        (0, i): [({"service": s, "code": c}, v) for (s, c), v in seg.items()]
        for i, seg in enumerate(per_segment)
    }
    got = plan.fold(answers)
    assert got[("a", 300, "bad")] == 1.0 and got[("a", 300, "total")] == 11.0
    assert got[("a", 3600, "bad")] == 5.0 and got[("b", 3600, "total")] == 79.0
    assert got[("b", DAY, "bad")] == 9.0
    assert got[("a", 7 * DAY, "bad")] == 55.0 and got[("a", 7 * DAY, "total")] == 6165.0
    assert got[("b", 300, "bad")] is None  # no series of b's errors yet: no series, as alone


def test_garbage_is_given_back_as_it_is() -> None:
    plan, _ = plan_shared_reads(items("a"), 6000)
    answers = {
        (0, i): [({"service": "a", "code": "500"}, -5.0 if i == 1 else 1.0)] for i in range(4)
    }
    got = plan.fold(answers)
    assert got[("a", 300, "bad")] == 1.0 and got[("a", 3600, "bad")] == -5.0
    answers[(0, 0)] = [({"service": "a", "code": "500"}, math.nan)]
    assert math.isnan(plan.fold(answers)[("a", 300, "bad")])  # type: ignore[arg-type]


def test_groups_by_metric_and_longest_window_and_chunks_long_selectors() -> None:
    thirty = items("c", (*WINDOWS[:-1], 30 * DAY))
    plan, _ = plan_shared_reads([*items("a"), *thirty], 6000)
    assert len(plan.groups) == 2  # a 7-day SLO's series are not read for 30 days
    many = [i for n in range(200) for i in items(f"service-{n:03d}")]
    plan, _ = plan_shared_reads(many, 1000)
    assert len(plan.groups) > 2 and all(len(s.expr) < 1200 for s in plan.segments)
    assert sum(len(g.scans) for g in plan.groups) == len(many)


def test_queries_of_other_shapes_are_read_alone() -> None:
    text = 'sum(rate(x{a="b"}[{{.window}}]))'
    odd = Windowed(Term(("s", 300, "bad"), text), "s", EventsQuery(text, QueryKind.RATE), 300)
    plan, alone = plan_shared_reads([odd, *items("a")], 6000)
    assert alone == [odd] and len(plan.terms) == 8
    plan, alone = plan_shared_reads(items("a"), 6000, share=False)
    assert not plan.segments and len(alone) == 8


def test_twice_tells_an_answer_no_store_gives() -> None:
    series = [({"a": "1"}, 1.0), ({"a": "2"}, 1.0)]
    assert not twice(series) and twice([*series, ({"a": "1"}, 3.0)])
