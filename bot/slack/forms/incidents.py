"""The incident forms: declaring (with the service search) and reclassifying; reading
their submissions back."""

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.domain.incidents import Incident, IncidentDraft, IncidentSeverity
from bot.domain.slo import Catalog
from bot.slack.limits import OPTION_TEXT, OPTION_VALUE, OPTIONS, cut
from bot.slack.messages.incidents import classification
from bot.slack.rendering import Renderer

NO_SERVICES = (
    "The catalog names no services, so there is nothing to declare an incident for yet. "
    "Add `services:` (or SLO files) to the catalog: see docs/catalog.md."
)
DIGEST = "sha256:"  # option values for service names longer than Slack's 150 characters


class IncidentForms:
    def __init__(self, renderer: Renderer, catalog: Catalog) -> None:
        self._render = renderer.render
        self._catalog = catalog

    def declare_form(
        self,
        channel: str,
        now: datetime,
        services: Sequence[str] = (),
        start: datetime | None = None,
        title: str = "",
    ) -> dict[str, Any] | str:
        """The declaration form, or a notice when the catalog has no service to name.

        Up to 100 services are offered as a list; with more, the list is searched as the
        person types (options served on block_suggestion by `service_options`).
        """
        known = sorted(self._catalog.services)
        if not known:
            return NO_SERVICES
        form: dict[str, Any] = self._render(
            "incident_declare.json.j2",
            metadata=json.dumps({"channel": channel}),
            services=[self.option(s) for s in known] if len(known) <= OPTIONS else [],
            chosen=[self.option(s) for s in services if s in self._catalog.services],
            start=int((start or now).timestamp()),
            title=title,
        )
        return form

    def service_options(self, typed: str) -> list[dict[str, Any]]:
        """The services whose names contain what was typed (case-insensitive), at most 100."""
        needle = typed.strip().lower()
        found = [s for s in sorted(self._catalog.services) if needle in s.lower()]
        return [self.option(s) for s in found[:OPTIONS]]

    def option(self, service: str) -> dict[str, Any]:
        """A service as a select option; a name too long for a value is sent as its digest."""
        value = service if len(service) <= OPTION_VALUE else _digest(service)
        return {"text": {"type": "plain_text", "text": cut(service, OPTION_TEXT)}, "value": value}

    def service_of(self, value: str) -> str:
        """The service an option's value stands for (the value itself if none matches)."""
        if value in self._catalog.services or not value.startswith(DIGEST):
            return value
        return next((s for s in self._catalog.services if _digest(s) == value), value)

    def reclassify_form(self, incident: Incident) -> dict[str, Any]:
        form: dict[str, Any] = self._render(
            "incident_reclassify.json.j2",
            key=incident.key,
            id=incident.id,
            current=classification(incident, self._catalog),
        )
        return form


def _digest(service: str) -> str:
    return DIGEST + hashlib.sha256(service.encode()).hexdigest()[:40]


def read_declaration(
    view: dict[str, Any],
    user: str,
    now: datetime,
    service_of: Callable[[str], str] = str,
) -> IncidentDraft:
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
        services=tuple(
            service_of(o["value"]) for o in value("services").get("selected_options") or []
        ),
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
