"""OpenSLO SLIs: Prometheus ratio metrics (counters, total plus good or bad) as events queries.

openslo/v1 gives each metric as `metricSource: {type, spec: {query | promql}}`; openslo/v1alpha
as `{source, queryType, query}` inside an objective's `ratioMetrics`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.catalog.checks import has_window, normalize_query
from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.openslo_parts import RAW, THRESHOLD
from bot.catalog.queries import checked_events
from bot.domain.slo import WINDOW_PLACEHOLDER as WINDOW
from bot.domain.slo import EventsSLI

_MATCHER = r"""[A-Za-z_]\w*\s*(?:=~|!~|!=|=)\s*(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_SELECTOR = re.compile(
    rf"""^\s*(?P<metric>[A-Za-z_:][\w:]*)?\s*(?P<braces>\{{\s*(?:{_MATCHER}\s*(?:,\s*{_MATCHER}\s*)*,?\s*)?\}})?\s*$"""
)
QUERY_KEYS = ("query", "promql")  # where a v1 Prometheus metricSource.spec holds its PromQL
_PROMQL_LIKE = {"expr", "expression", "prometheus", "prometheusquery", "promqlquery", "q"}


class MetricSourceModel(StrictModel):
    metricSourceRef: str | None = None  # accepted, ignored: the catalog's Prometheus is used
    type: str | None = None
    spec: dict[str, Any]


class MetricModel(StrictModel):
    metricSource: MetricSourceModel


class RatioMetricModel(StrictModel):
    counter: bool | None = None
    good: MetricModel | None = None
    bad: MetricModel | None = None
    total: MetricModel | None = None
    rawType: str | None = None
    raw: MetricModel | None = None


class SLISpecModel(StrictModel):
    description: str = ""
    thresholdMetric: Any = None
    ratioMetric: RatioMetricModel | None = None


class AlphaMetricModel(StrictModel):
    """openslo/v1alpha: one metric of ratioMetrics."""

    source: str | None = None
    queryType: str | None = None  # accepted, ignored: a Prometheus source runs PromQL
    query: Any = None
    metadata: Any = None


class AlphaRatioModel(StrictModel):
    counter: bool | None = None
    good: AlphaMetricModel | None = None
    bad: AlphaMetricModel | None = None
    total: AlphaMetricModel | None = None


def ratio_sli(
    file: str, path: str, spec: SLISpecModel, subject: str, problems: Problems
) -> EventsSLI | None:
    """Events queries from an openslo/v1 SLI spec's counter ratioMetric; None after problems."""
    if spec.thresholdMetric is not None:
        problems.add(file, join(path, "thresholdMetric"), THRESHOLD)
        return None
    ratio = spec.ratioMetric
    if ratio is None:
        message = "needs a ratioMetric (counter: true, total, and good or bad)"
        problems.add(file, path, message)
        return None
    path = join(path, "ratioMetric")
    if ratio.raw is not None or ratio.rawType is not None:
        problems.add(file, join(path, "raw" if ratio.raw is not None else "rawType"), RAW)
        return None
    given = {"good": ratio.good, "bad": ratio.bad, "total": ratio.total}
    queries = {
        key: _v1_query(file, join(path, key), metric, problems)
        for key, metric in given.items()
        if metric is not None
    }
    return _events(file, path, ratio.counter, queries, subject, problems)


def alpha_ratio_sli(
    file: str, path: str, ratio: AlphaRatioModel, subject: str, problems: Problems
) -> EventsSLI | None:
    """Events queries from an openslo/v1alpha objective's ratioMetrics; None after problems."""
    given = {"good": ratio.good, "bad": ratio.bad, "total": ratio.total}
    queries = {
        key: _alpha_query(file, join(path, key), metric, problems)
        for key, metric in given.items()
        if metric is not None
    }
    return _events(file, path, ratio.counter, queries, subject, problems)


def _events(
    file: str,
    path: str,
    counter: bool | None,
    queries: dict[str, str | None],
    subject: str,
    problems: Problems,
) -> EventsSLI | None:
    """The EventsSLI of total plus good or bad (each None if already refused)."""
    usable = True
    if counter is None:
        problems.add(file, join(path, "counter"), "is required: counter: true (counters only)")
        usable = False
    elif not counter:
        message = "false (a gauge) is not supported; budgetbot counts events: use counters"
        problems.add(file, join(path, "counter"), message)
        usable = False
    if "total" not in queries:
        problems.add(file, join(path, "total"), "is required")
        usable = False
    if ("good" in queries) == ("bad" in queries):
        problems.add(file, path, "needs exactly one of good or bad (besides total)")
        usable = False
    total, good, bad = queries.get("total"), queries.get("good"), queries.get("bad")
    part = good if "good" in queries else bad
    if not usable or total is None or part is None:
        return None
    where = (file, join(path, "good" if good is not None else "bad"), join(path, "total"))
    if good is None:
        return checked_events(part, total, where, subject, problems)
    # Each query is judged on its own first, so a refusal names the query at fault.
    if checked_events(good, total, where, subject, problems) is None:
        return None
    # `or on() vector(0)`: a missing good series means nothing succeeded, not no errors.
    error = f"({total}) - (({good}) or on() vector(0))"
    return checked_events(error, total, where, subject, problems)


def _v1_query(file: str, path: str, metric: MetricModel, problems: Problems) -> str | None:
    """The rate query of one v1 metricSource: its spec.query (or spec.promql)."""
    source, path = metric.metricSource, join(path, "metricSource")
    if source.type is not None and source.type.lower() != "prometheus":
        message = f"only Prometheus metric sources are supported, got {source.type!r}"
        problems.add(file, join(path, "type"), message)
        return None
    spec = join(path, "spec")
    unknown = sorted(set(source.spec) - set(QUERY_KEYS))
    for key in unknown:
        problems.add(file, join(spec, key), _unknown_key(key))
    given = [key for key in QUERY_KEYS if key in source.spec]
    if len(given) > 1:
        problems.add(file, spec, "give the PromQL once: query or promql, not both")
        return None
    if not given:
        if not unknown:
            problems.add(file, join(spec, "query"), _REQUIRED)
        return None
    query = rate_query(file, join(spec, given[0]), source.spec[given[0]], problems)
    return None if unknown else query


def _alpha_query(file: str, path: str, metric: AlphaMetricModel, problems: Problems) -> str | None:
    """The rate query of one v1alpha metric: {source: prometheus, queryType, query}."""
    if metric.source is not None and metric.source.lower() != "prometheus":
        message = f"only Prometheus metric sources are supported, got {metric.source!r}"
        problems.add(file, join(path, "source"), message)
        return None
    if metric.metadata is not None:
        message = "is not supported: write the complete PromQL query in query"
        problems.add(file, join(path, "metadata"), message)
        return None
    return rate_query(file, join(path, "query"), metric.query, problems)


_REQUIRED = "is required: a PromQL query or a counter selector"


def _unknown_key(key: str) -> str:
    """The message for a metricSource.spec key that is not query or promql."""
    if key.lower() in {*QUERY_KEYS, *_PROMQL_LIKE}:
        return f"unknown key {key!r}: write the PromQL as query: (or promql:)"
    return (
        f"unknown key {key!r}: a Prometheus metric source is read from spec.query "
        "(or spec.promql) alone"
    )


def rate_query(file: str, path: str, query: Any, problems: Problems) -> str | None:
    """A rate query: used as is if it holds {{.window}}, else a selector wrapped in sum(rate())."""
    if query is None or (isinstance(query, str) and not query.strip()):
        problems.add(file, path, _REQUIRED)
        return None
    if not isinstance(query, str):
        problems.add(file, path, "must be a string: a PromQL query or a counter selector")
        return None
    text: str = query
    if has_window(text):
        text, error = normalize_query(text)
    else:
        match = _SELECTOR.match(text)
        if match and (match["metric"] or (match["braces"] or "").strip("{} \t\n")):
            return f"sum(rate({text.strip()}[{WINDOW}]))"
        error = (
            f'must be a counter selector such as http_requests_total{{code=~"5.."}} '
            f"(read as sum(rate(<selector>[{WINDOW}]))) or a query containing {WINDOW}"
        )
    if error:
        problems.add(file, path, error)
        return None
    return text
