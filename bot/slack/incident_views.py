"""Incident cards, forms and lists for Slack; reading the submitted forms back."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain.incidents import (
    ImpactState,
    Incident,
    IncidentDraft,
    IncidentSeverity,
    SLOImpact,
    classify_incident,
    overage,
)
from bot.domain.slo import Catalog
from bot.slack.presenters import bar, percent
from bot.slack.rendering import Renderer, escape_mrkdwn
from bot.times import format_time

SEV1_NOTE = (
    ":memo: *Postmortem required*: this incident spent over 20 % of an error budget. The SRE "
    "Workbook's error budget policy asks for a postmortem with at least one P0 action."
)


class IncidentViews:
    def __init__(self, renderer: Renderer, catalog: Catalog) -> None:
        self._render = renderer.render
        self._catalog = catalog

    def card(self, incident: Incident) -> tuple[str, list[dict[str, Any]]]:
        """(notification text, blocks) of the incident's card."""
        draft = incident.draft
        window = f"{format_time(draft.started_at)} → " + (
            format_time(draft.ended_at) if draft.ended_at else "ongoing"
        )
        summary = (
            f"*Services:* {', '.join(draft.services)}\n*Window:* {window}\n"
            f"*Declared by* <@{draft.declared_by}>"
            + (f"\n{escape_mrkdwn(draft.description)}" if draft.description else "")
        )
        slos = [_slo_line(i) for i in incident.impacts]
        state = "resolved " + format_time(incident.resolved_at) if incident.resolved_at else "open"
        headline = f"{incident.key}: {draft.title}"
        blocks = self._render(
            "incident_card.json.j2",
            headline=headline,
            summary=summary,
            classification=classification(incident, self._catalog),
            slos=slos,
            postmortem=SEV1_NOTE if incident.severity is IncidentSeverity.SEV1 else "",
            footer=f"{incident.key} · {state} · declared {format_time(incident.declared_at)}",
            buttons=incident.resolved_at is None,
            id=incident.id,
        )
        # The fallback text is mrkdwn (notifications, screen readers): escaped, so that a
        # title such as "<!channel> is down" pings nobody. The header is plain text.
        text = f"{incident.key}: {escape_mrkdwn(draft.title)}"
        return f"{text} ({incident.severity or 'impact pending'})", blocks

    def declare_form(
        self,
        channel: str,
        now: datetime,
        services: Sequence[str] = (),
        start: datetime | None = None,
        title: str = "",
    ) -> dict[str, Any]:
        form: dict[str, Any] = self._render(
            "incident_declare.json.j2",
            metadata=json.dumps({"channel": channel}),
            services=sorted(self._catalog.services)[:100],
            chosen=[s for s in services if s in self._catalog.services],
            start=int((start or now).timestamp()),
            title=title,
        )
        return form

    def reclassify_form(self, incident: Incident) -> dict[str, Any]:
        form: dict[str, Any] = self._render(
            "incident_reclassify.json.j2",
            key=incident.key,
            id=incident.id,
            current=classification(incident, self._catalog),
        )
        return form

    def listing(self, title: str, incidents: Sequence[Incident]) -> list[dict[str, Any]]:
        lines = [
            f"*{i.key}* {escape_mrkdwn(i.draft.title)} · {i.severity or 'impact pending'} · "
            f"{', '.join(i.draft.services)} · {format_time(i.draft.started_at)}"
            + (" · open" if i.resolved_at is None else " · resolved")
            for i in incidents[:45]
        ]
        blocks: list[dict[str, Any]] = self._render(
            "incident_list.json.j2", title=title, lines=lines
        )
        return blocks


def _slo_line(impact: SLOImpact) -> str:
    if impact.budget_consumed is None:
        return f"*{impact.slo}*: unknown impact ({escape_mrkdwn(impact.note)})"
    budget = "*overage*: no budget left" if overage(impact) else "within budget"
    return (
        f"*{impact.slo}*: `{bar(min(impact.budget_consumed, 1.0))}` "
        f"{percent(impact.budget_consumed)} of its budget · {budget} · "
        f"{percent(impact.remaining_after)} left, gate {impact.gate_after or 'unknown'}"
    )


def classification(incident: Incident, catalog: Catalog) -> str:
    """The severity line: the class with its reason, and the computed one beside an override."""
    if incident.impact_state is ImpactState.PENDING:
        computed = "impact pending: Prometheus could not be read; the next cycle fills it in"
    else:
        _, severity, reason = classify_incident(incident.impacts, catalog.severity)
        computed = f"{severity}: {reason}" if severity else f"unknown impact: {reason}"
    if incident.severity_override:
        return (
            f"*Severity {incident.severity_override}* "
            f"(set by hand: {escape_mrkdwn(incident.override_reason)}) · "
            f"computed {computed}"
        )
    return f"*Severity {computed}*"


def read_declaration(view: dict[str, Any], user: str, now: datetime) -> IncidentDraft:
    """The draft from a submitted declaration form (values as Slack sends them).

    `now` is the bot's clock (BUDGETBOT_NOW in replays): the start when none is given. A
    picker value that is no Unix time reads as the epoch, which the form checks refuse.
    """
    values = view["state"]["values"]

    def value(block: str) -> dict[str, Any]:
        return dict(values.get(block, {}).get("value", {}))

    def moment(block: str) -> datetime | None:
        stamp = value(block).get("selected_date_time")
        if stamp is None:
            return None
        try:
            return datetime.fromtimestamp(int(stamp), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return datetime.fromtimestamp(0, UTC)

    chosen = (value("severity").get("selected_option") or {}).get("value")
    severity = chosen if chosen in set(IncidentSeverity) else None
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    start = moment("start")
    return IncidentDraft(
        title=(value("title").get("value") or "").strip(),
        services=tuple(o["value"] for o in value("services").get("selected_options") or []),
        started_at=now if start is None else start,
        ended_at=moment("end"),
        description=(value("description").get("value") or "").strip(),
        declared_by=user,
        declared_in=str(metadata.get("channel", "")),
        severity_override=IncidentSeverity(severity) if severity else None,
        override_reason="set on declaration" if severity else "",
    )


def read_reclassification(view: dict[str, Any]) -> tuple[int, IncidentSeverity | None, str]:
    values = view["state"]["values"]
    option = values.get("severity", {}).get("value", {}).get("selected_option") or {}
    reason = (values.get("reason", {}).get("value", {}).get("value") or "").strip()
    severity = option.get("value")
    return int(view["private_metadata"]), IncidentSeverity(severity) if severity else None, reason
