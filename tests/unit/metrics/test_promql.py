"""Batched PromQL building and parsing, without a Prometheus."""

import math

import pytest

from bot.domain.budget import Rates
from bot.domain.slo import SLO, EventsSLI, QueryKind, RatioSLI, Tier
from bot.metrics.promql import (
    TERM_LABEL,
    Term,
    TermError,
    batch_query,
    batches,
    parse_batch,
    render,
)
from bot.metrics.source import (
    PERIOD,
    EventCounts,
    assemble,
    fold_event_counts,
    plan_event_terms,
    plan_terms,
)


def test_render_replaces_sloth_placeholder() -> None:
    q = 'sum(rate(x{a="b"}[{{.window}}])) / sum(rate(y[{{ .window }}]))'
    assert render(q, 3600) == 'sum(rate(x{a="b"}[1h])) / sum(rate(y[1h]))'
    assert render("z[{{.window}}]", 30 * 86400) == "z[30d]"
    assert render("z[{{.window}}]", 5400) == "z[1h30m]"


def test_batch_query_tags_each_term() -> None:
    q = batch_query([Term("a", "sum(x)"), Term("b", "sum(y)")])
    assert q == (
        f'label_replace(sum(x), "{TERM_LABEL}", "0", "", "") or '
        f'label_replace(sum(y), "{TERM_LABEL}", "1", "", "")'
    )


def test_batches_respect_the_size_limit() -> None:
    terms = [Term(i, f"sum(rate(metric_{i}[5m]))") for i in range(100)]
    groups = batches(terms, 600)
    assert [t for g in groups for t in g] == terms
    assert all(len(batch_query(g)) <= 600 for g in groups)
    assert len(groups) > 1
    assert batches([Term(0, "x" * 1000)], 10) == [[Term(0, "x" * 1000)]]


def test_parse_batch() -> None:
    terms = [Term("a", "qa"), Term("b", "qb"), Term("c", "qc"), Term("d", "qd")]
    result = [
        {"metric": {TERM_LABEL: "0"}, "value": [1, "2.5"]},
        {"metric": {TERM_LABEL: "2", "code": "500"}, "value": [1, "NaN"]},
        {"metric": {TERM_LABEL: "3", "code": "500"}, "value": [1, "1"]},
        {"metric": {TERM_LABEL: "3", "code": "503"}, "value": [1, "1"]},
        {"metric": {"unrelated": "x"}, "value": [1, "7"]},
    ]
    values = parse_batch(result, terms)
    assert values["a"] == 2.5
    assert values["b"] is None
    c = values["c"]
    assert isinstance(c, float) and math.isnan(c)
    d = values["d"]
    assert isinstance(d, TermError) and "2 series" in d.message and "sum()" in d.message


EVENTS = SLO(
    "e",
    "svc",
    "team",
    Tier.PRODUCTION,
    99.9,
    86400,
    EventsSLI("bad[{{.window}}]", "all[{{.window}}]"),
)
RATIO = SLO("r", "svc", "team", Tier.PRODUCTION, 99.0, 86400, RatioSLI("ratio[{{.window}}]"))


def test_plan_terms_covers_period_and_windows() -> None:
    terms = plan_terms([EVENTS, RATIO], [300, 3600])
    keys = {t.key: t.expr for t in terms}
    assert keys[("e", PERIOD, "bad")] == "bad[1d]"
    assert keys[("e", 300, "total")] == "all[5m]"
    assert keys[("r", 3600, "ratio")] == "ratio[1h]"
    assert len(terms) == 2 * 3 + 3


