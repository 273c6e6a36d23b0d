"""What a query counts, told by a real PromQL parser (bot/catalog/queries.py): a table of
query shapes found in published Sloth, OpenSLO and Pyrra files and in real catalogs."""

from __future__ import annotations

import pytest

from bot.catalog.errors import Problems
from bot.catalog.queries import QueryRefused, check_ratio, checked_events, classify
from bot.domain.slo import QueryKind

W = "{{.window}}"
RATE, COUNT = QueryKind.RATE, QueryKind.COUNT

SHAPES = [
    # (query, kind) — accepted shapes
    (f'sum(rate(http_requests_total{{job="api",code=~"5.."}}[{W}]))', RATE),
    (f'sum(increase(http_requests_total{{code=~"5.."}}[{W}]))', COUNT),
    (f"sum by () (rate(x[{W}]))", RATE),  # an empty grouping is one series
    (f"rate(x[{W}])", RATE),  # no sum: fine if the selector matches one series
    (f"sum(rate(a[{W}])) - (sum(rate(b[{W}])) or on() vector(0))", RATE),  # OpenSLO good
    (f"sum(increase(a[{W}])) + sum(increase(b[{W}]))", COUNT),
    (f"count_over_time(probe_success[{W}])", COUNT),
    (f"sum(count_over_time(probe_success[{W}])) - sum(sum_over_time(probe_success[{W}]))", COUNT),
    (f"sum_over_time((probe_success == 0)[{W}:1m])", COUNT),
    (f"sum_over_time(sum(increase(x[5m]))[{W}:5m])", COUNT),
    (f"avg_over_time(sum(rate(x[5m]))[{W}:5m])", RATE),
    (f"sum(increase(x[{W}] offset 5m))", COUNT),
    (f'label_replace(sum(rate(x[{W}])), "a", "b", "", "")', RATE),
]

REFUSED = [
    # (query, fragment of the message)
    (f"sum(irate(x[{W}]))", "irate() reads only the last two samples"),
    (f"sum(delta(x[{W}]))", "delta() is for gauges"),
    (f"histogram_quantile(0.99, sum(rate(x_bucket[{W}])) by (le))", "a quantile is not a count"),
    (f"sum by (service) (rate(x[{W}]))", "sum by (service) returns one series per group"),
    (f"sum without (pod) (rate(x[{W}]))", "sum without (pod) returns one series per group"),
    (f"sum(rate(x[{W}])) / sum(rate(y[{W}]))", "'/' turns events into something else"),
    (f"sum(rate(x[{W}])) * 60", "'*' with a number is no count of events"),
    (f"1 - sum(rate(x[{W}]))", "'-' with a number is no count of events"),
    (f"sum(rate(x[{W}])) - sum(increase(y[{W}]))", "mixes per-second rates and counts"),
    ("sum(rate(x[5m]))", "rate() must range over {{.window}}"),
    (f"sum_over_time(sum(rate(x[5m]))[{W}:5m])", "of a subquery of rate() adds per-second values"),
    (f"sum_over_time(sum(increase(x[1m]))[{W}:5m])", "the increase's range equals"),
    (f"max(rate(x[{W}]))", "max() does not add up events"),
    (f"count(rate(x[{W}]))", "count() does not add up events"),
    (f"sum(x_total offset {W})", "counts nothing over {{.window}}"),
    (f"sum(rate(x[{W}])", "invalid PromQL: unclosed left parenthesis"),
    (f"-sum(rate(x[{W}]))", "a negated query counts no events"),
]


@pytest.mark.parametrize(("query", "kind"), SHAPES)
def test_accepted_shapes_and_their_kind(query: str, kind: QueryKind) -> None:
    assert classify(query) is kind


@pytest.mark.parametrize(("query", "fragment"), REFUSED)
def test_refused_shapes_say_why(query: str, fragment: str) -> None:
    with pytest.raises(QueryRefused) as caught:
        classify(query)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("query", "ok"),
    [
        (f"sum(rate(e[{W}])) / sum(rate(t[{W}]))", True),  # a raw ratio divides: fine
        (f"(sum(rate(e[{W}])) or on() vector(0)) / sum(rate(t[{W}]))", True),
        (f"sum by (code) (rate(e[{W}])) / ignoring(code) group_left sum(rate(t[{W}]))", False),
        (f"sum(rate(e[{W}]) / ", False),
    ],
)
def test_ratio_queries_are_parsed_and_checked_for_grouping(query: str, ok: bool) -> None:
    if ok:
        check_ratio(query)
    else:
        with pytest.raises(QueryRefused):
            check_ratio(query)


def test_checked_events_names_file_path_and_subject() -> None:
    problems = Problems()
    sli = checked_events(
        f"sum(irate(x[{W}]))",
        f"sum(increase(x[{W}]))",
        ("f.yml", "slos[2].sli.events.error_query", "slos[2].sli.events.total_query"),
        "SLO checkout-availability",
        problems,
    )
    assert sli is None
    (problem,) = problems.items
    assert (problem.file, problem.path) == ("f.yml", "slos[2].sli.events.error_query")
    assert problem.message.startswith("SLO checkout-availability: irate()")


def test_checked_events_keeps_each_query_s_kind() -> None:
    problems = Problems()
    sli = checked_events(
        f"sum(increase(e[{W}]))", f"sum(rate(t[{W}]))", ("f", "a", "b"), "SLO s", problems
    )
    assert sli is not None and (sli.error_kind, sli.total_kind) == (COUNT, RATE)
    assert sli.kind_label == "count/rate" and not problems.items
