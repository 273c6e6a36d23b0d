"""Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective resources: ratio, latency and bool_gauge SLIs.

Pyrra metrics are single vector selectors; budgetbot parses each one and builds its own
count queries over `{{.window}}` from the parsed selector (names, matchers), never by
pasting text. Pyrra names no service: a `service` label is read, else the SLO's name.
"""

from __future__ import annotations

import json
import re
from typing import Any

import promql_parser as pp

from bot.catalog.checks import check_name, check_objective, parse_window
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, SLODraft
from bot.catalog.queries import checked_events
from bot.domain.slo import SLI, WINDOW_PLACEHOLDER

PYRRA_API = "pyrra.dev/v1alpha1"
PYRRA_KIND = "ServiceLevelObjective"
PROPAGATED = "pyrra.dev/"  # Pyrra copies labels with this prefix into the rules it writes
INDICATORS = ("ratio", "latency", "bool_gauge")

_W = WINDOW_PLACEHOLDER
_OPS = [(pp.MatchOp.Equal, "="), (pp.MatchOp.NotEqual, "!="), (pp.MatchOp.Re, "=~")]
_OPS.append((pp.MatchOp.NotRe, "!~"))  # pairs: MatchOp is not hashable
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PERCENT = re.compile(r"\d+(\.\d+)?")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|\+?Inf")  # a bucket boundary
_EXAMPLE = 'http_requests_total{job="api"}'
_BUCKET = 'http_request_duration_seconds_bucket{job="api",le="0.5"}'


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
    sli = _sli(file, join(path, "indicator"), spec.indicator, subject, problems)
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


def _sli(
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
        problems.add(file, where, f"{message} (success: {_BUCKET}, total: its _count)")
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
    if isinstance(model, RatioModel):
        bad_path, total_path = join(where, "errors.metric"), join(where, "total.metric")
        errors = _selector(file, bad_path, model.errors.metric, subject, problems)
        total = _selector(file, total_path, model.total.metric, subject, problems)
        if errors is None or total is None:
            return None
        bad, all_events = _counted("increase", errors), _counted("increase", total)
    elif isinstance(model, LatencyModel):
        bad_path, total_path = join(where, "success.metric"), join(where, "total.metric")
        success = _selector(file, bad_path, model.success.metric, subject, problems, bucket=True)
        total = _selector(file, total_path, model.total.metric, subject, problems)
        if success is None or total is None:
            return None
        all_events = _counted("increase", total)
        bad = f"{all_events} - {_counted('increase', success)}"
    else:
        bad_path = total_path = join(where, "metric")
        gauge = _selector(file, total_path, model.metric, subject, problems)
        if gauge is None:
            return None
        all_events = _counted("count_over_time", gauge)  # samples; sum_over_time: the 1s
        bad = f"{all_events} - {_counted('sum_over_time', gauge)}"
    return checked_events(bad, all_events, (file, bad_path, total_path), subject, problems)


def _selector(
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


def _bucket(selector: pp.VectorSelector) -> str | None:
    """Why a latency success selector picks no single bucket (le="<number>"), or None."""
    for group in _groups(selector):
        found = [m for m in group if m.name == "le"]
        if not found:
            return f"the success metric must select one histogram bucket with le, e.g. {_BUCKET}"
        for matcher in found:
            if matcher.op != pp.MatchOp.Equal or not _NUMBER.fullmatch(matcher.value):
                return f'le must be one bucket boundary such as le="0.5", got {_matcher(matcher)}'
    return None


def _counted(function: str, selector: pp.VectorSelector) -> str:
    """`sum(<function>(<selector>[{{.window}}]))`, the selector rendered from its parts."""
    return f"sum({function}({_render(selector)}[{_W}]))"


def _groups(selector: pp.VectorSelector) -> list[list[pp.Matcher]]:
    """The selector's matcher groups: one, or one per `or` alternative."""
    return list(selector.matchers.or_matchers) or [list(selector.matchers.matchers)]


def _render(selector: pp.VectorSelector) -> str:
    """PromQL text for a parsed selector, every value quoted afresh."""
    body = " or ".join(",".join(_matcher(m) for m in group) for group in _groups(selector))
    name = selector.name or ""
    return f"{name}{{{body}}}" if body else name


def _matcher(matcher: pp.Matcher) -> str:
    label = matcher.name
    if not _LABEL_NAME.fullmatch(label):
        label = json.dumps(label, ensure_ascii=False)
    op = next(text for known, text in _OPS if matcher.op == known)
    return f"{label}{op}{json.dumps(matcher.value, ensure_ascii=False)}"
