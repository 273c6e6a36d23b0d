"""OpenSLO openslo/v1 files: kind SLO and SLI with Prometheus ratio metrics, rolling windows."""

from __future__ import annotations

from typing import Any

from bot.catalog.checks import check_name, check_objective, parse_window, slug
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, Located, SLODraft
from bot.catalog.openslo_sli import SLISpecModel, ratio_sli

OPENSLO_VERSION = "openslo/v1"
IGNORED_KINDS = (
    "Service",
    "DataSource",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
)


class MetadataModel(StrictModel):
    name: str
    displayName: str | None = None
    labels: dict[str, str | list[str]] | None = None
    annotations: dict[str, str] | None = None


class InlineSLIModel(StrictModel):
    metadata: MetadataModel | None = None
    spec: SLISpecModel


class TimeWindowModel(StrictModel):
    duration: str
    isRolling: bool | None = None
    calendar: Any = None


class ObjectiveModel(StrictModel):
    displayName: str | None = None
    op: str | None = None  # accepted, ignored: only meaningful for threshold metrics
    value: float | None = None
    target: float | None = None  # ratio, e.g. 0.999
    targetPercent: float | None = None  # percent, e.g. 99.9
    timeSliceTarget: float | None = None
    timeSliceWindow: Any = None
    indicator: Any = None
    indicatorRef: str | None = None
    compositeWeight: float | None = None


class SLOSpecModel(StrictModel):
    description: str = ""
    service: str
    indicator: InlineSLIModel | None = None
    indicatorRef: str | None = None
    timeWindow: list[TimeWindowModel]
    budgetingMethod: str
    objectives: list[ObjectiveModel]
    alertPolicies: list[Any] | None = None


class DocumentModel(StrictModel):
    apiVersion: str
    kind: str
    metadata: MetadataModel
    spec: dict[str, Any] | None = None


def parse_openslo(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs and SLIs of one OpenSLO file's objects, each given with its path prefix."""
    fragment = Fragment(file)
    for prefix, raw in items:
        doc = validate(DocumentModel, raw, file, prefix, problems)
        if doc is None:
            continue
        if doc.apiVersion != OPENSLO_VERSION:
            message = f"only {OPENSLO_VERSION} is supported, got {doc.apiVersion!r}"
            problems.add(file, join(prefix, "apiVersion"), message)
        elif doc.kind == "SLO":
            _slo(fragment, prefix, doc, problems)
        elif doc.kind == "SLI":
            spec = validate(SLISpecModel, doc.spec, file, join(prefix, "spec"), problems)
            subject = f"SLI {doc.metadata.name}"
            sli = ratio_sli(file, join(prefix, "spec"), spec, subject, problems) if spec else None
            if sli is None:
                fragment.broken_slis.add(doc.metadata.name)
            where = join(prefix, "metadata.name")
            fragment.slis.append(Located((doc.metadata.name, sli), file, where))
        elif doc.kind not in IGNORED_KINDS:
            kinds = ", ".join(("SLO", "SLI", *IGNORED_KINDS))
            problems.add(file, join(prefix, "kind"), f"unknown kind {doc.kind!r} (known: {kinds})")
    return fragment


def _slo(fragment: Fragment, prefix: str, doc: DocumentModel, problems: Problems) -> None:
    file, path = fragment.file, join(prefix, "spec")
    name = doc.metadata.name
    errors = [(join(prefix, "metadata.name"), check_name(name))]
    spec = validate(SLOSpecModel, doc.spec, file, path, problems)
    if spec is None:
        if errors[0][1]:
            problems.add(file, errors[0][0], errors[0][1])
        return
    errors.append((join(path, "service"), check_name(spec.service)))
    if spec.budgetingMethod != "Occurrences":
        message = (
            f"{spec.budgetingMethod!r} is not supported; budgetbot counts events over "
            "the window (budgetingMethod: Occurrences)"
        )
        errors.append((join(path, "budgetingMethod"), message))
    window = _window(file, join(path, "timeWindow"), spec.timeWindow, problems)
    team, team_path = _team(file, prefix, doc, problems)
    sli, sli_ref = None, spec.indicatorRef
    if (spec.indicator is None) == (spec.indicatorRef is None):
        errors.append((path, "needs exactly one of indicator or indicatorRef"))
    elif spec.indicator is not None:
        subject = f"SLO {name}"
        sli = ratio_sli(file, join(path, "indicator.spec"), spec.indicator.spec, subject, problems)
    for where, error in errors:
        if error:
            problems.add(file, where, error)
    if not spec.objectives:
        problems.add(file, join(path, "objectives"), "needs at least one objective")
    if errors[0][1] or errors[1][1]:
        return
    description = spec.description or (spec.indicator.spec.description if spec.indicator else "")
    for number, objective in enumerate(spec.objectives):
        where = join(join(path, "objectives"), number)
        percent = _objective(file, where, objective, problems)
        several = len(spec.objectives) > 1
        suffix = slug(objective.displayName or "") or str(number)
        fragment.slos.append(
            SLODraft(
                name=f"{name}-{suffix}" if several else name,
                service=spec.service,
                objective=percent,
                window=window,
                sli=sli,
                description=description,
                file=file,
                path=where if several else prefix,
                name_path=where if several else join(prefix, "metadata.name"),
                service_path=join(path, "service"),
                team=team,
                team_path=team_path,
                sli_ref=sli_ref,
                sli_ref_path=join(path, "indicatorRef"),
                needs_declared_service=False,
            )
        )


def _objective(file: str, path: str, objective: ObjectiveModel, problems: Problems) -> float:
    """The objective in percent (0.0 after recording a problem)."""
    if objective.indicator is not None or objective.indicatorRef is not None:
        problems.add(file, path, "per-objective indicators (composite SLOs) are not supported")
    if (objective.target is None) == (objective.targetPercent is None):
        problems.add(file, path, "needs exactly one of target (0.999) or targetPercent (99.9)")
        return 0.0
    if objective.target is not None:
        key, percent = "target", round(objective.target * 100, 10)
        error = check_objective(percent) and "must be a ratio between 0 and 1, e.g. 0.999"
    else:
        key, percent = "targetPercent", objective.targetPercent or 0.0
        error = check_objective(percent)
    if error:
        problems.add(file, join(path, key), error)
    return percent


def _window(file: str, path: str, windows: list[TimeWindowModel], problems: Problems) -> int:
    """The rolling window in seconds (0 after recording a problem)."""
    if len(windows) != 1:
        problems.add(file, path, f"needs exactly one time window, got {len(windows)}")
        return 0
    window, where = windows[0], join(path, 0)
    if window.calendar is not None or window.isRolling is False:
        problems.add(file, where, "calendar windows are not supported; use isRolling: true")
        return 0
    seconds, error = parse_window(window.duration)
    if error:
        problems.add(file, join(where, "duration"), error)
    return seconds


def _team(file: str, prefix: str, doc: DocumentModel, problems: Problems) -> tuple[str | None, str]:
    """The team named by metadata.labels.team (a string or a list of one), and where."""
    labels = doc.metadata.labels or {}
    path = join(prefix, "metadata.labels.team")
    value = labels.get("team")
    if isinstance(value, list):
        if len(value) != 1:
            problems.add(file, path, "must name exactly one team")
            return None, path
        value = value[0]
    if value is not None and check_name(value):
        problems.add(file, path, f"team name {check_name(value)}")
        return None, path
    return value, path
