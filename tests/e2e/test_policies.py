"""Policy actions end to end (DESIGN 9.5): the real Prometheus, `budgetbot evaluate --at`
as separate processes at successive instants, a real local receiver; three replicas on one
PostgreSQL; Prometheus unreachable; serve refusing an unset secret.

The `incident` service (tests/support/scenarios.py) burns 25 % errors for 2 hours from
5 days before END: 10 minutes before that its budget is half left (open), 3 hours after
its start the budget is overspent (frozen) and no burn window is still firing.
"""

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.support.catalogs import events_slo, write_catalog
from tests.support.cli import budgetbot, clean_env, closed_port, migrate
from tests.support.server import BOT_TOKEN, SIGNING_SECRET, serve
from tests.support.slack_api import SlackStandIn
from tests.support.transactions import race
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration

SECRET = "e2e-webhook-secret"
BEFORE = timedelta(days=5, minutes=10)  # before END: open
CROSSED = timedelta(days=5) - timedelta(hours=3)  # before END: frozen


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def policy_catalog(directory: Path, prometheus_url: str, hook: str) -> Path:
    policies = f"""
policies:
  - name: pause-deploys
    on: frozen
    services: [incident]
    webhook: {{url: '{hook}', secret_env: HOOK_SECRET}}
  - name: flags-back
    on: recovered
    webhook: {{url: '{hook}', secret_env: HOOK_SECRET}}
"""
    return write_catalog(
        directory,
        prometheus_url,
        teams={"sre": {"channel": "C0SRE", "digest": "off"}},
        services={"incident": "sre", "steady": "sre"},
        slos=[events_slo("incident"), events_slo("steady")],
        name="policies.yaml",
        extra=policies,
    )


class Cron:
    """`budgetbot evaluate --at` as a cron deployment runs it, on one SQLite file."""

    def __init__(self, tmp_path: Path, prom: Any, receiver: WebhookReceiver) -> None:
        self.end = prom.end
        self.env = migrate(
            clean_env(
                BUDGETBOT_CONFIG=str(policy_catalog(tmp_path, prom.url, receiver.url())),
                DATABASE_URL=f"sqlite:///{tmp_path / 'policies.db'}",
                HOOK_SECRET=SECRET,
            )
        )

    def evaluate(self, before_end: timedelta, **env: str) -> str:
        at = (self.end - before_end).isoformat()
        done = budgetbot("evaluate", "--at", at, env={**self.env, **env})
        assert done.returncode in (0, 2), done.stderr
        return done.stdout + done.stderr

    def deliveries(self) -> list[dict[str, Any]]:
        done = budgetbot("policies", "deliveries", "--format", "json", env=self.env)
        assert done.returncode == 0, done.stderr
        return list(json.loads(done.stdout))


