"""Combining the fragments of all catalog files into one Catalog, with the cross-file checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from bot.catalog.counting import counting
from bot.catalog.errors import Problems, join
from bot.catalog.exclusions import attach
from bot.catalog.fragment import Fragment, Located, SLODraft
from bot.catalog.openslo_timeslices import resolve_reference
from bot.catalog.policy_actions import attach_policies
from bot.catalog.timeslices import mean_ratio_slices, ratio_slices
from bot.domain.slo import SLI, SLO, Catalog, EventsSLI, Service, SeverityThresholds, Team, Tier

T = TypeVar("T")


@dataclass
class _Once:
    """Problems reported once per (file, path): a Sloth file's labels.team, not once per SLO."""

    problems: Problems
    seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, file: str, path: str, message: str) -> None:
        if (file, path) not in self.seen:
            self.seen.add((file, path))
            self.problems.add(file, path, message)


def assemble(fragments: list[Fragment], files: tuple[str, ...], problems: Problems) -> Catalog:
    """One Catalog from every file's fragment; problems are recorded (the result then unusable)."""
    teams = _unique("team", [(t.value.name, t) for f in fragments for t in f.teams], problems)
    located = [(s.value.name, s) for f in fragments for s in f.services]
    declared = _unique("service", located, problems)
    for entry in declared.values():
        if entry.value.team not in teams:
            where = join(entry.path, "team")
            problems.add(entry.file, where, _unknown("team", entry.value.team, teams))
    slis = _unique("SLI", [(s.value[0], s) for f in fragments for s in f.slis], problems)
    broken_services = {name for f in fragments for name in f.broken_services}
    broken_slis = {name for f in fragments for name in f.broken_slis}
    drafts = [d for f in fragments for d in f.slos]
    once = _Once(problems)
    services = {name: s.value for name, s in declared.items()}
    services.update(_implicit_services(drafts, declared, broken_services, teams, once))

    slos: list[SLO] = []
    seen: dict[str, SLODraft] = {}
    for draft in drafts:
        first = seen.setdefault(draft.name, draft)
        if first is not draft:
            message = f"duplicate SLO name {draft.name!r}, first defined at {first.file}: "
            problems.add(draft.file, draft.name_path, message + first.name_path)
        service = services.get(draft.service)
        if service is None:
            if draft.needs_declared_service and draft.service not in broken_services:
                message = _unknown("service", draft.service, services)
                problems.add(draft.file, draft.service_path, message + "; declare it in services:")
            continue
        if draft.team_file and draft.team not in teams:  # an include's team: a typo anyway
            once.add(draft.team_file, draft.team_path, _unknown("team", str(draft.team), teams))
        team = _owner(draft, service, draft.service in declared)
        if team not in teams:
            if draft.explicit_team or draft.service not in declared:
                where = draft.team_file or draft.file
                once.add(where, draft.team_path, _unknown("team", team, teams))
            continue
        sli: SLI | None = draft.sli
        if draft.sli_ref is not None:
            ref = slis.get(draft.sli_ref)
            sli = resolve_reference(draft, ref.value[1], problems) if ref else None
            if ref is None and draft.sli_ref not in broken_slis:
                problems.add(draft.file, draft.sli_ref_path, _unknown("SLI", draft.sli_ref, slis))
        if sli is not None and first is draft:
            slos.append(_slo(draft, service, teams[team].value, sli))

    url = _single("prometheus.url", [f.prometheus_url for f in fragments], problems)
    flavor = _single("prometheus.flavor", [f.prometheus_flavor for f in fragments], problems)
    severity = _single("incidents.severity", [f.severity for f in fragments], problems)
    respond = _single("incidents.respond", [f.respond for f in fragments], problems)
    gate = _single("gate", [f.gate for f in fragments], problems)
    alerts = _single("alerts", [f.alerts for f in fragments], problems)
    admins = _single("admins", [f.admins for f in fragments], problems)
    escalate = _single("actions", [f.escalate_after for f in fragments], problems)
    platform = _single("platform", [f.platform for f in fragments], problems)
    team_map = {name: t.value for name, t in teams.items()}
    found = [e for f in fragments for e in f.exclusions]
    slos, exclusions = attach(found, slos, services, team_map, problems)
    return Catalog(
        teams=team_map,
        services=services,
        slos=tuple(slos),
        exclusions=exclusions,
        policies=attach_policies(
            [p for f in fragments for p in f.policies], services, team_map, problems
        ),
        prometheus_url=url.value if url else None,
        prometheus_flavor=flavor.value if flavor else None,
        severity=severity.value if severity else SeverityThresholds(),
        gate_policies=gate.value if gate else {},
        alert_policies=alerts.value if alerts else {},
        admins=admins.value if admins else frozenset(),
        escalate_overdue_after=escalate.value if escalate else 7,
        platform=platform.value if platform else None,
        files=files,
        respond=respond.value if respond else {},
    )


