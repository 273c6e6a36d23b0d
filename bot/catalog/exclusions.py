"""The catalog's `exclusions:` (DESIGN 9.3): checked here, attached to SLOs when assembled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.catalog.checks import check_name, check_timezone
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Located
from bot.domain.durations import parse_duration
from bot.domain.exclusions import Exclusion
from bot.domain.slo import SLO, EventsSLI, Service, Team
from bot.times import parse_time


class ExclusionModel(StrictModel):
    name: str
    start: str  # RFC 3339: the (first) occurrence's start
    end: str | None = None
    duration: str | None = None  # a Prometheus duration, instead of end
    recurrence: str | None = None  # an RFC 5545 RRULE without "RRULE:"
    timezone: str = "UTC"  # whose wall clock a recurrence keeps
    slos: list[str] | None = None
    services: list[str] | None = None
    teams: list[str] | None = None
    reason: str


def parse_exclusion(file: str, path: str, raw: Any, problems: Problems) -> Exclusion | None:
    """One exclusion entry; None after recording its problems (file, path, what is wrong)."""
    model = validate(ExclusionModel, raw, file, path, problems)
    if model is None:
        return None
    ok = True

    def refuse(key: str, message: str) -> None:
        nonlocal ok
        problems.add(file, join(path, key), message)
        ok = False

    if error := check_name(model.name):
        refuse("name", error)
    if not model.reason.strip():
        refuse("reason", "must say why these events cost no budget")
    if error := check_timezone(model.timezone):
        refuse("timezone", error)
    try:
        start = parse_time(model.start)
    except ValueError as exc:
        refuse("start", str(exc))
        return None
    duration = _duration(model, start, refuse)
    if duration is None or not ok:
        return None
    exclusion = Exclusion(
        name=model.name,
        start=start,
        duration=duration,
        reason=model.reason.strip(),
        recurrence=model.recurrence.strip().removeprefix("RRULE:") if model.recurrence else None,
        timezone=model.timezone,
        slos=frozenset(model.slos or ()),
        services=frozenset(model.services or ()),
        teams=frozenset(model.teams or ()),
    )
    if exclusion.recurrence is not None:
        problem = _recurrence_problem(exclusion)
        if problem:
            refuse("recurrence", problem)
            return None
    return exclusion


def _recurrence_problem(exclusion: Exclusion) -> str | None:
    """Why the recurrence cannot be used, or None: one RRULE (its first occurrence is
    `start`), which occurs within five years of it."""
    text = exclusion.recurrence or ""
    if "\n" in text or ":" in text:
        return "give the RRULE alone (such as FREQ=WEEKLY;BYDAY=SU): `start` is its DTSTART"
    try:
        soon = exclusion.rule().between(
            exclusion.start, exclusion.start + timedelta(days=5 * 366), inc=True
        )
    except (ValueError, TypeError) as exc:
        return f"is not an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=SU: {exc}"
    if not soon:
        return "never occurs in the five years after its start"
    return None


def _duration(model: ExclusionModel, start: Any, refuse: Any) -> int | None:
    """Seconds of each occurrence, from `end` or `duration` (exactly one of them)."""
    if (model.end is None) == (model.duration is None):
        refuse("end", "give exactly one of end or duration")
        return None
    if model.duration is not None:
        try:
            return parse_duration(model.duration)
        except ValueError as exc:
            refuse("duration", str(exc))
            return None
    try:
        end = parse_time(str(model.end))
    except ValueError as exc:
        refuse("end", str(exc))
        return None
    if end <= start:
        refuse("end", f"must come after the start ({model.start})")
        return None
    return int((end - start) / timedelta(seconds=1))


def attach(
    located: list[Located[Exclusion]],
    slos: list[SLO],
    services: dict[str, Service],
    teams: dict[str, Team],
    problems: Problems,
) -> tuple[list[SLO], tuple[Exclusion, ...]]:
    """Every SLO with the exclusions that cover it; an exclusion naming an SLO, service or
    team the catalog does not have, or an SLO without event counts, is a problem."""
    names = {s.name: s for s in slos}
    seen: dict[str, str] = {}
    for entry in located:
        e = entry.value
        if e.name in seen:
            problems.add(entry.file, join(entry.path, "name"), f"duplicate exclusion {e.name!r}")
        seen.setdefault(e.name, entry.path)
        for key, wanted, known in (
            ("slos", e.slos, names),
            ("services", e.services, services),
            ("teams", e.teams, teams),
        ):
            for name in sorted(wanted - set(known)):
                problems.add(entry.file, join(entry.path, key), f"no {key[:-1]} named {name!r}")
        for name in sorted(e.slos & set(names)):
            if not isinstance(names[name].sli, EventsSLI):
                message = f"SLO {name} has an error-ratio SLI: no events to leave out"
                problems.add(entry.file, join(entry.path, "slos"), message)
    exclusions = tuple(entry.value for entry in located)
    return [_covered(s, exclusions) for s in slos], exclusions


def _covered(slo: SLO, exclusions: tuple[Exclusion, ...]) -> SLO:
    """The SLO with the exclusions that cover it."""
    mine = slo.covered_by(exclusions)
    return replace(slo, exclusions=mine) if mine else slo
