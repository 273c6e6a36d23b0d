"""OpenSLO openslo/v1alpha kind SLO: `timeWindows[{unit, count}]`, `objectives[].ratioMetrics`.

In v1alpha each objective carries its own ratio metrics; an SLO-level `indicator` only holds a
`thresholdMetric`, read under budgetingMethod Timeslices. Each objective becomes one SLO, as
in v1. v1alpha gives no slice size (v1's timeSliceWindow): its Timeslices are 1-minute slices.
"""

from __future__ import annotations

from typing import Any

from bot.catalog.checks import check_name
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import SLODraft
from bot.catalog.openslo_parts import (
    NO_METHOD,
    DocumentModel,
    SLOHead,
    check_budgeting,
    make_draft,
    objective_name,
    objective_percent,
    team_label,
)
from bot.catalog.openslo_sli import AlphaRatioModel, alpha_ratio_sli
from bot.catalog.openslo_timeslices import gauge_query, slice_target, threshold_sli
from bot.catalog.openslo_window import AlphaTimeWindowModel, alpha_window
from bot.domain.slo import SLI, EventsSLI

ALPHA_METHODS = ("Occurrences", "Timeslices")
ALPHA_SLICE = 60  # seconds: v1alpha has no timeSliceWindow
ALPHA_SLICE_NOTE = "v1alpha gives no slice size: 1-minute slices"
ALPHA_THRESHOLD = (
    "a threshold metric (thresholdMetric) judges time slices: it needs budgetingMethod "
    "Timeslices; to count good and bad events give each objective ratioMetrics with "
    "counter: true, total, and good or bad"
)


class AlphaObjectiveModel(StrictModel):
    displayName: str | None = None
    op: str | None = None  # accepted, ignored: only meaningful for threshold metrics
    value: float | None = None
    target: float | None = None  # ratio, e.g. 0.999
    timeSliceTarget: float | None = None
    ratioMetrics: AlphaRatioModel | None = None
    ratioMetric: AlphaRatioModel | None = None  # the spec's schema block spells it so


class AlphaIndicatorModel(StrictModel):
    thresholdMetric: Any = None


class AlphaSLOSpecModel(StrictModel):
    description: str = ""
    service: str
    indicator: AlphaIndicatorModel | None = None
    timeWindows: list[AlphaTimeWindowModel] | None = None  # none: 30d rolling (noted)
    budgetingMethod: str | None = None  # OpenSLO requires it; published files omit it
    objectives: list[AlphaObjectiveModel]
    alertPolicies: list[Any] | None = None  # accepted, ignored (noted)


def parse_alpha_slo(
    file: str, prefix: str, doc: DocumentModel, problems: Problems
) -> list[SLODraft]:
    """One SLODraft per objective of a v1alpha SLO (none if its names are wrong)."""
    path = join(prefix, "spec")
    name = doc.metadata.name
    name_error = check_name(name)
    if name_error:
        problems.add(file, join(prefix, "metadata.name"), name_error)
    spec = validate(AlphaSLOSpecModel, doc.spec, file, path, problems)
    if spec is None:
        return []
    service_error = check_name(spec.service)
    if service_error:
        problems.add(file, join(path, "service"), service_error)
    sliced = spec.budgetingMethod == "Timeslices"
    method = None if sliced else check_budgeting(spec.budgetingMethod, ALPHA_METHODS)
    if method:
        problems.add(file, join(path, "budgetingMethod"), method)
    notes: list[str] = [] if spec.budgetingMethod else [NO_METHOD]
    if sliced:
        notes.append(ALPHA_SLICE_NOTE)
    window, calendar = alpha_window(
        file, join(path, "timeWindows"), spec.timeWindows, notes, problems
    )
    team, team_path = team_label(file, prefix, doc.metadata, problems)
    threshold = spec.indicator is not None
    gauge = None
    if spec.indicator is not None:
        where = join(path, "indicator")
        metric = spec.indicator.thresholdMetric
        if metric is not None:
            where = join(where, "thresholdMetric")
        if sliced and metric is not None:  # its query as v1's metricSource.spec.query
            gauge = gauge_query(file, where, _as_v1(metric), problems)
        else:
            problems.add(file, where, ALPHA_THRESHOLD)
    if not spec.objectives:
        problems.add(file, join(path, "objectives"), "needs at least one objective")
    if name_error or service_error:
        return []
    if spec.alertPolicies:
        notes.append("alertPolicies ignored: budgetbot sends its own burn-rate alerts")
    if not sliced and any(o.timeSliceTarget is not None for o in spec.objectives):
        notes.append("timeSliceTarget ignored: budgetingMethod Occurrences")
    head = SLOHead(
        file,
        prefix,
        name,
        spec.service,
        window,
        spec.description,
        team,
        team_path,
        tuple(notes),
        calendar,
    )
    count = len(spec.objectives)
    drafts = []
    for number, objective in enumerate(spec.objectives):
        where = join(join(path, "objectives"), number)
        percent = objective_percent(
            file, where, objective.target, None, problems, percent_allowed=False
        )
        subject = f"SLO {objective_name(name, number, count, objective.displayName)}"
        sli: SLI | None = None if threshold else _sli(file, where, objective, subject, problems)
        if sliced and gauge is not None:
            op, value = objective.op, objective.value
            sli = threshold_sli(file, where, gauge, op, value, ALPHA_SLICE, problems)
        draft = make_draft(head, number, count, objective.displayName, percent, sli)
        if sliced and sli is not None:
            draft.slice_size = ALPHA_SLICE
            if gauge is None:
                draft.slice_target = slice_target(file, where, objective.timeSliceTarget, problems)
                draft.slice_size = ALPHA_SLICE if draft.slice_target is not None else None
        drafts.append(draft)
    return drafts


def _as_v1(metric: Any) -> Any:
    """A v1alpha thresholdMetric ({source, queryType, query}) in v1's metricSource form."""
    if not isinstance(metric, dict):
        return metric
    return {"metricSource": {"spec": {"query": metric.get("query")}}}


def _sli(
    file: str, path: str, objective: AlphaObjectiveModel, subject: str, problems: Problems
) -> EventsSLI | None:
    """The objective's EventsSLI from its ratioMetrics (or ratioMetric); None after problems."""
    if objective.ratioMetrics is not None and objective.ratioMetric is not None:
        problems.add(file, path, "give ratioMetrics once (ratioMetrics or ratioMetric, not both)")
        return None
    key = "ratioMetrics" if objective.ratioMetric is None else "ratioMetric"
    ratio = objective.ratioMetrics or objective.ratioMetric
    if ratio is None:
        message = "is required: counter: true, total, and good or bad"
        problems.add(file, join(path, "ratioMetrics"), message)
        return None
    return alpha_ratio_sli(file, join(path, key), ratio, subject, problems)
