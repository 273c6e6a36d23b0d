"""SLI queries checked with a real PromQL parser: syntax, one series, and what they count.

Every events query is told apart as a per-second rate (`sum(rate(x[{{.window}}]))`) or an
event count over the window (`sum(increase(x[{{.window}}]))`, `count_over_time(...)`,
`sum_over_time` of a subquery); budgetbot converts both to events. The window is found by
substituting a marker duration for `{{.window}}` and looking for the ranges that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import promql_parser as pp

from bot.catalog.errors import Problems
from bot.domain.slo import WINDOW_PLACEHOLDER, EventsSLI, QueryKind, RatioSLI

_MARKER_SECONDS = 7_654_321  # a range nobody writes: where it appears, {{.window}} was
_MARKER = f"{_MARKER_SECONDS}s"

_RATE_FUNCTIONS = {"rate"}
_COUNT_FUNCTIONS = {"increase"}
_COUNT_OVER_TIME = {"count_over_time", "sum_over_time"}
_RATE_OVER_TIME = {"avg_over_time"}  # of a subquery of rates: still a rate
_REFUSED_FUNCTIONS = {
    "irate": "irate() reads only the last two samples, not the window",
    "delta": "delta() is for gauges",
    "idelta": "idelta() reads only the last two samples, not the window",
    "deriv": "deriv() is a slope, not events",
    "histogram_quantile": "a quantile is not a count of events (for latency, count the "
    "requests under the threshold bucket)",
}
_PASS_THROUGH = {"label_replace", "label_join", "clamp_min", "clamp_max", "abs", "round"}
_PASS_AGGREGATIONS = {"sum"}  # max()/min() of rates is no count of events
_ADDITIVE = {"+", "-", "or", "and", "unless"}
EXPECTED = (
    f"a per-second rate such as sum(rate(x[{WINDOW_PLACEHOLDER}])) or a count of events over "
    f"the window such as sum(increase(x[{WINDOW_PLACEHOLDER}]))"
)


class _Neutral(Enum):
    """A part that counts nothing over the window: a number, vector(0), an unranged series."""

    CONSTANT = "constant"


_Kind = QueryKind | _Neutral


class QueryRefused(Exception):
    """The query cannot be used; the message says why and what is expected."""


@dataclass(frozen=True)
class Checked:
    query: str
    kind: QueryKind | None  # None for an error-ratio query


def substitute(query: str) -> str:
    """The query with the marker duration in place of {{.window}}, ready for the parser."""
    return query.replace(WINDOW_PLACEHOLDER, _MARKER)


def parse(query: str) -> pp.Expr:
    """The parsed query; QueryRefused with the parser's message on a syntax error."""
    try:
        return pp.parse(substitute(query))
    except (ValueError, TypeError) as exc:
        raise QueryRefused(f"invalid PromQL: {exc}") from None


def classify(query: str) -> QueryKind:
    """Whether the events query is a per-second rate or an event count over the window."""
    expr = parse(query)
    _check_one_series(expr)
    kind = _kind(expr)
    if kind is _Neutral.CONSTANT:
        raise QueryRefused(f"counts nothing over {WINDOW_PLACEHOLDER}; expected {EXPECTED}")
    return kind


def check_ratio(query: str) -> None:
    """An error-ratio query: valid PromQL returning one series."""
    _check_one_series(parse(query))


def _check_one_series(expr: pp.Expr) -> None:
    """Refuse a top-level aggregation by/without: it returns one series per group."""
    for aggregation in _top_aggregations(expr):
        modifier = aggregation.modifier
        if modifier is None:
            continue
        labels = list(modifier.labels)
        grouping = "without" if modifier.type == pp.AggModifierType.Without else "by"
        if grouping == "without" or labels:
            shown = f"{aggregation.op} {grouping} ({', '.join(labels)})"
            raise QueryRefused(
                f"{shown} returns one series per group; an SLI query must return one series "
                f"(drop the grouping: {aggregation.op}(...))"
            )


