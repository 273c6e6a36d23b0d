"""The native budgetbot catalog format (docs/catalog.md): teams, services, SLOs, policies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot.catalog import policies
from bot.catalog.checks import (
    check_name,
    check_objective,
    check_timezone,
    check_url,
    normalize_cron,
    parse_period,
)
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.exclusions import parse_exclusion
from bot.catalog.fragment import Fragment, Include, Located, SLODraft
from bot.catalog.native_sli import Budgeting, NativeSLIModel, native_sli
from bot.catalog.policy_actions import parse_policy
from bot.catalog.timeslices import TimesliceModel
from bot.domain.slo import (
    EventsSLI,
    Service,
    Severity,
    Team,
    Tier,
)

TierName = policies.TierName
SeverityName = Literal["ticket", "page"]


class PrometheusModel(StrictModel):
    url: str | None = None
    # The store behind the URL; detected from the store itself when not given.
    flavor: Literal["prometheus", "victoriametrics", "thanos", "mimir"] | None = None


class TeamModel(StrictModel):
    channel: str
    digest: str | bool | None = "0 9 * * MON"  # 5-field crontab in the team's zone; off: none
    timezone: str = "UTC"
    channels: dict[SeverityName, str] | None = None  # burn alerts by severity, if not `channel`
    owners: list[str] | None = None  # Slack user ids who may add exclusions for the team
    escalation: list[str] | None = None  # Slack mentions: <@U0123>, <!subteam^S0123>


class ActionsModel(StrictModel):
    escalate_overdue_after: int = 7  # days overdue before the team channel hears of it


class ServiceModel(StrictModel):
    team: str
    tier: TierName = "production"


class SLOModel(StrictModel):
    name: str
    service: str
    objective: float  # percent
    window: str = "30d"
    description: str = ""
    team: str | None = None  # owns this SLO instead of the service's team (a shared service)
    min_events: float | None = None  # burn rules fire only with this many events (low traffic)
    budgeting: Budgeting = "occurrences"  # or timeslices: good slices of the window count
    timeslice: TimesliceModel | None = None
    sli: NativeSLIModel


class NativeModel(StrictModel):
    prometheus: PrometheusModel | None = None
    teams: dict[Any, Any] | None = None  # keys checked by hand: one bad name spoils no others
    services: dict[Any, Any] | None = None
    slos: list[Any] | None = None
    incidents: policies.IncidentsModel | None = None
    gate: policies.GateModel | None = None
    alerts: policies.AlertsModel | None = None
    admins: list[str] | None = None  # Slack user ids
    actions: ActionsModel | None = None
    platform: Any = None  # like a team: channel, digest, timezone (the platform-wide digest)
    include: list[Any] | None = None  # a path or glob, or an IncludeModel mapping
    exclusions: list[Any] | None = None  # bot.catalog.exclusions
    # bot.catalog.policy_actions (DESIGN 9.5); the alias: `policies` names a module here
    policy_actions: list[Any] | None = Field(None, alias="policies")


class IncludeModel(StrictModel):
    path: str
    team: str | None = None  # owns the SLOs of these files that name no team
    tier: TierName | None = None  # the tier of services these files introduce
    window: str | None = None  # the period for formats that carry none (Sloth: 30d if unset)


def parse_native(file: str, document: Any, problems: Problems) -> Fragment:
    """What one native catalog file defines; problems are recorded, never raised."""
    fragment = Fragment(file)
    root = validate(NativeModel, document, file, "", problems, salvage=True)
    if root is None:
        return fragment
    if root.prometheus is not None and root.prometheus.url is not None:
        url_error = check_url(root.prometheus.url)
        if url_error:
            problems.add(file, "prometheus.url", url_error)
        fragment.prometheus_url = Located(root.prometheus.url, file, "prometheus.url")
    if root.prometheus is not None and root.prometheus.flavor is not None:
        fragment.prometheus_flavor = Located(root.prometheus.flavor, file, "prometheus.flavor")
    for name, raw in _named(file, "teams", root.teams, problems):
        fragment.teams.append(Located(_team(file, name, raw, problems), file, join("teams", name)))
    for name, raw in _named(file, "services", root.services, problems):
        _service(fragment, name, raw, problems)
    for index, raw in enumerate(root.slos or []):
        _slo(fragment, index, raw, problems)
    if root.incidents is not None and root.incidents.severity is not None:
        classes = policies.severity(file, root.incidents.severity, problems)
        fragment.severity = Located(classes, file, "incidents.severity")
    if root.incidents is not None and root.incidents.respond is not None:
        deadlines = policies.respond(file, root.incidents.respond, problems)
        fragment.respond = Located(deadlines, file, "incidents.respond")
    if root.gate is not None:
        fragment.gate = Located(policies.gate(file, root.gate, problems), file, "gate")
    if root.actions is not None:
        if root.actions.escalate_overdue_after < 1:
            problems.add(file, "actions.escalate_overdue_after", "must be at least 1 (days)")
        days = root.actions.escalate_overdue_after
        fragment.escalate_after = Located(days, file, "actions.escalate_overdue_after")
    if root.admins is not None:
        fragment.admins = Located(frozenset(root.admins), file, "admins")
    if root.platform is not None:
        platform = _team(file, "platform", root.platform, problems, "platform")
        fragment.platform = Located(platform, file, "platform")
    if root.alerts is not None:
        fragment.alerts = Located(policies.alerts(file, root.alerts, problems), file, "alerts")
    for index, raw in enumerate(root.exclusions or []):
        where = join("exclusions", index)
        exclusion = parse_exclusion(file, where, raw, problems)
        if exclusion is not None:
            fragment.exclusions.append(Located(exclusion, file, where))
    for index, raw in enumerate(root.policy_actions or []):
        policy = parse_policy(file, join("policies", index), raw, problems)
        if policy is not None:
            fragment.policies.append(Located(policy, file, join("policies", index)))
    for index, raw in enumerate(root.include or []):
        include = _include(file, join("include", index), raw, problems)
        if include is not None:
            fragment.includes.append(Located(include, file, join("include", index)))
    return fragment


def _include(file: str, path: str, raw: Any, problems: Problems) -> Include | None:
    """An include entry: "slos/*.yml", or {path, team, tier, window}."""
    if isinstance(raw, str):
        if not raw.strip():
            problems.add(file, path, "must not be empty")
            return None
        raw = {"path": raw}
    elif not isinstance(raw, dict):
        problems.add(file, path, "must be a path or a mapping {path, team, tier, window}")
        return None
    model = validate(IncludeModel, raw, file, path, problems)
    if model is None:
        return None
    if not model.path.strip():
        problems.add(file, join(path, "path"), "must not be empty")
        return None
    window, calendar = None, None
    if model.window is not None:
        window, calendar, error = parse_period(model.window)
        if error:
            problems.add(file, join(path, "window"), error)
    if model.team is not None and check_name(model.team):
        problems.add(file, join(path, "team"), f"team name {check_name(model.team)}")
    tier = Tier(model.tier) if model.tier else None
    team_at = (file, join(path, "team"))
    return Include(
        model.path,
        team=model.team,
        team_at=team_at,
        tier=tier,
        window=window or None,
        calendar=calendar,
    )


def _named(
    file: str, path: str, entries: dict[Any, Any] | None, problems: Problems
) -> list[tuple[str, Any]]:
    """The entries of a mapping keyed by name; a key that is not a string is a problem."""
    named = []
    for name, raw in (entries or {}).items():
        if isinstance(name, str):
            named.append((name, raw))
        else:
            problems.add(file, path, f"names must be strings, got {name!r}")
    return named


def _team(file: str, name: str, raw: Any, problems: Problems, path: str = "") -> Team:
    """The team, or a stand-in (so that its services raise no "unknown team") if it is broken.

    `path` is given for the `platform:` section, which has a team's shape but no name to check.
    """
    if not path:
        path = join("teams", name)
        name_error = check_name(name)
        if name_error:
            problems.add(file, path, f"team name {name_error}")
    model = validate(TeamModel, raw, file, path, problems)
    if model is None:
        return Team(name=name, channel="")
    if not model.channel.strip():
        problems.add(file, join(path, "channel"), "must not be empty")
    zone_error = check_timezone(model.timezone)
    if zone_error:
        problems.add(file, join(path, "timezone"), zone_error)
    digest = _digest(file, path, model.digest, "UTC" if zone_error else model.timezone, problems)
    for severity, channel in (model.channels or {}).items():
        if not channel.strip():
            problems.add(file, join(join(path, "channels"), severity), "must not be empty")
    return Team(
        name=name,
        channel=model.channel,
        digest=digest,
        timezone=model.timezone,
        alert_channels={Severity(k): v for k, v in (model.channels or {}).items()},
        owners=frozenset(model.owners or ()),
        escalation=policies.escalation(file, join(path, "escalation"), model.escalation, problems),
    )


def _digest(
    file: str, path: str, value: str | bool | None, timezone: str, problems: Problems
) -> str | None:
    """The normalized crontab, or None when the scheduled digest is off (`off`, `false`)."""
    if value is None or value is False or (isinstance(value, str) and value.strip() == "off"):
        return None
    if value is True:
        problems.add(file, join(path, "digest"), "must be a 5-field crontab or off")
        return None
    digest, cron_error = normalize_cron(value, timezone)
    if cron_error:
        problems.add(file, join(path, "digest"), cron_error)
    return digest


def _service(fragment: Fragment, name: str, raw: Any, problems: Problems) -> None:
    file, path = fragment.file, join("services", name)
    name_error = check_name(name)
    if name_error:
        problems.add(file, path, f"service name {name_error}")
    model = validate(ServiceModel, raw, file, path, problems)
    if model is None:
        fragment.broken_services.add(name)
        return
    service = Service(name=name, team=model.team, tier=Tier(model.tier))
    fragment.services.append(Located(service, file, path))


def _slo(fragment: Fragment, index: int, raw: Any, problems: Problems) -> None:
    file, path = fragment.file, join("slos", index)
    model = validate(SLOModel, raw, file, path, problems)
    if model is None:
        return
    checks = {
        "name": check_name(model.name),
        "service": check_name(model.service),
        "objective": check_objective(model.objective),
        "team": check_name(model.team) if model.team is not None else None,
    }
    window, calendar, checks["window"] = parse_period(model.window)
    for key, error in checks.items():
        if error:
            problems.add(file, join(path, key), error)
    subject = f"SLO {model.name}"
    sli, slices = native_sli(
        model.sli, model.budgeting, model.timeslice, file, path, subject, problems
    )
    if model.min_events is not None:
        if model.min_events < 0:
            problems.add(file, join(path, "min_events"), "must be 0 or more events")
        elif sli is not None and not isinstance(sli, EventsSLI):
            problems.add(
                file,
                join(path, "min_events"),
                "needs an events SLI (error_query and total_query): an error ratio counts "
                "no events",
            )
    if checks["name"] or checks["service"]:
        return
    fragment.slos.append(
        SLODraft(
            name=model.name,
            service=model.service,
            objective=model.objective,
            window=window,
            sli=sli,
            description=model.description,
            file=file,
            path=path,
            name_path=join(path, "name"),
            service_path=join(path, "service"),
            team=model.team,
            team_path=join(path, "team"),
            explicit_team=model.team is not None,
            calendar=calendar,
            min_events=model.min_events,
            slice_size=slices.size if slices else None,
            slice_target=slices.target if slices else None,
        )
    )
