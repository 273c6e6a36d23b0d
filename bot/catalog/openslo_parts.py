"""What the OpenSLO versions share: object headers, team labels, budgeting, targets, drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.catalog.checks import check_name, check_objective, slug
from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.fragment import SLODraft
from bot.catalog.openslo_window import NO_WINDOW
from bot.domain.slo import SLI
from bot.domain.windows import Calendar

V1 = "openslo/v1"
V1ALPHA = "openslo/v1alpha"
TIMESLICES = ("Timeslices", "RatioTimeslices")

THRESHOLD = (
    "a threshold metric (thresholdMetric) judges time slices: it needs budgetingMethod "
    "Timeslices; to count good and bad events use a ratioMetric with counter: true, total, "
    "and good or bad"
)
RAW = (
    "raw ratio metrics (raw, rawType) are not supported yet; give counters as total with "
    "good or bad, or write the SLO in the budgetbot catalog with sli.raw.error_ratio_query"
)
COMPOSITE = (
    "composite SLOs (an indicator per objective) are not supported yet; write one SLO per "
    "indicator, each with spec.indicator or spec.indicatorRef"
)


class MetadataModel(StrictModel):
    name: str
    displayName: str | None = None
    labels: dict[str, Any] | None = None  # only `team` is read; other values may be any scalar
    annotations: dict[str, Any] | None = None  # accepted, ignored


class DocumentModel(StrictModel):
    apiVersion: str
    kind: str
    metadata: MetadataModel
    spec: dict[str, Any] | None = None


def team_label(
    file: str, prefix: str, metadata: MetadataModel, problems: Problems
) -> tuple[str | None, str]:
    """The team named by metadata.labels.team (a string or a list of one), and its path."""
    path = join(prefix, "metadata.labels.team")
    value = (metadata.labels or {}).get("team")
    if isinstance(value, list):
        if len(value) != 1:
            problems.add(file, path, f"must name exactly one team, got {len(value)}")
            return None, path
        value = value[0]
    if value is None:
        return None, path
    if not isinstance(value, str):
        problems.add(file, path, "must be a team name (a string, or a list of one)")
        return None, path
    error = check_name(value)
    if error:
        problems.add(file, path, f"team name {error}")
        return None, path
    return value, path


NO_METHOD = "no budgetingMethod: Occurrences assumed (events counted over the window)"


def check_budgeting(method: str | None, methods: tuple[str, ...]) -> str | None:
    """The problem with a budgetingMethod (only Occurrences is supported), or None."""
    if method is None or method == "Occurrences":
        return None
    if method in TIMESLICES and method in methods:
        return (
            f"budgetingMethod {method} is not supported in this version; budgetbot counts "
            "events over the window: use budgetingMethod: Occurrences, or openslo/v1"
        )
    listed = ", ".join(methods)
    return f"must be one of {listed} (budgetbot supports Occurrences), got {method!r}"


def objective_percent(
    file: str,
    path: str,
    target: float | None,
    target_percent: float | None,
    problems: Problems,
    *,
    percent_allowed: bool = True,
) -> float:
    """The objective in percent from target (a ratio) or targetPercent; 0.0 after a problem."""
    if percent_allowed and (target is None) == (target_percent is None):
        problems.add(file, path, "needs exactly one of target (0.999) or targetPercent (99.9)")
        return 0.0
    if target is None and target_percent is None:
        problems.add(file, join(path, "target"), "is required: a ratio such as 0.999")
        return 0.0
    if target is not None:
        percent = round(target * 100, 10)
        error = check_objective(percent) and "must be a ratio between 0 and 1, e.g. 0.999"
        key = "target"
    else:
        percent, key = target_percent or 0.0, "targetPercent"
        error = check_objective(percent)
    if error:
        problems.add(file, join(path, key), error)
    return percent


@dataclass(frozen=True)
class SLOHead:
    """What every objective of one OpenSLO SLO shares; window in seconds."""

    file: str
    prefix: str
    name: str
    service: str
    window: int
    description: str
    team: str | None
    team_path: str
    notes: tuple[str, ...]
    calendar: Calendar | None = None  # window is a calendar period (1w/1M/1Q, not rolling)


def objective_name(name: str, number: int, count: int, display_name: str | None) -> str:
    """The SLO's name, or with several objectives `<name>-<displayName slug or index>`."""
    if count == 1:
        return name
    return f"{name}-{slug(display_name or '') or number}"


def make_draft(
    head: SLOHead,
    number: int,
    count: int,
    display_name: str | None,
    percent: float,
    sli: SLI | None,
    sli_ref: str | None = None,
) -> SLODraft:
    """The SLODraft of objective `number` of `count`."""
    spec = join(head.prefix, "spec")
    where = join(join(spec, "objectives"), number)
    several = count > 1
    return SLODraft(
        name=objective_name(head.name, number, count, display_name),
        service=head.service,
        objective=percent,
        window=head.window,
        calendar=head.calendar,
        sli=sli,
        description=head.description,
        file=head.file,
        path=where if several else head.prefix,
        name_path=where if several else join(head.prefix, "metadata.name"),
        service_path=join(spec, "service"),
        team=head.team,
        team_path=head.team_path,
        sli_ref=sli_ref,
        sli_ref_path=join(spec, "indicatorRef"),
        needs_declared_service=False,
        # No window in the file: the include's window applies, else the 30d default.
        window_from_include=NO_WINDOW in head.notes,
        notes=[n for n in head.notes if n != NO_WINDOW],
    )
