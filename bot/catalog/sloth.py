"""Sloth prometheus/v1 files, and the events/raw SLI shape the native format shares with them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.catalog.checks import check_name, check_objective, normalize_query
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, SLODraft
from bot.catalog.queries import checked_events, checked_ratio
from bot.domain.slo import SLI

SLOTH_VERSION = "prometheus/v1"
SLOTH_API = "sloth.slok.dev/v1"  # the Kubernetes resource, kind PrometheusServiceLevel
SLOTH_WINDOW = 30 * 86400  # seconds; Sloth's default SLO period


class EventsModel(StrictModel):
    error_query: str
    total_query: str


class RawModel(StrictModel):
    error_ratio_query: str


class SLIModel(StrictModel):
    events: EventsModel | None = None
    raw: RawModel | None = None
    plugin: dict[str, Any] | None = None


class SlothSLOModel(StrictModel):
    name: str
    objective: float  # percent
    description: str = ""
    labels: dict[str, str] | None = None  # accepted, ignored
    sli: SLIModel
    alerting: Any = None  # accepted, ignored: budgetbot does its own burn-rate alerting


class SlothFileModel(StrictModel):
    version: str = ""
    service: str = ""  # required; checked by hand so that other problems still show
    labels: dict[str, str] | None = None
    slos: list[Any] = Field(default_factory=list)


def convert_sli(
    model: SLIModel, file: str, path: str, subject: str, problems: Problems
) -> SLI | None:
    """An SLI from its events or raw form, its queries checked; None after recording a problem.

    `subject` names the SLO in messages about its queries ("SLO checkout-availability").
    """
    if model.plugin is not None:
        problems.add(
            file,
            join(path, "plugin"),
            "SLI plugins are not supported; write the queries out as "
            "events (error_query, total_query) or raw (error_ratio_query)",
        )
        return None
    if (model.events is None) == (model.raw is None):
        problems.add(file, path, "needs exactly one of events or raw")
        return None
    if model.events is not None:
        error = _query(model.events.error_query, file, join(path, "events.error_query"), problems)
        total = _query(model.events.total_query, file, join(path, "events.total_query"), problems)
        if error is None or total is None:
            return None
        where = (file, join(path, "events.error_query"), join(path, "events.total_query"))
        return checked_events(error, total, where, subject, problems)
    assert model.raw is not None
    ratio_path = join(path, "raw.error_ratio_query")
    ratio = _query(model.raw.error_ratio_query, file, ratio_path, problems)
    return checked_ratio(ratio, file, ratio_path, subject, problems) if ratio is not None else None


def _query(query: str, file: str, path: str, problems: Problems) -> str | None:
    query, error = normalize_query(query)
    if error:
        problems.add(file, path, error)
        return None
    return query


def parse_sloth(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs of a Sloth file's documents, named <service>-<slo name>."""
    fragment = Fragment(file)
    for _prefix, document in items:
        _spec(fragment, document, problems)
    return fragment


def _spec(fragment: Fragment, document: Any, problems: Problems) -> Fragment:
    """The SLOs of one Sloth prometheus/v1 spec."""
    file = fragment.file
    spec = validate(SlothFileModel, document, file, "", problems, salvage=True)
    if spec is None:
        return fragment
    for key in ("service", "slos"):
        if key not in document:
            problems.add(file, key, "is required")
    if "service" not in spec.model_fields_set:
        return fragment
    if spec.version != SLOTH_VERSION:
        problems.add(file, "version", f"must be {SLOTH_VERSION!r}, got {spec.version!r}")
        return fragment
    service_error = check_name(spec.service)
    if service_error:
        problems.add(file, "service", service_error)
        return fragment
    labels = spec.labels or {}
    team = labels.get("team")
    team_path = "labels.team"
    if team is not None and check_name(team):
        problems.add(file, team_path, f"team name {check_name(team)}")
        team = None
    for index, raw in enumerate(spec.slos):
        path = join("slos", index)
        slo = validate(SlothSLOModel, raw, file, path, problems)
        if slo is None:
            continue
        name = f"{spec.service}-{slo.name}"
        name_error = check_name(slo.name)
        if name_error:
            problems.add(file, join(path, "name"), name_error)
        objective_error = check_objective(slo.objective)
        if objective_error:
            problems.add(file, join(path, "objective"), objective_error)
        sli = convert_sli(slo.sli, file, join(path, "sli"), f"SLO {name}", problems)
        if name_error:
            continue
        fragment.slos.append(
            SLODraft(
                name=name,
                service=spec.service,
                objective=slo.objective,
                window=SLOTH_WINDOW,
                sli=sli,
                description=slo.description,
                file=file,
                path=path,
                name_path=join(path, "name"),
                service_path="service",
                team=team,
                team_path=team_path,
                needs_declared_service=False,
                window_from_include=True,
            )
        )
    return fragment
