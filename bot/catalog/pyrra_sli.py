"""The indicator of a Pyrra resource (ratio, latency or bool_gauge) as an events SLI.

Each metric is parsed as a selector (bot/catalog/pyrra_selectors.py) and counted over the
window by budgetbot's own queries; native histograms and grouping are refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.pyrra_selectors import (
    BUCKET_EXAMPLE,
    bucket_threshold,
    counted,
    parse_selector,
    render_selector,
)
from bot.catalog.queries import checked_events
from bot.domain.slo import SLI, Bucket

INDICATORS = ("ratio", "latency", "bool_gauge")


class MetricModel(StrictModel):
    metric: str


class RatioModel(StrictModel):
    errors: MetricModel
    total: MetricModel
    grouping: list[str] | None = None


class LatencyModel(StrictModel):
    success: MetricModel
    total: MetricModel
    grouping: list[str] | None = None


class BoolGaugeModel(StrictModel):
    metric: str
    grouping: list[str] | None = None


class IndicatorModel(StrictModel):
    ratio: RatioModel | None = None
    latency: LatencyModel | None = None
    latencyNative: Any = None  # refused: native histograms
    bool_gauge: BoolGaugeModel | None = None


def indicator_sli(
    file: str, path: str, indicator: IndicatorModel, subject: str, problems: Problems
) -> SLI | None:
    """The EventsSLI of the one indicator given; None after recording problems."""
    given = [key for key in (*INDICATORS, "latencyNative") if getattr(indicator, key) is not None]
    if len(given) != 1:
        shown = f", got {' and '.join(given)}" if given else ""
        problems.add(file, path, f"needs exactly one of ratio, latency or bool_gauge{shown}")
        return None
    kind = given[0]
    where = join(path, kind)
    if kind == "latencyNative":
        message = "native histograms are not supported; use latency with a classic histogram"
        problems.add(file, where, f"{message} (success: {BUCKET_EXAMPLE}, total: its _count)")
        return None
    model = getattr(indicator, kind)
    if model.grouping:
        message = (
            f"grouping by {', '.join(model.grouping)} is not supported: budgetbot keeps one "
            "error budget per SLO; write one SLO per group (select it in the metric, e.g. "
            'handler="/api"), or drop grouping to aggregate them all'
        )
        problems.add(file, join(where, "grouping"), message)
        return None
    bucket = None
    if isinstance(model, RatioModel):
        bad_path, total_path = join(where, "errors.metric"), join(where, "total.metric")
        errors = parse_selector(file, bad_path, model.errors.metric, subject, problems)
        total = parse_selector(file, total_path, model.total.metric, subject, problems)
        if errors is None or total is None:
            return None
        bad, all_events = counted("increase", errors), counted("increase", total)
    elif isinstance(model, LatencyModel):
        bad_path, total_path = join(where, "success.metric"), join(where, "total.metric")
        success = parse_selector(
            file, bad_path, model.success.metric, subject, problems, bucket=True
        )
        total = parse_selector(file, total_path, model.total.metric, subject, problems)
        if success is None or total is None:
            return None
        all_events = counted("increase", total)
        bad = f"{all_events} - {counted('increase', success)}"
        bucket = Bucket(render_selector(success, without="le"), bucket_threshold(success))
    else:
        bad_path = total_path = join(where, "metric")
        gauge = parse_selector(file, total_path, model.metric, subject, problems)
        if gauge is None:
            return None
        all_events = counted("count_over_time", gauge)  # samples; sum_over_time: the 1s
        bad = f"{all_events} - {counted('sum_over_time', gauge)}"
    sli = checked_events(bad, all_events, (file, bad_path, total_path), subject, problems)
    return replace(sli, bucket=bucket) if sli is not None and bucket else sli