def _top_aggregations(expr: pp.Expr) -> list[pp.AggregateExpr]:
    """The outermost aggregation on every path down from the root."""
    if isinstance(expr, pp.AggregateExpr):
        return [expr]
    if isinstance(expr, pp.ParenExpr | pp.UnaryExpr):
        return _top_aggregations(expr.expr)
    if isinstance(expr, pp.BinaryExpr):
        return _top_aggregations(expr.lhs) + _top_aggregations(expr.rhs)
    if isinstance(expr, pp.Call) and expr.func.name in _PASS_THROUGH:
        return _top_aggregations(expr.args[0])
    return []


def windowed(expr: pp.Expr) -> bool:
    """Whether a range selector or subquery spans {{.window}}."""
    if isinstance(expr, pp.MatrixSelector | pp.SubqueryExpr):
        return expr.range == timedelta(seconds=_MARKER_SECONDS)
    return False


def _kind(expr: pp.Expr) -> _Kind:
    if isinstance(expr, pp.NumberLiteral | pp.VectorSelector | pp.StringLiteral):
        return _Neutral.CONSTANT
    if isinstance(expr, pp.ParenExpr):
        return _kind(expr.expr)
    if isinstance(expr, pp.UnaryExpr):
        raise QueryRefused(f"a negated query counts no events; expected {EXPECTED}")
    if isinstance(expr, pp.AggregateExpr):
        if str(expr.op) not in _PASS_AGGREGATIONS:
            message = f"{expr.op}() does not add up events; use sum(); expected {EXPECTED}"
            raise QueryRefused(message)
        return _kind(expr.expr)
    if isinstance(expr, pp.BinaryExpr):
        return _binary(expr)
    if isinstance(expr, pp.Call):
        return _call(expr)
    if isinstance(expr, pp.MatrixSelector | pp.SubqueryExpr):
        raise QueryRefused(
            f"a range needs a function such as rate() or increase(); expected {EXPECTED}"
        )
    raise QueryRefused(f"cannot tell what the query counts; expected {EXPECTED}")


def _binary(expr: pp.BinaryExpr) -> _Kind:
    op = str(expr.op).strip()
    if isinstance(expr.lhs, pp.NumberLiteral) or isinstance(expr.rhs, pp.NumberLiteral):
        raise QueryRefused(
            f"'{op}' with a number is no count of events (write ratios as raw "
            f"error_ratio_query); expected {EXPECTED}"
        )
    left, right = _kind(expr.lhs), _kind(expr.rhs)
    if op not in _ADDITIVE:
        raise QueryRefused(
            f"'{op}' turns events into something else; an events query adds or subtracts "
            f"rates or counts (write ratios as raw error_ratio_query); expected {EXPECTED}"
        )
    if left is _Neutral.CONSTANT:
        return right
    if right is _Neutral.CONSTANT or left is right:
        return left
    raise QueryRefused(
        "mixes per-second rates and counts of events in one query; use rate() or "
        "increase() throughout"
    )


def _call(expr: pp.Call) -> _Kind:
    name = expr.func.name
    if name in _REFUSED_FUNCTIONS:
        raise QueryRefused(f"{_REFUSED_FUNCTIONS[name]}; expected {EXPECTED}")
    args = list(expr.args)
    if name in _RATE_FUNCTIONS | _COUNT_FUNCTIONS:
        if not windowed(args[0]):
            raise QueryRefused(
                f"{name}() must range over {WINDOW_PLACEHOLDER}, "
                f"e.g. {name}(x[{WINDOW_PLACEHOLDER}])"
            )
        return QueryKind.RATE if name in _RATE_FUNCTIONS else QueryKind.COUNT
    if name in _COUNT_OVER_TIME | _RATE_OVER_TIME and windowed(args[0]):
        return _over_time(name, args[0])
    if name == "vector":
        return _Neutral.CONSTANT
    if name in _PASS_THROUGH:
        return _kind(args[0])
    raise QueryRefused(f"cannot tell what {name}() counts; expected {EXPECTED}")


