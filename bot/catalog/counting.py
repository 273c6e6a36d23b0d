"""Rate queries read as counts of events, which every Prometheus-compatible store answers
exactly (docs/catalog.md, What a query counts): `sum(rate(x[{{.window}}]))` is evaluated as
`sum(increase(x[{{.window}}]))`. The SLI keeps the query as written; the counted form is
what is evaluated (EventsSLI.planned_bad / planned_total)."""

from __future__ import annotations

import re
from dataclasses import replace

import promql_parser as pp

from bot.catalog.queries import QueryRefused, classify, nodes, parse, windowed
from bot.catalog.scans import scan_of
from bot.domain.scans import Scan
from bot.domain.slo import EventsQuery, EventsSLI, QueryKind

_RATE_CALL = re.compile(r"(?<![A-Za-z0-9_:])rate(\s*\()")


def as_count(query: str) -> str | None:
    """The rate query rewritten to count its events (`rate(` -> `increase(`), or None.

    `increase(x[w])` is `rate(x[w]) * w` on Prometheus, and exact where a store's `rate()`
    divides by the span of a series' own samples (VictoriaMetrics), so counting is true on
    every store. Rewritten only when each textual `rate(` is a call over {{.window}}
    outside a subquery, and the result is a count of the same shape.
    """
    expr = parse(query)
    calls = [
        node for node in nodes(expr)
        if isinstance(node, pp.Call) and node.func.name == "rate"
    ]  # fmt: skip
    over_window = [c for c in calls if windowed(next(iter(c.args)))]
    in_subquery = any(isinstance(n, pp.SubqueryExpr) for n in nodes(expr))
    if not calls or len(over_window) != len(calls) or in_subquery:
        return None
    if len(_RATE_CALL.findall(query)) != len(calls):
        return None  # "rate(" also inside a string: leave the query as it is
    rewritten = _RATE_CALL.sub(r"increase\1", query)
    try:
        return rewritten if classify(rewritten) is QueryKind.COUNT else None
    except QueryRefused:
        return None


def counting(sli: EventsSLI) -> EventsSLI:
    """The SLI with its rate queries read as counts (as_count) wherever that is possible."""
    error = as_count(sli.error_query) if sli.error_kind is QueryKind.RATE else None
    total = as_count(sli.total_query) if sli.total_kind is QueryKind.RATE else None
    counted = EventsSLI(
        sli.error_query,
        sli.total_query,
        error_kind=sli.error_kind,
        total_kind=sli.total_kind,
        error_counted=error,
        total_counted=total,
        bucket=sli.bucket,
    )
    return replace(
        counted,
        error_scan=_scan(counted.planned_bad),
        total_scan=_scan(counted.planned_total),
    )


def _scan(query: EventsQuery) -> Scan | None:
    """The shape whose read is shared (bot.domain.scans): counts only."""
    return scan_of(query.text) if query.kind is QueryKind.COUNT else None
