"""Policy actions of the catalog (DESIGN 9.5): which budget events tell which system. Pure.

Kept apart from bot/domain/slo.py (which holds them in the Catalog) so that module needs
nothing of the transition rule (bot/domain/policies.py).
"""

import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class PolicyEvent(StrEnum):
    """What happened to a service: its gate changed to caution, frozen or open; a page-level
    burn opened; a frozen service is open again (recovered, besides `open`)."""

    CAUTION = "caution"
    FROZEN = "frozen"
    OPEN = "open"
    PAGE = "page"
    RECOVERED = "recovered"


@dataclass(frozen=True)
class Webhook:
    """A signed POST to `url`, keyed with the value of the environment variable `secret_env`."""

    url: str
    secret_env: str


@dataclass(frozen=True)
class SlackAction:
    """A message in `channel`: `text` with the placeholders of TEMPLATE_FIELDS filled in."""

    channel: str
    text: str


TEMPLATE_FIELDS = ("service", "team", "tier", "event", "previous", "policy", "day", "slos")


@dataclass(frozen=True)
class PolicyAction:
    """One `policies:` entry: on `on`, for the services it names (by service, team or tier;
    none named: every service), a webhook or a Slack message."""

    name: str
    on: PolicyEvent
    webhook: Webhook | None = None
    slack: SlackAction | None = None
    services: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()

    def applies(self, service: str, team: str, tier: str) -> bool:
        """Whether this policy covers the service: named by any of its lists, or no list."""
        if not (self.services or self.teams or self.tiers):
            return True
        return service in self.services or team in self.teams or tier in self.tiers

    @property
    def kind(self) -> str:
        return "webhook" if self.webhook is not None else "slack"


def template_problem(text: str) -> str | None:
    """Why a Slack action's text cannot be filled in, or None (placeholders like {service})."""
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        return f"is not a valid template ({exc}); write braces as {{{{ and }}}}"
    unknown = [n for n in names if n not in TEMPLATE_FIELDS]
    if unknown:
        known = ", ".join(f"{{{n}}}" for n in TEMPLATE_FIELDS)
        return f"unknown placeholder {{{unknown[0]}}}; known: {known}"
    return None


def fill(text: str, values: Mapping[str, str]) -> str:
    """The Slack action's text with its placeholders filled (checked by template_problem)."""
    return text.format_map({name: values.get(name, "") for name in TEMPLATE_FIELDS})


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
