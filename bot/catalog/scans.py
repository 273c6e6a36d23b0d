"""Which planned events queries have the shared shape (bot.domain.scans), with the parser."""

from __future__ import annotations

import re

import promql_parser as pp

from bot.catalog.queries import QueryRefused, parse, windowed
from bot.domain.scans import Matcher, Scan

_OPS = (
    (pp.MatchOp.Equal, "="),
    (pp.MatchOp.NotEqual, "!="),
    (pp.MatchOp.Re, "=~"),
    (pp.MatchOp.NotRe, "!~"),
)
# Regular expressions that Python reads as RE2 does (no classes, flags or escapes that differ).
_PORTABLE = re.compile(r"[A-Za-z0-9_.|*+?()\[\]:/ -]*")


def _portable(pattern: str) -> bool:
    """Whether Python reads the regex as Prometheus's RE2 does: plain characters, classes
    without POSIX names, groups without flags; and it compiles."""
    if not _PORTABLE.fullmatch(pattern) or "[:" in pattern or "(?" in pattern:
        return False
    try:
        re.compile(pattern, re.ASCII)
    except re.error:
        return False
    return True


def scan_of(query: str) -> Scan | None:
    """The scan of `sum(increase(metric{matchers}[{{.window}}]))`, or None for any other
    shape (or a matcher whose regex Python might read otherwise than Prometheus)."""
    try:
        expr = parse(query)
    except QueryRefused:
        return None
    if not isinstance(expr, pp.AggregateExpr) or str(expr.op).strip() != "sum":
        return None
    if expr.modifier is not None or expr.param is not None:
        return None
    call = expr.expr
    if not isinstance(call, pp.Call) or call.func.name != "increase" or len(call.args) != 1:
        return None
    ranged = call.args[0]
    if not isinstance(ranged, pp.MatrixSelector) or not windowed(ranged):
        return None
    selector = ranged.vector_selector
    if selector.name is None or selector.offset is not None or selector.at is not None:
        return None
    if selector.matchers.or_matchers:
        return None
    matchers = []
    for m in selector.matchers.matchers:
        op = next((text for kind, text in _OPS if m.op == kind), None)
        if op is None or m.name == "__name__":
            return None
        if op in ("=~", "!~") and not _portable(m.value):
            return None
        matchers.append(Matcher(m.name, op, m.value))
    return Scan(selector.name, tuple(matchers))