def test_crossing_into_frozen_gives_exactly_one_signed_delivery(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    cron = Cron(tmp_path, prom, receiver)
    cron.evaluate(BEFORE)  # the first observation: recorded, no event
    assert receiver.requests == []
    out = cron.evaluate(CROSSED)
    assert "1 delivered" in out, out
    cron.evaluate(CROSSED - timedelta(minutes=5))
    cron.evaluate(CROSSED - timedelta(minutes=10))
    (got,) = receiver.requests
    assert got.signed_with(SECRET) and not got.signed_with("another secret")
    sent = json.loads(got.body)
    assert (sent["policy"], sent["event"], sent["previous"]) == ("pause-deploys", "frozen", "open")
    assert (sent["service"], sent["team"], sent["tier"]) == ("incident", "sre", "production")
    assert sent["id"] == got.event_id
    assert sent["at"] == (prom.end - CROSSED).strftime("%Y-%m-%dT%H:%M:%SZ")
    ((slo,),) = [sent["slos"]]
    assert slo["slo"] == "incident-availability" and slo["gate"] == "frozen"
    assert slo["budget_remaining"] < 0
    (listed,) = cron.deliveries()
    assert (listed["id"], listed["state"], listed["attempts"]) == (got.event_id, "delivered", 1)
    assert SECRET not in json.dumps(cron.deliveries()) and SECRET not in out


def test_a_failing_receiver_gets_the_same_id_again_and_nothing_after_success(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    cron = Cron(tmp_path, prom, receiver)
    cron.evaluate(BEFORE)
    receiver.script((503, "deploying, try later", 0.0))
    assert "1 to retry" in cron.evaluate(CROSSED)
    assert "1 delivered" in cron.evaluate(CROSSED - timedelta(minutes=5))
    cron.evaluate(CROSSED - timedelta(minutes=10))
    cron.evaluate(CROSSED - timedelta(minutes=70))
    first, second = receiver.requests
    assert first.event_id == second.event_id and first.body == second.body
    assert first.signed_with(SECRET) and second.signed_with(SECRET)
    (listed,) = cron.deliveries()
    assert listed["state"] == "delivered" and listed["attempts"] == 2
    assert [(a["status"], a["detail"]) for a in listed["attempt_log"]] == [
        (503, "deploying, try later"),
        (200, "ok"),
    ]


def test_prometheus_unreachable_gives_no_event_and_keeps_the_state(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    cron = Cron(tmp_path, prom, receiver)
    cron.evaluate(BEFORE)
    down = f"http://127.0.0.1:{closed_port()}"
    cron.evaluate(CROSSED, PROMETHEUS_URL=down)
    cron.evaluate(CROSSED - timedelta(minutes=1), PROMETHEUS_URL=down)
    assert receiver.requests == [] and cron.deliveries() == []
    cron.evaluate(CROSSED - timedelta(minutes=2))  # back: compared with open, recorded before
    (got,) = receiver.requests
    assert json.loads(got.body)["previous"] == "open"


def test_three_replicas_on_postgresql_deliver_once(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver, postgres_url: str
) -> None:
    env = {
        "BUDGETBOT_CONFIG": str(policy_catalog(tmp_path, prom.url, receiver.url())),
        "DATABASE_URL": postgres_url,
        "HOOK_SECRET": SECRET,
    }
    settings = Settings.from_env(env)
    replicas = [Bootstrap(settings, serving=True, show=lambda _: None) for _ in range(3)]
    try:
        replicas[0].migrate()
        replicas[0].alerting.run(prom.end - BEFORE)
        at = prom.end - CROSSED

        def replica(boot: Bootstrap) -> int:
            boot.alerting.run(at)
            return boot.deliveries.run(at).delivered

        assert sorted(race([partial(replica, b) for b in replicas])) == [0, 0, 1]
        assert [b.deliveries.run(at + timedelta(minutes=1)).delivered for b in replicas] == [0] * 3
    finally:
        for boot in replicas:
            boot.close()
    (got,) = receiver.requests
    assert got.signed_with(SECRET)


def test_the_test_command_sends_a_signed_event(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    cron = Cron(tmp_path, prom, receiver)
    done = budgetbot("policies", "test", "pause-deploys", env=cron.env)
    assert done.returncode == 0, done.stderr
    (got,) = receiver.requests
    assert got.signed_with(SECRET) and got.event_id.startswith("test-")
    assert json.loads(got.body)["event"] == "test"
    receiver.script((401, "bad signature", 0.0))
    refused = budgetbot("policies", "test", "pause-deploys", env=cron.env)
    assert refused.returncode == 1 and "401" in refused.stdout
    typo = budgetbot("policies", "test", "pause-deploy", env=cron.env)
    assert typo.returncode == 1 and "did you mean pause-deploys" in typo.stderr
    assert cron.deliveries() == []


def test_serve_refuses_to_start_without_a_webhook_secret(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    env = clean_env(
        BUDGETBOT_CONFIG=str(policy_catalog(tmp_path, prom.url, receiver.url())),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PORT=str(closed_port()),
    )
    done = budgetbot("serve", env=env)
    assert done.returncode == 1
    assert "HOOK_SECRET (policy flags-back), HOOK_SECRET (policy pause-deploys)" in done.stderr
    assert not (tmp_path / "serve.db").exists()  # refused before touching the database


def test_serve_delivers_beside_the_alerting_cycle_which_a_held_receiver_does_not_delay(
    prom: Any, tmp_path: Path, receiver: WebhookReceiver, slack_api: SlackStandIn
) -> None:
    catalog = policy_catalog(tmp_path, prom.url, receiver.url())
    cron = Cron(tmp_path, prom, receiver)  # its own database: only to record "open" first
    env = {**cron.env, "DATABASE_URL": f"sqlite:///{tmp_path / 'budgetbot.db'}"}
    migrate(env)
    at = (prom.end - BEFORE).isoformat()
    assert budgetbot("evaluate", "--at", at, env=env).returncode == 0
    receiver.hold = threading.Event()
    crossed = (prom.end - CROSSED).isoformat()
    with serve(
        tmp_path,
        catalog,
        slack_api.api_url,
        HOOK_SECRET=SECRET,
        BUDGETBOT_NOW=crossed,
        BUDGETBOT_EVALUATION_INTERVAL="1",
    ) as server:
        wait_until(lambda: len(receiver.requests) == 1, 30, "no delivery reached the receiver")
        held_at = server.metric("budgetbot_evaluation_seconds_count")
        server.wait_metric("budgetbot_evaluation_seconds_count", held_at + 2)  # cycles go on
        assert server.metric('budgetbot_policy_deliveries_total{outcome="delivered"}') == 0
        receiver.hold.set()
        server.wait_metric('budgetbot_policy_deliveries_total{outcome="delivered"}', 1)
        time.sleep(2)  # a few more cycles and delivery rounds: nothing more is sent
    (got,) = receiver.requests
    assert got.signed_with(SECRET) and json.loads(got.body)["event"] == "frozen"
