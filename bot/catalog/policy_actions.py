"""The catalog's `policies:` list (DESIGN 9.5): which budget events call which webhook or
post which Slack message. Checked here; the services, teams and tiers they name are checked
when the files are assembled (attach_policies).

Not to be confused with bot/catalog/policies.py (incident classes, gates and alerts per tier).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from bot.catalog.checks import check_name, check_url
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Located
from bot.catalog.policies import TierName
from bot.domain.policy_actions import (
    PolicyAction,
    PolicyEvent,
    SlackAction,
    Webhook,
    template_problem,
)
from bot.domain.slo import Service, Team

EventName = Literal["caution", "frozen", "open", "page", "recovered"]
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class WebhookModel(StrictModel):
    url: str
    secret_env: str  # the environment variable holding the signing secret (never the secret)


class SlackActionModel(StrictModel):
    channel: str
    text: str


class PolicyModel(StrictModel):
    name: str
    on: EventName
    services: list[str] | None = None
    teams: list[str] | None = None
    tiers: list[TierName] | None = None
    webhook: WebhookModel | None = None
    slack: SlackActionModel | None = None


def parse_policy(file: str, path: str, raw: Any, problems: Problems) -> PolicyAction | None:
    """One `policies:` entry; None after recording its problems (file, path, what is wrong).

    YAML 1.1 reads a bare `on:` key as the boolean true: such a key is taken as `on`.
    """
    if isinstance(raw, dict) and True in raw and "on" not in raw:
        raw = {("on" if key is True else key): value for key, value in raw.items()}
    model = validate(PolicyModel, raw, file, path, problems)
    if model is None:
        return None
    before = len(problems)
    if error := check_name(model.name):
        problems.add(file, join(path, "name"), error)
    if (model.webhook is None) == (model.slack is None):
        problems.add(file, path, "needs exactly one action: webhook {url, secret_env} or slack")
    webhook = slack = None
    if model.webhook is not None:
        where = join(path, "webhook")
        if error := check_url(model.webhook.url, "https://flags.internal/hooks"):
            problems.add(file, join(where, "url"), error)
        if not _ENV_NAME.match(model.webhook.secret_env):
            problems.add(
                file,
                join(where, "secret_env"),
                f"{model.webhook.secret_env!r} must name an environment variable "
                "(letters, digits and _), which holds the secret",
            )
        webhook = Webhook(model.webhook.url, model.webhook.secret_env)
    if model.slack is not None:
        where = join(path, "slack")
        if not model.slack.channel.strip():
            problems.add(file, join(where, "channel"), "must not be empty")
        if not model.slack.text.strip():
            problems.add(file, join(where, "text"), "must not be empty")
        elif error := template_problem(model.slack.text):
            problems.add(file, join(where, "text"), error)
        slack = SlackAction(model.slack.channel.strip(), model.slack.text)
    if len(problems) > before:
        return None
    return PolicyAction(
        name=model.name,
        on=PolicyEvent(model.on),
        webhook=webhook,
        slack=slack,
        services=frozenset(model.services or ()),
        teams=frozenset(model.teams or ()),
        tiers=frozenset(model.tiers or ()),
    )


def attach_policies(
    found: Iterable[Located[PolicyAction]],
    services: Mapping[str, Service],
    teams: Mapping[str, Team],
    problems: Problems,
) -> tuple[PolicyAction, ...]:
    """The policies of every file: names unique, the services and teams they name known."""
    kept: dict[str, Located[PolicyAction]] = {}
    for entry in found:
        policy = entry.value
        first = kept.setdefault(policy.name, entry)
        if first is not entry:
            problems.add(
                entry.file,
                join(entry.path, "name"),
                f"duplicate policy name {policy.name!r}, first defined at {first.where}",
            )
            continue
        for key, names, known in (
            ("services", policy.services, services),
            ("teams", policy.teams, teams),
        ):
            for name in sorted(names - set(known)):
                problems.add(entry.file, join(entry.path, key), f"unknown {key[:-1]} {name!r}")
    return tuple(entry.value for entry in kept.values())
