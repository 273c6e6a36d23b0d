"""The catalog's policies (DESIGN 9.5): events, services, teams or tiers, a webhook or a Slack
message; each mistake named with its file, its path and what is wrong."""

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.policy_actions import PolicyEvent, SlackAction, Webhook
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

GOOD = """\
policies:
  - name: pause-deploys
    on: frozen
    services: [checkout]
    webhook: {url: 'http://10.0.0.7:8080/hooks/budget', secret_env: CI_HOOK_SECRET}
  - name: sprint
    'on': frozen
    teams: [payments]
    slack:
      channel: C0123PAY
      text: '{service} is frozen for the {day} day: call a reliability sprint?'
  - name: flags-back
    on: recovered
    tiers: [production]
    webhook: {url: 'https://flags.example.com/api/budget', secret_env: FLAGS_SECRET}
"""


def test_policies_are_read_with_a_bare_on_key(load: Callable[[Files], Catalog]) -> None:
    catalog = load({"budgetbot.yaml": BASE + SLO + GOOD})
    pause, sprint, flags = catalog.policies
    assert (pause.name, pause.on, pause.services) == (
        "pause-deploys",
        PolicyEvent.FROZEN,
        {"checkout"},
    )
    assert pause.webhook == Webhook("http://10.0.0.7:8080/hooks/budget", "CI_HOOK_SECRET")
    assert sprint.on is PolicyEvent.FROZEN and sprint.teams == {"payments"}
    assert sprint.slack == SlackAction(
        "C0123PAY", "{service} is frozen for the {day} day: call a reliability sprint?"
    )
    assert flags.on is PolicyEvent.RECOVERED and flags.tiers == {"production"}
    assert flags.kind == "webhook" and sprint.kind == "slack"


def test_no_policies_is_fine(load: Callable[[Files], Catalog]) -> None:
    assert load({"budgetbot.yaml": BASE + SLO}).policies == ()


ONE = """\
policies:
  - name: pause
    on: frozen
    webhook: {url: 'http://127.0.0.1:9000/hook', secret_env: HOOK_SECRET}
"""


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        ("on: frozen", "on: burning", "policies[0].on", "'caution', 'frozen'"),
        ("http://127.0.0.1:9000/hook", "ftp://127.0.0.1/hook", "policies[0].webhook.url",
         "must be an http:// or https:// URL"),
        ("http://127.0.0.1:9000/hook", "hooks.internal/x", "policies[0].webhook.url",
         "must be an http:// or https:// URL"),
        ("http://127.0.0.1:9000/hook", "http://127.0.0.1:port/x", "policies[0].webhook.url",
         "is not a URL"),
        ("secret_env: HOOK_SECRET", "secret_env: 'my secret'", "policies[0].webhook.secret_env",
         "must name an environment variable"),
        ("webhook: {url: 'http://127.0.0.1:9000/hook', secret_env: HOOK_SECRET}",
         "webhook: {url: 'http://127.0.0.1:9000/hook'}", "policies[0].webhook.secret_env", ""),
        ("webhook: {url: 'http://127.0.0.1:9000/hook', secret_env: HOOK_SECRET}",
         "slack: {channel: C0123PAY, text: '{owner} must act'}", "policies[0].slack.text",
         "unknown placeholder {owner}"),
        ("webhook: {url: 'http://127.0.0.1:9000/hook', secret_env: HOOK_SECRET}",
         "slack: {channel: ' ', text: hi}", "policies[0].slack.channel", "must not be empty"),
        ("    webhook: {url: 'http://127.0.0.1:9000/hook', secret_env: HOOK_SECRET}\n",
         "", "policies[0]", "needs exactly one action"),
        ("on: frozen", "on: frozen\n    services: [ledger]", "policies[0].services",
         "unknown service 'ledger'"),
        ("on: frozen", "on: frozen\n    teams: [search]", "policies[0].teams",
         "unknown team 'search'"),
        ("on: frozen", "on: frozen\n    tiers: [qa]", "policies[0].tiers[0]", ""),
        ("name: pause", "name: 'pause all'", "policies[0].name", ""),
        ("on: frozen", "on: frozen\n    when: always", "policies[0].when", ""),
    ],
)  # fmt: skip
def test_wrong_policies_are_refused(
    problems: Callable[[Files], list[Problem]], old: str, new: str, path: str, fragment: str
) -> None:
    assert old in ONE
    text = BASE + SLO + ONE.replace(old, new)
    find(problems({"budgetbot.yaml": text}), "budgetbot.yaml", path, fragment)


def test_a_policy_name_is_given_once(problems: Callable[[Files], list[Problem]]) -> None:
    twice = ONE + ONE.removeprefix("policies:\n")
    found = problems({"budgetbot.yaml": BASE + SLO + twice})
    find(found, "budgetbot.yaml", "policies[1].name", "duplicate policy name 'pause'")