def _owner(draft: SLODraft, service: Service, declared: bool) -> str:
    """The SLO's team: its own slos[].team, else a declared service's, else its labels'."""
    if draft.explicit_team and draft.team is not None:
        return draft.team
    if declared and draft.team is not None and draft.team != service.team:
        given = f"team {draft.team} from the include"
        draft.notes[:] = [n for n in draft.notes if not n.startswith(given)]
        source = "of the include" if draft.team_file else "of its labels"
        draft.notes.append(
            f"team {draft.team} {source} ignored: services.{service.name} names team {service.team}"
        )
    return service.team if declared or draft.team is None else draft.team


NO_TEAM = (
    "no team owns service {service!r}: give the file a team label ({labels}), give its "
    "include a team (include: [{{path: ..., team: <team>}}]), or declare the service in "
    "services: with its team"
)


def _implicit_services(
    drafts: list[SLODraft],
    declared: Mapping[str, Located[Service]],
    broken: set[str],
    teams: Mapping[str, Located[Team]],
    once: _Once,
) -> dict[str, Service]:
    """Services that imported files use without a services: entry; team from their labels.

    Two teams may own SLOs of one such service: the service's own team (for its gate) is
    the first SLO's.
    """
    owners: dict[str, SLODraft] = {}
    for draft in drafts:
        if draft.needs_declared_service or draft.service in declared or draft.service in broken:
            continue
        if draft.team is None:
            message = NO_TEAM.format(service=draft.service, labels=draft.team_path or "team")
            once.add(draft.file, draft.team_path, message)
        elif draft.team not in teams:
            where = draft.team_file or draft.file
            once.add(where, draft.team_path, _unknown("team", draft.team, teams))
        else:
            owners.setdefault(draft.service, draft)
    return {
        name: Service(name=name, team=str(draft.team), tier=draft.tier or Tier.PRODUCTION)
        for name, draft in owners.items()
    }


def _slo(draft: SLODraft, service: Service, team: Team, sli: SLI) -> SLO:
    if isinstance(sli, EventsSLI):
        sli = counting(sli)  # rate() evaluated as increase(): exact on every store
        if draft.slice_size and draft.slice_target is not None:  # counted in slices
            sli = ratio_slices(sli, draft.slice_size, draft.slice_target)
        elif draft.slice_size and draft.slice_mean:  # the mean of the slices' ratios
            sli = mean_ratio_slices(sli, draft.slice_size)
    return SLO(
        name=draft.name,
        service=service.name,
        team=team.name,
        tier=service.tier,
        objective=draft.objective,
        window=draft.window,
        sli=sli,
        description=draft.description,
        source=draft.file,
        notes=tuple(draft.notes),
        calendar=draft.calendar,
        timezone=team.timezone,
        min_events=draft.min_events,
        slice_size=draft.slice_size,
    )


def _unique(
    kind: str, items: Iterable[tuple[str, Located[T]]], problems: Problems
) -> dict[str, Located[T]]:
    """Items by name; a second definition of a name is a problem naming both places."""
    found: dict[str, Located[T]] = {}
    for name, item in items:
        if name in found:
            message = f"{kind} {name!r} is already defined at {found[name].where}"
            problems.add(item.file, item.path, message)
        else:
            found[name] = item
    return found


def _single(key: str, items: Iterable[Located[T] | None], problems: Problems) -> Located[T] | None:
    """A setting that one file at most may give."""
    given = [item for item in items if item is not None]
    for extra in given[1:]:
        message = f"{key} is already set at {given[0].where}; set it in one file only"
        problems.add(extra.file, extra.path, message)
    return given[0] if given else None


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for a name nobody defined, listing the names that exist."""
    names = sorted(known)
    listed = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "") if names else "none"
    return f"unknown {kind} {name!r} (known: {listed})"
