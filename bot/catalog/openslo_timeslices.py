"""OpenSLO openslo/v1 `budgetingMethod: Timeslices`: each objective's slices.

- With a `ratioMetric`: a slice of `timeSliceWindow` is good when at least
  `timeSliceTarget` of its events are good (budgetbot's `timeslice: {size, target}`).
- With a `thresholdMetric`: a slice is good when the metric's value satisfies the
  objective's `op` (lt, lte, gt, gte) and `value` (budgetbot's `sli.threshold`).

`budgetingMethod: RatioTimeslices` over a `ratioMetric`: the SLI is the mean of every
slice's good ratio (slices without events do not count), so the error ratio is the mean
of the slices' error ratios.
"""

from __future__ import annotations

from typing import Any

from bot.catalog.errors import Problems, join
from bot.catalog.fragment import Gauge, SLODraft
from bot.catalog.timeslices import (
    ThresholdModel,
    check_gauge,
    check_size,
    check_target,
    check_threshold,
    threshold_slices,
)
from bot.domain.slo import SLI

OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def slice_size(file: str, where: str, window: Any, problems: Problems) -> int | None:
    """An objective's timeSliceWindow in seconds; None after recording a problem."""
    path = join(where, "timeSliceWindow")
    if not isinstance(window, str):
        problems.add(file, path, "Timeslices needs timeSliceWindow, a duration such as 1m")
        return None
    size, error = check_size(window)
    if error:
        problems.add(file, path, error)
        return None
    return size


def slice_target(file: str, where: str, target: float | None, problems: Problems) -> float | None:
    """An objective's timeSliceTarget in (0, 1]; None after recording a problem."""
    error = check_target(target)
    if error:
        message = f"Timeslices over a ratioMetric needs timeSliceTarget, the share {error}"
        problems.add(file, join(where, "timeSliceTarget"), message)
        return None
    return target


def threshold_sli(
    file: str, where: str, query: str, op: str | None, value: float | None, size: int,
    problems: Problems,
) -> SLI | None:  # fmt: skip
    """The sliced SLI of a thresholdMetric objective; None after recording a problem."""
    if op not in OPS:
        message = f"a thresholdMetric objective needs op: one of {', '.join(OPS)}, got {op!r}"
        problems.add(file, join(where, "op"), message)
        return None
    if value is None:
        problems.add(file, join(where, "value"), "a thresholdMetric objective needs a value")
        return None
    error = check_threshold(query, value)
    if error:
        problems.add(file, join(where, "value"), error)
        return None
    return threshold_slices(ThresholdModel(query=query, op=OPS[op], value=value), size)


def gauge_query(file: str, path: str, metric: Any, problems: Problems) -> str | None:
    """The PromQL of a thresholdMetric (its metricSource.spec.query or .promql)."""
    spec = metric.get("metricSource", {}).get("spec", {}) if isinstance(metric, dict) else {}
    query = spec.get("query", spec.get("promql")) if isinstance(spec, dict) else None
    where = join(path, "metricSource.spec.query")
    if not isinstance(query, str) or not query.strip():
        problems.add(file, where, "a thresholdMetric needs its PromQL query")
        return None
    error = check_gauge(query)
    if error:
        problems.add(file, where, error)
        return None
    return query.strip()


def resolve_reference(draft: SLODraft, named: SLI | Gauge | None, problems: Problems) -> SLI | None:
    """The SLI of an SLO whose indicatorRef names `named`: a thresholdMetric SLI sliced by
    the SLO's Timeslices objective, a ratio SLI as it is (its objective's timeSliceTarget
    checked, when sliced); None after recording a problem."""
    pending = draft.slice_objective
    if isinstance(named, Gauge):
        if draft.slice_size is None or pending is None:
            message = "names an SLI with a thresholdMetric: that needs budgetingMethod Timeslices"
            problems.add(draft.file, draft.sli_ref_path, message)
            return None
        if draft.slice_mean:
            message = "RatioTimeslices averages slices' good ratios: it needs a ratioMetric SLI"
            problems.add(draft.file, draft.sli_ref_path, message)
            return None
        query, size = named.query, draft.slice_size
        return threshold_sli(
            draft.file, pending.path, query, pending.op, pending.value, size, problems
        )
    if named is not None and pending is not None and not draft.slice_mean:
        draft.slice_target = slice_target(draft.file, pending.path, pending.target, problems)
        if draft.slice_target is None:
            return None
    return named
