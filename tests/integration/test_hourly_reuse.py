"""Long windows composed from reused hours match the ground truth and direct queries."""

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.burn import burn_windows
from bot.domain.slo import SLO, EventsSLI, Tier
from bot.metrics.composition import plan_composition, windowed
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.source import plan_terms

ERR = 'sum(rate(http_requests_total{{service="{s}",code="500"}}[{{{{.window}}}}]))'
ALL = 'sum(rate(http_requests_total{{service="{s}"}}[{{{{.window}}}}]))'
DAY = 86400
SERVICES = ("steady", "incident", "slowburn", "overspent", "quiet")


def slo(service: str, window: int) -> SLO:
    sli = EventsSLI(ERR.format(s=service), ALL.format(s=service))
    return SLO(f"{service}-{window}", service, "t", Tier.PRODUCTION, 99.9, window, sli)


SLOS = [slo(s, w) for s in SERVICES for w in (7 * DAY, 30 * DAY)]


@pytest.mark.parametrize("minutes_before_end", [3 * 60 + 17, 17])
def test_composed_equals_truth_and_direct(prom: Any, minutes_before_end: int) -> None:
    at = prom.end - timedelta(minutes=minutes_before_end)
    composed = PrometheusSource(prom.url).read(SLOS, at, burn_windows())
    direct = PrometheusSource(prom.url, reuse_hours=False).read(SLOS, at, burn_windows())
    for s in SLOS:
        truth = prom.truth.error_ratio(s.service, at, s.window)
        got = composed[s.name].period
        assert got is not None and got.error_ratio == pytest.approx(truth, rel=1e-9)
        plain = direct[s.name].period
        assert plain is not None and plain.error_ratio == pytest.approx(got.error_ratio, rel=1e-9)
        assert plain.total == pytest.approx(got.total, rel=1e-9)
        for w in (DAY, 3 * DAY):
            reading = composed[s.name].windows[w]
            expected = prom.truth.error_ratio(s.service, at, w)
            assert (reading.error_ratio if reading else None) == pytest.approx(expected, rel=1e-9)


def test_a_later_evaluation_reads_only_the_new_hours(prom: Any) -> None:
    source = PrometheusSource(prom.url)
    first = prom.end - timedelta(hours=3, minutes=17)
    source.read(SLOS, first, burn_windows())
    assert source.hourly is not None
    later = prom.end - timedelta(minutes=17)
    items = windowed(SLOS, plan_terms(SLOS, burn_windows()), later)
    plan = plan_composition(items, round(later.timestamp() * 1000), recorded=None, hourly=True)
    missing = [run for e, h in plan.hours.items() for run in source.hourly.missing(e, h)]
    assert missing and all(len(run) <= 3 for run in missing)  # 3 new hours, not 30 days
    readings = source.read(SLOS, later, burn_windows())
    for s in SLOS:
        truth = prom.truth.error_ratio(s.service, later, s.window)
        period = readings[s.name].period
        assert period is not None and period.error_ratio == pytest.approx(truth, rel=1e-9)
