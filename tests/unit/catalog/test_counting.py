"""Rate queries are evaluated as counts of events (bot/catalog/counting.py), exact on every
store; what cannot be rewritten safely is left as written."""

import pytest

from bot.catalog.counting import as_count, counting
from bot.domain.slo import EventsSLI, QueryKind

W = "{{.window}}"


@pytest.mark.parametrize(
    ("query", "counted"),
    [
        (f'sum(rate(x{{code="500"}}[{W}]))', f'sum(increase(x{{code="500"}}[{W}]))'),
        (
            f"sum(rate(a[{W}])) - (sum(rate(b[{W}])) or on() vector(0))",
            f"sum(increase(a[{W}])) - (sum(increase(b[{W}])) or on() vector(0))",
        ),
        (f"sum(rate(x[{W}] offset 5m))", f"sum(increase(x[{W}] offset 5m))"),
        (f"sum(rate (x[{W}]))", f"sum(increase (x[{W}]))"),
        (f"avg_over_time(sum(rate(x[5m]))[{W}:5m])", None),  # a subquery: left as it is
        (f'sum(rate(x{{path="/rate(x)"}}[{W}]))', None),  # "rate(" inside a string
        (f"sum(increase(x[{W}]))", None),  # a count already
    ],
)
def test_as_count(query: str, counted: str | None) -> None:
    assert as_count(query) == counted


def test_counting_keeps_the_written_queries_and_plans_the_counts() -> None:
    sli = counting(EventsSLI(f"sum(rate(e[{W}]))", f"sum(increase(t[{W}]))"))
    assert sli.error_query == f"sum(rate(e[{W}]))" and sli.error_kind is QueryKind.RATE
    assert sli.planned_bad.text == f"sum(increase(e[{W}]))"
    assert sli.planned_bad.kind is QueryKind.COUNT
    assert sli.planned_total.text == sli.total_query  # untouched
