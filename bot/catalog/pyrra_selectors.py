"""Pyrra metrics as parsed PromQL selectors, and the count queries built from them.

A Pyrra metric must be one plain vector selector (for a latency SLI's success metric, of
one histogram bucket); budgetbot renders the selector afresh from its parts (name,
matchers) inside its own `{{.window}}` count queries, never by pasting text.
"""

from __future__ import annotations

import json
import re

import promql_parser as pp

from bot.catalog.errors import Problems
from bot.domain.slo import WINDOW_PLACEHOLDER

BUCKET_EXAMPLE = 'http_request_duration_seconds_bucket{job="api",le="0.5"}'

_W = WINDOW_PLACEHOLDER
_OPS = [(pp.MatchOp.Equal, "="), (pp.MatchOp.NotEqual, "!="), (pp.MatchOp.Re, "=~")]
_OPS.append((pp.MatchOp.NotRe, "!~"))  # pairs: MatchOp is not hashable
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|\+?Inf")  # a bucket boundary
_EXAMPLE = 'http_requests_total{job="api"}'


def parse_selector(
    file: str, path: str, text: str, subject: str, problems: Problems, *, bucket: bool = False
) -> pp.VectorSelector | None:
    """The metric as one plain vector selector (of one bucket); None after recording a problem."""
    try:
        expr = pp.parse(text)
    except (ValueError, TypeError) as exc:
        problems.add(file, path, f"{subject}: invalid PromQL selector {text!r}: {exc}")
        return None
    if not isinstance(expr, pp.VectorSelector):
        message = (
            f"{subject}: must be one metric selector such as {_EXAMPLE}, not the expression "
            f"{text!r} (budgetbot counts the selector over the window itself)"
        )
        problems.add(file, path, message)
        return None
    if expr.offset is not None or expr.at is not None:
        message = "offset and @ are not supported in a Pyrra metric (Pyrra drops them)"
        problems.add(file, path, f"{subject}: {message}")
        return None
    error = _bucket(expr) if bucket else None
    if error:
        problems.add(file, path, f"{subject}: {error}")
        return None
    return expr


def counted(function: str, selector: pp.VectorSelector) -> str:
    """`sum(<function>(<selector>[{{.window}}]))`, the selector rendered from its parts."""
    return f"sum({function}({render_selector(selector)}[{_W}]))"


def bucket_threshold(selector: pp.VectorSelector) -> float:
    """The bucket boundary a checked success selector picks (its le)."""
    return float(next(m.value for g in _groups(selector) for m in g if m.name == "le"))


def _bucket(selector: pp.VectorSelector) -> str | None:
    """Why a latency success selector picks no single bucket (le="<number>"), or None."""
    for group in _groups(selector):
        found = [m for m in group if m.name == "le"]
        if not found:
            return (
                "the success metric must select one histogram bucket with le, "
                f"e.g. {BUCKET_EXAMPLE}"
            )
        for matcher in found:
            if matcher.op != pp.MatchOp.Equal or not _NUMBER.fullmatch(matcher.value):
                return f'le must be one bucket boundary such as le="0.5", got {_matcher(matcher)}'
            if "Inf" in matcher.value:
                return 'le="+Inf" holds every request, so none could be slow: name a boundary'
    return None


def _groups(selector: pp.VectorSelector) -> list[list[pp.Matcher]]:
    """The selector's matcher groups: one, or one per `or` alternative."""
    return list(selector.matchers.or_matchers) or [list(selector.matchers.matchers)]


def render_selector(selector: pp.VectorSelector, without: str = "") -> str:
    """PromQL text for a parsed selector, every value quoted afresh; the matchers of the
    label `without` (such as le) are left out."""
    body = " or ".join(
        ",".join(_matcher(m) for m in group if m.name != without) for group in _groups(selector)
    )
    name = selector.name or ""
    return f"{name}{{{body}}}" if body else name


def _matcher(matcher: pp.Matcher) -> str:
    label = matcher.name
    if not _LABEL_NAME.fullmatch(label):
        label = json.dumps(label, ensure_ascii=False)
    op = next(text for known, text in _OPS if matcher.op == known)
    return f"{label}{op}{json.dumps(matcher.value, ensure_ascii=False)}"
