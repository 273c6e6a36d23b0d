"""OpenSLO openslo/v1 kind SLO: an inline indicator or an indicatorRef, objectives, window."""

from __future__ import annotations

from typing import Any

from bot.catalog.checks import check_name
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import SliceObjective, SLODraft
from bot.catalog.openslo_parts import (
    COMPOSITE,
    NO_METHOD,
    TIMESLICES,
    DocumentModel,
    MetadataModel,
    SLOHead,
    check_budgeting,
    make_draft,
    objective_percent,
    team_label,
)
from bot.catalog.openslo_sli import SLISpecModel, ratio_sli
from bot.catalog.openslo_timeslices import gauge_query, slice_size, slice_target, threshold_sli
from bot.catalog.openslo_window import TimeWindowModel, v1_window

V1_METHODS = ("Occurrences", *TIMESLICES)
ALERTS_IGNORED = "alertPolicies ignored: budgetbot sends its own burn-rate alerts"


class InlineSLIModel(StrictModel):
    metadata: MetadataModel | None = None
    spec: SLISpecModel


class ObjectiveModel(StrictModel):
    displayName: str | None = None
    op: str | None = None  # accepted, ignored: only meaningful for threshold metrics
    value: float | None = None
    target: float | None = None  # ratio, e.g. 0.999
    targetPercent: float | None = None  # percent, e.g. 99.9
    timeSliceTarget: float | None = None
    timeSliceWindow: Any = None
    indicator: Any = None  # composite SLOs: refused
    indicatorRef: str | None = None
    compositeWeight: float | None = None


class SLOSpecModel(StrictModel):
    description: str = ""
    service: str
    indicator: InlineSLIModel | None = None
    indicatorRef: str | None = None
    timeWindow: list[TimeWindowModel] | None = None  # none: 30d rolling (noted)
    budgetingMethod: str | None = None  # OpenSLO requires it; published files omit it
    objectives: list[ObjectiveModel]
    alertPolicies: list[Any] | None = None  # accepted, ignored (noted)


def parse_slo(file: str, prefix: str, doc: DocumentModel, problems: Problems) -> list[SLODraft]:
    """One SLODraft per objective of a v1 SLO (none if its names are wrong)."""
    path = join(prefix, "spec")
    name = doc.metadata.name
    errors = [(join(prefix, "metadata.name"), check_name(name))]
    spec = validate(SLOSpecModel, doc.spec, file, path, problems)
    if spec is None:
        _report(file, errors, problems)
        return []
    errors.append((join(path, "service"), check_name(spec.service)))
    sliced = spec.budgetingMethod in ("Timeslices", "RatioTimeslices")
    mean = spec.budgetingMethod == "RatioTimeslices"
    method = None if sliced else check_budgeting(spec.budgetingMethod, V1_METHODS)
    errors.append((join(path, "budgetingMethod"), method))
    notes: list[str] = [] if spec.budgetingMethod else [NO_METHOD]
    window, calendar = v1_window(file, join(path, "timeWindow"), spec.timeWindow, notes, problems)
    team, team_path = team_label(file, prefix, doc.metadata, problems)
    composite = _composite(file, join(path, "objectives"), spec.objectives, problems)
    sli, sli_ref, gauge = None, spec.indicatorRef, None
    if composite:
        pass
    elif (spec.indicator is None) == (spec.indicatorRef is None):
        errors.append((path, "needs exactly one of indicator or indicatorRef"))
    elif spec.indicator is not None:
        subject = f"SLO {name}"
        where = join(path, "indicator.spec")
        threshold = spec.indicator.spec.thresholdMetric
        if mean and threshold is not None:
            message = "RatioTimeslices averages slices' good ratios: it needs a ratioMetric"
            errors.append((join(where, "thresholdMetric"), message))
        elif sliced and threshold is not None:
            gauge = gauge_query(file, join(where, "thresholdMetric"), threshold, problems)
        else:
            sli = ratio_sli(file, where, spec.indicator.spec, subject, problems)
    _report(file, errors, problems)
    if not spec.objectives:
        problems.add(file, join(path, "objectives"), "needs at least one objective")
    if errors[0][1] or errors[1][1]:
        return []
    if spec.alertPolicies:
        notes.append(ALERTS_IGNORED)
    if not sliced and any(o.timeSliceTarget or o.timeSliceWindow for o in spec.objectives):
        notes.append("timeSliceTarget and timeSliceWindow ignored: budgetingMethod Occurrences")
    description = spec.description or (spec.indicator.spec.description if spec.indicator else "")
    head = SLOHead(
        file,
        prefix,
        name,
        spec.service,
        window,
        description,
        team,
        team_path,
        tuple(notes),
        calendar,
    )
    drafts = []
    count = len(spec.objectives)
    for number, objective in enumerate(spec.objectives):
        where = join(join(path, "objectives"), number)
        percent = objective_percent(
            file, where, objective.target, objective.targetPercent, problems
        )
        draft = make_draft(head, number, count, objective.displayName, percent, sli, sli_ref)
        size = slice_size(file, where, objective.timeSliceWindow, problems) if sliced else None
        if size and sli_ref is not None:  # judged once the SLI it names is known
            draft.slice_size = size
            draft.slice_mean = mean
            draft.slice_objective = SliceObjective(
                where, objective.timeSliceTarget, objective.op, objective.value
            )
        elif size and gauge is not None:
            draft.sli = threshold_sli(
                file, where, gauge, objective.op, objective.value, size, problems
            )
            draft.slice_size = size
        elif size and mean:
            draft.slice_size, draft.slice_mean = size, True
        elif size:
            draft.slice_target = slice_target(file, where, objective.timeSliceTarget, problems)
            draft.slice_size = size if draft.slice_target is not None else None
        drafts.append(draft)
    return drafts


def _composite(file: str, path: str, objectives: list[ObjectiveModel], problems: Problems) -> bool:
    """Whether any objective carries its own indicator (a composite SLO), each one refused."""
    found = False
    for number, objective in enumerate(objectives):
        for key in ("indicator", "indicatorRef", "compositeWeight"):
            if getattr(objective, key) is not None:
                problems.add(file, join(join(path, number), key), COMPOSITE)
                found = True
    return found


def _report(file: str, errors: list[tuple[str, str | None]], problems: Problems) -> None:
    for where, error in errors:
        if error:
            problems.add(file, where, error)
