"""OpenSLO SLIs: Prometheus ratio metrics (counters, total plus good or bad) as events queries."""

from __future__ import annotations

import re
from typing import Any

from bot.catalog.checks import has_window, normalize_query
from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.queries import checked_events
from bot.domain.slo import WINDOW_PLACEHOLDER as WINDOW
from bot.domain.slo import EventsSLI

_MATCHER = r"""[A-Za-z_]\w*\s*(?:=~|!~|!=|=)\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_SELECTOR = re.compile(
    rf"""^\s*(?P<metric>[A-Za-z_:][\w:]*)?\s*(?P<braces>\{{\s*(?:{_MATCHER}\s*(?:,\s*{_MATCHER}\s*)*,?\s*)?\}})?\s*$"""
)


class MetricSourceModel(StrictModel):
    metricSourceRef: str | None = None
    type: str | None = None
    spec: dict[str, Any]


class MetricModel(StrictModel):
    metricSource: MetricSourceModel


class RatioMetricModel(StrictModel):
    counter: bool = False
    good: MetricModel | None = None
    bad: MetricModel | None = None
    total: MetricModel | None = None
    rawType: str | None = None
    raw: MetricModel | None = None


class SLISpecModel(StrictModel):
    description: str = ""
    thresholdMetric: Any = None
    ratioMetric: RatioMetricModel | None = None


def ratio_sli(
    file: str, path: str, spec: SLISpecModel, subject: str, problems: Problems
) -> EventsSLI | None:
    """Events queries from a counter ratioMetric: total plus good or bad."""
    ratio = spec.ratioMetric
    if spec.thresholdMetric is not None or ratio is None:
        problems.add(file, path, "only ratioMetric indicators are supported (no thresholdMetric)")
        return None
    path = join(path, "ratioMetric")
    if not ratio.counter:
        problems.add(file, join(path, "counter"), "must be true: budgetbot counts events")
    if ratio.raw is not None or ratio.rawType is not None:
        problems.add(file, join(path, "raw"), "raw ratios are not supported; use good or bad")
    if ratio.total is None:
        problems.add(file, join(path, "total"), "is required")
    if (ratio.good is None) == (ratio.bad is None):
        problems.add(file, path, "needs exactly one of good or bad (besides total)")
    if not ratio.counter or ratio.raw or ratio.rawType or ratio.total is None:
        return None
    total = _query(file, join(path, "total"), ratio.total, problems)
    part = ratio.good or ratio.bad
    if part is None:
        return None
    query = _query(file, join(path, "good" if ratio.good else "bad"), part, problems)
    if total is None or query is None:
        return None
    # `or on() vector(0)`: a missing good series means nothing succeeded, not no errors.
    error = f"({total}) - (({query}) or on() vector(0))" if ratio.good else query
    where = (file, join(path, "good" if ratio.good else "bad"), join(path, "total"))
    return checked_events(error, total, where, subject, problems)


def _query(file: str, path: str, metric: MetricModel, problems: Problems) -> str | None:
    """A rate query: used as is if it holds {{.window}}, else a selector wrapped in sum(rate())."""
    source, path = metric.metricSource, join(path, "metricSource")
    if source.type is not None and source.type.lower() != "prometheus":
        problems.add(file, join(path, "type"), "only Prometheus metric sources are supported")
        return None
    unknown = sorted(set(source.spec) - {"query"})
    if unknown:
        problems.add(file, join(join(path, "spec"), unknown[0]), "unknown key (allowed: query)")
    query, path = source.spec.get("query"), join(path, "spec.query")
    if not isinstance(query, str) or not query.strip():
        problems.add(file, path, "is required: a PromQL query or a counter selector")
        return None
    if has_window(query):
        query, error = normalize_query(query)
    else:
        match = _SELECTOR.match(query)
        if match and (match["metric"] or (match["braces"] or "").strip("{} \t\n")):
            return f"sum(rate({query.strip()}[{WINDOW}]))"
        error = (
            f'must be a counter selector such as http_requests_total{{code=~"5.."}} '
            f"(read as sum(rate(<selector>[{WINDOW}]))) or a query containing {WINDOW}"
        )
    if error:
        problems.add(file, path, error)
        return None
    return query
