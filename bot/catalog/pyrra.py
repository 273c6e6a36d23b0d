"""Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective resources: ratio, latency and bool_gauge SLIs.

The resource, its metadata, target and window are read here; its indicator becomes an SLI
in bot/catalog/pyrra_sli.py, counting its metrics with budgetbot's own queries
(bot/catalog/pyrra_selectors.py). Pyrra names no service: a `service` label is read, else
the SLO's name.
"""

from __future__ import annotations

import re
from typing import Any

from bot.catalog.checks import check_name, check_objective, parse_window
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, SLODraft
from bot.catalog.pyrra_sli import IndicatorModel, indicator_sli

PYRRA_API = "pyrra.dev/v1alpha1"
PYRRA_KIND = "ServiceLevelObjective"
PROPAGATED = "pyrra.dev/"  # Pyrra copies labels with this prefix into the rules it writes

_PERCENT = re.compile(r"\d+(\.\d+)?")


class SpecModel(StrictModel):
    description: str = ""
    target: Any  # a percent string ("99.9"); a number is accepted too
    window: str
    indicator: IndicatorModel
    alerting: dict[str, Any] | None = None  # accepted, ignored: budgetbot alerts itself
    partial_response_strategy: Any = None  # accepted, ignored: these shape Pyrra's rules
    performanceOverAccuracy: Any = None
    ruleOutput: Any = None


class MetadataModel(StrictModel):
    name: str
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class DocumentModel(StrictModel):
    apiVersion: str
    kind: str
    metadata: dict[str, Any]
    spec: dict[str, Any]
    status: Any = None  # written by Pyrra's operator: ignored


def parse_pyrra(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs of a file's Pyrra resources, each given with its path prefix."""
    fragment = Fragment(file)
    for prefix, document in items:
        _resource(fragment, prefix, document, problems)
    return fragment


def _resource(fragment: Fragment, prefix: str, raw: Any, problems: Problems) -> None:
    """One ServiceLevelObjective resource: one SLODraft, or problems."""
    file = fragment.file
    doc = validate(DocumentModel, raw, file, prefix, problems)
    if doc is None:
        return
    if doc.apiVersion != PYRRA_API:
        message = f"only {PYRRA_API} is supported, got {doc.apiVersion!r}"
        problems.add(file, join(prefix, "apiVersion"), message)
        return
    if doc.kind != PYRRA_KIND:
        message = f"unknown kind {doc.kind!r}; budgetbot reads Pyrra's kind {PYRRA_KIND}"
        problems.add(file, join(prefix, "kind"), message)
        return
    meta = validate(MetadataModel, doc.metadata, file, join(prefix, "metadata"), problems)
    path = join(prefix, "spec")
    spec = validate(SpecModel, doc.spec, file, path, problems)
    if meta is None or spec is None:
        return
    name, name_path = meta.name, join(prefix, "metadata.name")
    name_error = check_name(name)
    if name_error:
        problems.add(file, name_path, name_error)
    labels = meta.labels or {}
    team, team_path, team_ok = _label(file, prefix, labels, "team", problems)
    service, service_path, service_ok = _label(file, prefix, labels, "service", problems)
    if service is None:
        service, service_path = name, name_path
        note = f"service {name} is the SLO's name: the resource has no metadata.labels.service"
    else:
        note = f"service {service} from {service_path.removeprefix(prefix).lstrip('.')}"
    objective = _target(file, join(path, "target"), spec.target, problems)
    window, window_error = parse_window(spec.window)
    if window_error:
        problems.add(file, join(path, "window"), window_error)
    subject = f"SLO {name}"
    sli = indicator_sli(file, join(path, "indicator"), spec.indicator, subject, problems)
    if name_error or not (team_ok and service_ok):
        return
    draft = SLODraft(
        name=name,
        service=service,
        objective=objective,
        window=window,
        sli=sli,
        description=spec.description,
        file=file,
        path=prefix,
        name_path=name_path,
        service_path=service_path,
        team=team,
        team_path=team_path,
        needs_declared_service=False,
        notes=[note],
    )
    if spec.alerting is not None:
        draft.notes.append("spec.alerting ignored: budgetbot sends its own burn-rate alerts")
    fragment.slos.append(draft)


def _label(
    file: str, prefix: str, labels: dict[str, str], key: str, problems: Problems
) -> tuple[str | None, str, bool]:
    """A `key` label, else its `pyrra.dev/` form: (value, its path, whether it is valid)."""
    base = join(prefix, "metadata.labels")
    plain, propagated = labels.get(key), labels.get(PROPAGATED + key)
    if plain is not None and propagated is not None and plain != propagated:
        message = f"names {key} {propagated!r}, but metadata.labels.{key} names {plain!r}; keep one"
        problems.add(file, join(base, PROPAGATED + key), message)
        return None, join(base, key), False
    value = plain if plain is not None else propagated
    path = join(base, key if plain is not None or propagated is None else PROPAGATED + key)
    error = check_name(value) if value is not None else None
    if error:
        problems.add(file, path, f"{key} name {error}")
        return None, path, False
    return value, path, True


def _target(file: str, path: str, value: Any, problems: Problems) -> float:
    """The target in percent (0.0 after recording a problem)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number and not (isinstance(value, str) and _PERCENT.fullmatch(value)):
        shown = "nothing" if value is None else repr(value)
        problems.add(file, path, f"must be a percent such as '99.9', got {shown}")
        return 0.0
    percent = float(value)
    error = check_objective(percent)
    if not error and percent < 1:
        error = f"is a percent (0-100): {value!r} means {percent:g} %; for 99.9 % write '99.9'"
    if error:
        problems.add(file, path, error)
    return percent
