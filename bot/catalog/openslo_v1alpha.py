"""OpenSLO openslo/v1alpha kind SLO: `timeWindows[{unit, count}]`, `objectives[].ratioMetrics`.

In v1alpha each objective carries its own ratio metrics; an SLO-level `indicator` only holds a
`thresholdMetric` (refused). Each objective becomes one SLO, as in v1.
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
from bot.catalog.openslo_window import AlphaTimeWindowModel, alpha_window
from bot.domain.slo import EventsSLI

ALPHA_METHODS = ("Occurrences", "Timeslices")
ALPHA_THRESHOLD = (
    "threshold metrics (thresholdMetric) are read from openslo/v1 files only (budgetingMethod "
    "Timeslices); budgetbot counts good and bad events here: give each objective ratioMetrics "
    "with counter: true, total, and good or bad"
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
    method = check_budgeting(spec.budgetingMethod, ALPHA_METHODS)
    if method:
        problems.add(file, join(path, "budgetingMethod"), method)
    notes: list[str] = [] if spec.budgetingMethod else [NO_METHOD]
    window, calendar = alpha_window(
        file, join(path, "timeWindows"), spec.timeWindows, notes, problems
    )
    team, team_path = team_label(file, prefix, doc.metadata, problems)
    threshold = spec.indicator is not None
    if spec.indicator is not None:
        where = join(path, "indicator")
        if spec.indicator.thresholdMetric is not None:
            where = join(where, "thresholdMetric")
        problems.add(file, where, ALPHA_THRESHOLD)
    if not spec.objectives:
        problems.add(file, join(path, "objectives"), "needs at least one objective")
    if name_error or service_error:
        return []
    if spec.alertPolicies:
        notes.append("alertPolicies ignored: budgetbot sends its own burn-rate alerts")
    if method is None and any(o.timeSliceTarget is not None for o in spec.objectives):
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
        sli = None if threshold else _sli(file, where, objective, subject, problems)
        drafts.append(make_draft(head, number, count, objective.displayName, percent, sli))
    return drafts


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