def _over_time(name: str, ranged: pp.Expr) -> QueryKind:
    """`<name>_over_time` across the window: of a raw series, or of a subquery's steps."""
    if not isinstance(ranged, pp.SubqueryExpr):
        if name in _RATE_OVER_TIME:
            raise QueryRefused(f"avg_over_time() of a raw series is no rate; expected {EXPECTED}")
        return QueryKind.COUNT  # samples (count_over_time) or their 0/1 values (sum_over_time)
    inner = _functions(ranged.expr)
    if name in _RATE_OVER_TIME:
        if inner & _RATE_FUNCTIONS:
            return QueryKind.RATE  # the mean of per-second rates over the window
        raise QueryRefused(
            f"avg_over_time() is a rate only over a subquery of rate(); expected {EXPECTED}"
        )
    if inner & _RATE_FUNCTIONS:
        raise QueryRefused(
            f"{name}() of a subquery of rate() adds per-second values once per step; use "
            f"avg_over_time() for a rate, or increase(); expected {EXPECTED}"
        )
    if inner & _COUNT_FUNCTIONS and name == "sum_over_time":
        ranges = _ranges(ranged.expr)
        if ranged.step is None or ranges != {ranged.step}:
            raise QueryRefused(
                "sum_over_time() of a subquery of increase() counts each event once only "
                "when the increase's range equals the subquery's step, e.g. "
                f"sum_over_time(sum(increase(x[5m]))[{WINDOW_PLACEHOLDER}:5m])"
            )
    return QueryKind.COUNT


def _functions(expr: pp.Expr) -> set[str]:
    """The names of every function called inside the expression."""
    names: set[str] = set()
    for node in nodes(expr):
        if isinstance(node, pp.Call):
            names.add(node.func.name)
    return names


def _ranges(expr: pp.Expr) -> set[timedelta]:
    """The ranges of every range selector inside the expression."""
    return {n.range for n in nodes(expr) if isinstance(n, pp.MatrixSelector)}


def nodes(expr: pp.Expr) -> list[pp.Expr]:
    """The expression and every expression inside it."""
    found = [expr]
    if isinstance(expr, pp.ParenExpr | pp.UnaryExpr | pp.AggregateExpr | pp.SubqueryExpr):
        found += nodes(expr.expr)
    elif isinstance(expr, pp.BinaryExpr):
        found += nodes(expr.lhs) + nodes(expr.rhs)
    elif isinstance(expr, pp.Call):
        for arg in expr.args:
            found += nodes(arg)
    return found


def checked_events(
    error_query: str,
    total_query: str,
    where: tuple[str, str, str],
    subject: str,
    problems: Problems,
) -> EventsSLI | None:
    """An EventsSLI with both queries classified; None after recording problems.

    `where` is (file, path of the error query, path of the total query); `subject` names the
    SLO or SLI in messages ("SLO checkout-availability").
    """
    file, error_path, total_path = where
    kinds = []
    for query, path in ((error_query, error_path), (total_query, total_path)):
        try:
            kinds.append(classify(query))
        except QueryRefused as exc:
            problems.add(file, path, f"{subject}: {exc}")
    if len(kinds) != 2:
        return None
    return EventsSLI(error_query, total_query, error_kind=kinds[0], total_kind=kinds[1])


def checked_ratio(
    query: str, file: str, path: str, subject: str, problems: Problems
) -> RatioSLI | None:
    """A RatioSLI whose query parses and returns one series; None after recording a problem."""
    try:
        check_ratio(query)
    except QueryRefused as exc:
        problems.add(file, path, f"{subject}: {exc}")
        return None
    return RatioSLI(query)
