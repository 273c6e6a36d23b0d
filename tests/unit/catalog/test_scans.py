"""Which queries have the shape whose reads are shared (bot.catalog.scans)."""

import pytest

from bot.catalog.scans import scan_of
from bot.domain.scans import Matcher, Scan

W = "[{{.window}}]"


@pytest.mark.parametrize(
    ("query", "scan"),
    [
        (f'sum(increase(http_requests_total{{job="api",code=~"5.."}}{W}))',
         Scan("http_requests_total", (Matcher("job", "=", "api"), Matcher("code", "=~", "5..")))),
        (f"sum(increase(up{W}))", Scan("up", ())),
        (f'sum(increase(x{{a!="b",c!~"d|e"}}{W}))',
         Scan("x", (Matcher("a", "!=", "b"), Matcher("c", "!~", "d|e")))),
    ],
)  # fmt: skip
def test_the_shared_shape(query: str, scan: Scan) -> None:
    assert scan_of(query) == scan


@pytest.mark.parametrize(
    "query",
    [
        f"sum(rate(x{W}))",  # a rate: counted first (bot.catalog.counting)
        f"sum by (a) (increase(x{W}))",
        f"sum(increase(x{W} offset 1h))",
        "sum(increase(x[5m]))",  # not over the window
        f"increase(x{W})",
        f'sum(increase({{__name__="x"}}{W}))',
        f'sum(increase(x{{code=~"\\\\d+"}}{W}))',  # a class Python reads otherwise than RE2
        f'sum(increase(x{{code=~"5[[:digit:]][[:digit:]]"}}{W}))',  # POSIX classes
        f'sum(increase(x{{code=~"(?U)5.+"}}{W}))',  # a flag Python does not know
        f"sum(increase(x{W})) + sum(increase(y{W}))",
        "sum(sum_over_time((x > bool 1)[{{.window}}:1m]))",
        "not promql (",
    ],
)
def test_other_shapes_are_read_alone(query: str) -> None:
    assert scan_of(query) is None


@pytest.mark.parametrize(
    ("matcher", "labels", "expected"),
    [
        (Matcher("code", "=~", "5.."), {"code": "503"}, True),
        (Matcher("code", "=~", "5.."), {"code": "5030"}, False),  # anchored, as Prometheus
        (Matcher("code", "!~", "5.."), {}, True),  # an absent label is ""
        (Matcher("code", "!=", ""), {}, False),
        (Matcher("code", "=", "200"), {"code": "200"}, True),
    ],
)
def test_matchers_match_as_prometheus_does(
    matcher: Matcher, labels: dict[str, str], expected: bool
) -> None:
    assert matcher.matches(labels) is expected
