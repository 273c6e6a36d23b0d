"""Timeslice budgets: the window cut into slices of `size` (aligned to the epoch), each
good or bad, and the budget counted in slices instead of events.

- `timeslice: {size, target}` over an events or latency SLI: a slice is bad when less than
  `target` of its events are good; a slice without events does not count.
- `sli.threshold: {query, op, value}` with `timeslice: {size}`: a slice is bad when the
  query's value (a gauge, such as a p99 latency) does not satisfy `op value`; a slice
  without a value (no sample, NaN) does not count.

Both become an events SLI whose events are slices, written as Prometheus subqueries
stepped at the slice size (`[{{.window_open}}:1m]`: the window less one millisecond, whose
steps Prometheus aligns to the epoch): bad = the bad slices, total = the slices with
data. So every figure (budget, burn rates, alerts, incident impact, digest, chart) is in
slices, read like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import promql_parser as pp

from bot.catalog.errors import Problems, StrictModel, join
from bot.domain.durations import format_duration, parse_duration
from bot.domain.slo import OPEN_WINDOW, WINDOW_PATTERN, EventsSLI, QueryKind

OPS = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}  # op -> what makes a slice bad
DIVIDES = 3600  # a slice size divides an hour, so that hours hold whole slices
LONGEST = 300  # and fits the shortest burn window (5m), which then holds whole slices
SIZES = "1m, 2m, 3m, 4m or 5m"


class TimesliceModel(StrictModel):
    size: str = "1m"
    target: float | None = None  # share of a slice's events that must be good


class ThresholdModel(StrictModel):
    query: str  # a gauge: its value at the end of each slice
    op: str  # <, <=, >, >=: what a good slice's value satisfies
    value: float


@dataclass(frozen=True)
class Slicing:
    size: int  # seconds
    target: float | None  # events SLIs only


def slicing(
    model: TimesliceModel | None,
    threshold: bool,
    file: str,
    path: str,
    problems: Problems,
) -> Slicing | None:
    """The slices of `budgeting: timeslices`; None after recording a problem."""
    where = join(path, "timeslice")
    if model is None:
        example = "{size: 1m}" if threshold else "{size: 1m, target: 0.95}"
        problems.add(file, path, f"budgeting: timeslices needs timeslice: {example}")
        return None
    size, error = check_size(model.size)
    if error:
        problems.add(file, join(where, "size"), error)
        return None
    if threshold:
        if model.target is not None:
            message = "a threshold SLI's slice is good by its threshold: drop target"
            problems.add(file, join(where, "target"), message)
            return None
        return Slicing(size, None)
    error = check_target(model.target)
    if error or model.target is None:
        problems.add(file, join(where, "target"), f"the share of good events {error}")
        return None
    return Slicing(size, model.target)


def check_size(text: str) -> tuple[int, str | None]:
    """A slice's seconds, or why the size will not do: whole minutes that divide an hour
    and fit the shortest burn window, so that every window holds whole slices."""
    try:
        size = parse_duration(text)
    except ValueError as exc:
        return 0, str(exc)
    if size < 60 or DIVIDES % size or size > LONGEST:
        return 0, f"must be {SIZES} (whole minutes within the 5m burn window), got {text!r}"
    return size, None


def check_target(target: float | None) -> str | None:
    """Why a slice's target share will not do, or None."""
    if target is None or not (0 < target <= 1 and math.isfinite(target)):
        got = "none" if target is None else f"{target:g}"
        return f"that makes a slice good, in (0, 1], got {got}"
    return None


def check_threshold(query: str, value: float) -> str | None:
    """Why a threshold's gauge or value will not do, or None: the value must be a number
    (NaN would make every slice good), the query a gauge (`check_gauge`)."""
    if not math.isfinite(value):
        return f"the value must be a number, got {value}"
    return check_gauge(query)


def check_gauge(query: str) -> str | None:
    """Why a gauge query will not do, or None: it must parse on its own as one instant
    vector (it is placed inside budgetbot's expressions)."""
    try:
        expr = pp.parse(WINDOW_PATTERN.sub("1m", query))
    except (ValueError, TypeError) as exc:
        return f"invalid PromQL {query!r}: {exc}"
    if isinstance(expr, pp.MatrixSelector | pp.SubqueryExpr | pp.NumberLiteral | pp.StringLiteral):
        return f"the query must give an instant vector (a gauge's value), got {query!r}"
    return None


def ratio_slices(sli: EventsSLI, size: int, target: float) -> EventsSLI:
    """Events SLI -> slices: a slice is bad when less than `target` of its events are good."""
    bad, total = _per_slice(sli, size)
    return _sliced(f"((1 - ({bad}) / ({total})) < bool {target!r})", f"(({total}) > 0)", size, sli)


def mean_ratio_slices(sli: EventsSLI, size: int) -> EventsSLI:
    """Events SLI -> the mean of every slice's error ratio (OpenSLO's RatioTimeslices):
    bad = the sum of the slices' error ratios, total = the slices with events."""
    bad, total = _per_slice(sli, size)
    with_events = f"(({total}) > 0)"
    return _sliced(f"((({bad}) / ({total})) and {with_events})", with_events, size, sli)


def threshold_slices(model: ThresholdModel, size: int) -> EventsSLI:
    """A gauge -> slices: a slice is bad when its value does not satisfy `op value`."""
    query = WINDOW_PATTERN.sub(format_duration(size), model.query)
    known = f"(({query}) == ({query}))"  # NaN is no value: that slice does not count
    bad_slice = f"((({query}) {OPS[model.op]} bool {model.value!r}) and {known})"
    return _sliced(bad_slice, known, size, None)


def _per_slice(sli: EventsSLI, size: int) -> tuple[str, str]:
    """The SLI's bad and total events over one slice."""
    return (
        _at(sli.planned_bad.text, size, sli.planned_bad.kind),
        _at(sli.planned_total.text, size, sli.planned_total.kind),
    )


def _at(text: str, size: int, kind: QueryKind) -> str:
    """The query over one slice, as a count of events (a rate: times the slice's seconds)."""
    rendered = WINDOW_PATTERN.sub(format_duration(size), text)
    return f"({rendered}) * {size}" if kind is QueryKind.RATE else rendered


def _sliced(bad: str, counted: str, size: int, of: EventsSLI | None) -> EventsSLI:
    """An events SLI over slices: bad = the sum of `bad` (each slice's badness), total =
    the slices where `counted` has a value, both stepped at the slice size over the window."""
    step = format_duration(size)
    return EventsSLI(
        f"sum_over_time({bad}[{OPEN_WINDOW}:{step}])",
        f"count_over_time({counted}[{OPEN_WINDOW}:{step}])",
        QueryKind.COUNT,
        QueryKind.COUNT,
        bucket=of.bucket if of else None,
    )
