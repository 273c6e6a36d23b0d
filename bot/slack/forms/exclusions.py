"""The exclusion form of `/slo exclude`, and reading its submission back."""

from datetime import UTC, datetime
from typing import Any

from bot.domain.exclusions import ExclusionDraft
from bot.domain.slo import Catalog, EventsSLI
from bot.slack.ids import EXCLUDE_VIEW
from bot.slack.limits import OPTION_TEXT, OPTION_VALUE, OPTIONS, cut
from bot.slack.rendering import Renderer

FIELDS = {"what": "slos"}  # the form's block for a check's "what" (SLOs or services)


class ExclusionForms:
    def __init__(self, renderer: Renderer, catalog: Catalog) -> None:
        self._render = renderer.render
        self._slos = sorted(s.name for s in catalog.slos if isinstance(s.sli, EventsSLI))
        self._services = sorted(catalog.services)

    def form(self, now: datetime) -> dict[str, Any]:
        """Up to 100 SLOs and services as lists; with more, searched as the person types."""
        view: dict[str, Any] = self._render(
            "exclusion_form.json.j2",
            callback=EXCLUDE_VIEW,
            slos=[option(s) for s in self._slos] if len(self._slos) <= OPTIONS else [],
            services=[option(s) for s in self._services] if len(self._services) <= OPTIONS else [],
            start=int(now.timestamp()),
        )
        return view

    def slo_options(self, typed: str) -> list[dict[str, Any]]:
        """The SLOs whose names contain what was typed, at most 100."""
        needle = typed.strip().lower()
        return [option(s) for s in self._slos if needle in s.lower()][:OPTIONS]


def option(name: str) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": cut(name, OPTION_TEXT)},
        "value": name[:OPTION_VALUE],
    }


def read_exclusion(view: dict[str, Any], user: str) -> ExclusionDraft:
    """The draft from a submitted form (values as Slack sends them)."""
    values = view["state"]["values"]

    def value(block: str) -> dict[str, Any]:
        return dict(values.get(block, {}).get("value", {}))

    def chosen(block: str) -> tuple[str, ...]:
        return tuple(str(o.get("value", "")) for o in value(block).get("selected_options") or [])

    stamp = value("start").get("selected_date_time")
    try:
        start = datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        start = None
    return ExclusionDraft(
        slos=chosen("slos"),
        services=chosen("services"),
        start=start,
        duration=str(value("duration").get("value") or "").strip(),
        reason=str(value("reason").get("value") or ""),
        user=user,
        name=str(value("name").get("value") or ""),
    )


def field_errors(problems: dict[str, str]) -> dict[str, str]:
    """A check's problems by the form's block ids."""
    return {FIELDS.get(key, key): message for key, message in problems.items()}