def test_assemble_events_and_ratio() -> None:
    values = {
        ("e", PERIOD, "bad"): None,  # no error series: zero errors
        ("e", PERIOD, "total"): 10.0,
        ("e", 300, "bad"): 0.0,
        ("e", 300, "total"): 0.0,  # no traffic
        ("e", 3600, "bad"): 1.0,
        ("e", 3600, "total"): None,  # no series at all
        ("r", PERIOD, "ratio"): 0.02,
        ("r", 300, "ratio"): float("nan"),
        ("r", 3600, "ratio"): None,
    }
    got = assemble([EVENTS, RATIO], [300, 3600], values)
    # rates become events: times the seconds of their span
    assert got["e"].period == Rates(0.0, 10.0 * 86400)
    assert got["e"].windows == {300: Rates(0.0, 0.0), 3600: None}
    assert got["r"].period == Rates(0.02, 1.0)
    assert got["r"].windows[300] == Rates(0.0, 0.0)
    assert got["r"].windows[3600] is None


def test_assemble_reports_a_term_error_for_its_slo_only() -> None:
    values = {t.key: 1.0 for t in plan_terms([EVENTS, RATIO], [300])}
    values[("e", 300, "bad")] = TermError("bad_data: parse error")  # type: ignore[assignment]
    got = assemble([EVENTS, RATIO], [300], values)
    assert got["e"].error == "bad_data: parse error"
    assert got["r"].error is None


@pytest.mark.parametrize("value", [TermError("x")])
def test_assemble_error_in_ratio(value: TermError) -> None:
    got = assemble([RATIO], [], {("r", PERIOD, "ratio"): value})
    assert got["r"].error == "x"


def test_event_terms_and_counts() -> None:
    terms = {t.key: t.expr for t in plan_event_terms(EVENTS, 7200, EVENTS.window)}
    assert terms == {
        "bad": "bad[2h]",
        "total": "all[2h]",
        "window_bad": "bad[1d]",
        "window_total": "all[1d]",
    }
    counts = fold_event_counts(
        EVENTS,
        7200,
        EVENTS.window,
        {"bad": 0.5, "total": 10.0, "window_bad": None, "window_total": 2.0},
    )
    assert counts == EventCounts(bad=3600.0, total=72000.0, window_bad=0.0, window_total=172800.0)
    assert "no data" in str(
        fold_event_counts(EVENTS, 7200, EVENTS.window, {"bad": 1.0, "total": None})
    )
    assert fold_event_counts(EVENTS, 60, EVENTS.window, {"bad": TermError("boom")}) == "boom"
    with pytest.raises(ValueError, match="error-ratio SLI"):
        plan_event_terms(RATIO, 60, RATIO.window)


COUNTED = SLO(
    "c",
    "svc",
    "team",
    Tier.PRODUCTION,
    99.9,
    86400,
    EventsSLI("bad[{{.window}}]", "all[{{.window}}]", QueryKind.COUNT, QueryKind.COUNT),
)


def test_counts_are_events_as_they_are() -> None:
    """sum(increase(...)) values are events already: never multiplied by their seconds."""
    counts = fold_event_counts(
        COUNTED,
        7200,
        COUNTED.window,
        {"bad": 30.0, "total": 1000.0, "window_bad": 50.0, "window_total": 9e4},
    )
    assert counts == EventCounts(bad=30.0, total=1000.0, window_bad=50.0, window_total=9e4)
    got = assemble(
        [COUNTED],
        [300],
        {
            ("c", PERIOD, "bad"): 50.0,
            ("c", PERIOD, "total"): 9e4,
            ("c", 300, "bad"): None,
            ("c", 300, "total"): 40.0,
        },
    )
    assert got["c"].period == Rates(50.0, 9e4)
    assert got["c"].windows == {300: Rates(0.0, 40.0)}


def test_a_rate_and_a_count_in_one_sli_agree() -> None:
    """An error count over a total rate: both become events before they are divided."""
    mixed = SLO(
        "m",
        "svc",
        "team",
        Tier.PRODUCTION,
        99.9,
        3600,
        EventsSLI("bad[{{.window}}]", "all[{{.window}}]", QueryKind.COUNT, QueryKind.RATE),
    )
    got = assemble([mixed], [], {("m", PERIOD, "bad"): 36.0, ("m", PERIOD, "total"): 10.0})
    reading = got["m"].period
    assert reading is not None and reading.error_ratio == pytest.approx(36 / 36000)
