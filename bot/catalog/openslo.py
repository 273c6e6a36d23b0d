"""OpenSLO files: openslo/v1 (SLO, SLI, Service) and openslo/v1alpha (SLO, Service) objects.

A file holds its objects as `---` documents or as one YAML list (formats.py splits them and
gives each its path prefix). SLOs name their SLIs with indicatorRef across objects and files;
assemble.py resolves those references.

kind Service: budgetbot reads the team from its `metadata.labels.team` (a string or a list of
one). That team owns the SLOs of that service *in the same file* that name no team of their
own (an SLO's own label wins; the include's team comes after both). The Service object is not
entered as a declared service: a native `services:` entry of the same name would then clash,
and a declared service's team would override the SLOs' own labels. assemble.py creates the
service implicitly from its SLOs' team, as for an SLO naming a service declared nowhere.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from bot.catalog.checks import check_name
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, Gauge, Located
from bot.catalog.openslo_parts import V1, V1ALPHA, DocumentModel, team_label
from bot.catalog.openslo_sli import SLISpecModel, ratio_sli
from bot.catalog.openslo_slo import parse_slo
from bot.catalog.openslo_timeslices import gauge_query
from bot.catalog.openslo_v1alpha import parse_alpha_slo
from bot.domain.slo import SLI

ALERTING = ("AlertPolicy", "AlertCondition", "AlertNotificationTarget")
KINDS = {  # read: SLO, SLI, Service; the other kinds are accepted and ignored
    V1: ("SLO", "SLI", "Service", "DataSource", *ALERTING),
    V1ALPHA: ("SLO", "Service", *ALERTING),
}


class ServiceSpecModel(StrictModel):
    description: str = ""


@dataclass(frozen=True)
class _Declared:
    """A kind Service object: its team label (if any), where that is, and where it is."""

    team: str | None
    team_path: str
    where: str


def parse_openslo(file: str, items: list[tuple[str, Any]], problems: Problems) -> Fragment:
    """The SLOs and SLIs of one OpenSLO file's objects, each given with its path prefix."""
    fragment = Fragment(file)
    services: dict[str, _Declared] = {}
    for prefix, raw in items:
        doc = _header(file, prefix, raw, problems)
        if doc is None:
            _refused_sli(fragment, raw)
            continue
        if doc.kind == "SLO":
            parse = parse_slo if doc.apiVersion == V1 else parse_alpha_slo
            fragment.slos.extend(parse(file, prefix, doc, problems))
        elif doc.kind == "SLI":
            _sli(fragment, prefix, doc, problems)
        elif doc.kind == "Service":
            _service(file, prefix, doc, services, problems)
    for draft in fragment.slos:
        declared = services.get(draft.service)
        if draft.team is None and declared is not None and declared.team is not None:
            draft.team, draft.team_path = declared.team, declared.team_path
            where = f"{file}: {declared.team_path}"
            draft.notes.append(f"team {declared.team} from kind Service {draft.service} ({where})")
    return fragment


def _header(file: str, prefix: str, raw: Any, problems: Problems) -> DocumentModel | None:
    """The object's header, after checking its apiVersion and kind; None after a problem."""
    if isinstance(raw, dict):
        api, kind = raw.get("apiVersion"), raw.get("kind")
        if api not in KINDS:
            message = f"unsupported apiVersion {api!r}; budgetbot reads OpenSLO {V1} and {V1ALPHA}"
            problems.add(file, join(prefix, "apiVersion"), message)
            return None
        if isinstance(kind, str) and kind not in KINDS[str(api)]:
            problems.add(file, join(prefix, "kind"), _unknown_kind(str(api), kind))
            return None
    return validate(DocumentModel, raw, file, prefix, problems)


def _refused_sli(fragment: Fragment, raw: Any) -> None:
    """An SLI object refused whole: its name is known broken, so references to it stay quiet."""
    if isinstance(raw, dict) and raw.get("kind") == "SLI":
        metadata = raw.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if isinstance(name, str):
            fragment.broken_slis.add(name)


def _unknown_kind(api: str, kind: str) -> str:
    """The message for a kind this apiVersion does not have, listing the kinds it has."""
    kinds = KINDS[api]
    listed = f"{api} kinds: {', '.join(kinds)}"
    if kind in KINDS[V1]:
        return f"kind {kind!r} is not part of {api} ({listed}); write it as apiVersion: {V1}"
    close = difflib.get_close_matches(kind, kinds, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown kind {kind!r} ({listed}){hint}"


def _sli(fragment: Fragment, prefix: str, doc: DocumentModel, problems: Problems) -> None:
    """A v1 kind SLI: its events queries, under its name for indicatorRef."""
    file, name = fragment.file, doc.metadata.name
    where = join(prefix, "metadata.name")
    spec = validate(SLISpecModel, doc.spec, file, join(prefix, "spec"), problems)
    sli: SLI | Gauge | None = None
    if spec is not None and spec.thresholdMetric is not None:  # sliced by the SLOs naming it
        path = join(prefix, "spec.thresholdMetric")
        query = gauge_query(file, path, spec.thresholdMetric, problems)
        sli = Gauge(query) if query else None
    elif spec is not None:
        sli = ratio_sli(file, join(prefix, "spec"), spec, f"SLI {name}", problems)
    if sli is None:
        fragment.broken_slis.add(name)
    fragment.slis.append(Located((name, sli), file, where))


def _service(
    file: str, prefix: str, doc: DocumentModel, services: dict[str, _Declared], problems: Problems
) -> None:
    """A kind Service: its name checked, its team label kept for the file's SLOs."""
    name, where = doc.metadata.name, join(prefix, "metadata.name")
    error = check_name(name)
    if error:
        problems.add(file, where, error)
    validate(ServiceSpecModel, doc.spec, file, join(prefix, "spec"), problems)
    team, team_path = team_label(file, prefix, doc.metadata, problems)
    if name in services:
        message = f"Service {name!r} is already declared at {file}: {services[name].where}"
        problems.add(file, where, message)
        return
    services[name] = _Declared(team, team_path, where)
