"""Delivering policy events (DESIGN 9.5): at least once, one attempt at a time, each
webhook signed; retried with backoff and jitter for up to an hour, then marked failed.

Every attempt is leased in the database first (storage.policies: `lease`), so that of
several replicas one makes it; the body and the X-Budgetbot-Event-Id are the same on every
attempt, so receivers deduplicate on the id. Nothing here holds a transaction open while a
receiver answers. A Slack action that may have been posted is never posted again.
"""

import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.policies import GIVE_UP_AFTER_S, retry_delay
from bot.domain.policy_actions import PolicyAction
from bot.domain.signature import sign
from bot.domain.slo import Catalog, Service
from bot.services.policy_events import payload
from bot.services.ports import Notifier, PolicyPresenter, PostFailed, WebhookAnswer, WebhookSender
from storage.policies import Attempt, Delivery
from storage.unit_of_work import UnitOfWork

log = logging.getLogger("budgetbot.policies")

LEASE = timedelta(seconds=60)  # longer than any attempt (the sender gives up after 5 s)

Secret = Callable[[str], str | None]  # the value of an environment variable, if set


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def headers(event_id: str, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of a policy webhook: its id, the Unix time and the signature over both."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "budgetbot",
        "X-Budgetbot-Event-Id": event_id,
        "X-Budgetbot-Timestamp": str(timestamp),
        "X-Budgetbot-Signature": sign(secret, timestamp, body),
    }


class Deliveries:
    def __init__(
        self,
        catalog: Catalog,
        uow: UnitOfWork,
        sender: WebhookSender,
        notifier: Notifier,
        messages: PolicyPresenter,
        secret: Secret,
        *,
        on_outcome: Callable[[str], None] | None = None,
        jitter: Callable[[], float] = random.random,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._catalog = catalog
        self._uow = uow
        self._sender = sender
        self._notifier = notifier
        self._messages = messages
        self._secret = secret
        self._on_outcome = on_outcome
        self._jitter = jitter
        self._wall_clock = wall_clock  # the signature's timestamp and the leases: real time

    def run(self, now: datetime) -> DeliveryReport:
        """Attempt every delivery due at `now`, once each."""
        report = DeliveryReport()
        with self._uow.read() as store:
            due = store.policies.due(now, self._wall())
        for event_id in due:
            wall = self._wall()  # per attempt: one slow receiver must not stale the next lease
            with self._uow.begin() as store:
                delivery = store.policies.lease(event_id, now, wall, wall + LEASE)
                lost = (
                    0
                    if delivery is None
                    else delivery.attempts - 1 - (store.policies.recorded_attempts(event_id))
                )
            if delivery is None:  # another replica has it, or made it already
                continue
            try:
                if delivery.kind == "slack" and lost > 0:  # a lease ran out mid-post
                    detail = "an earlier attempt may have posted it: not posted again"
                    attempt, final = Attempt(now, False, None, detail), True
                else:
                    attempt, final = self._attempt(delivery, now)
            except Exception as exc:  # a bug must not keep the lease, nor stop the others
                log.exception("delivering policy event %s failed", event_id)
                attempt, final = Attempt(now, False, None, f"internal error: {exc}"), False
            self._finish(delivery, attempt, final, now, report)
        return report

    def _wall(self) -> datetime:
        return datetime.fromtimestamp(self._wall_clock(), UTC)

    def test(self, name: str, now: datetime) -> WebhookAnswer:
        """Send a signed test event of policy `name` (event "test", a fresh id), once; not
        stored. KeyError for an unknown policy."""
        policy = next((p for p in self._catalog.policies if p.name == name), None)
        if policy is None:
            raise KeyError(name)
        ident = f"test-{uuid.uuid4()}"
        if policy.slack is not None:
            text = f"Test of policy {policy.name}: its messages will appear here."
            attempt, _ = self._post(_test_delivery(ident, policy, text, now), now)
            return WebhookAnswer(200 if attempt.ok else None, attempt.detail)
        service = next(iter(self._catalog.services.values()), Service("test", "test"))
        body = payload(ident, policy.name, "test", "open", service, now, [])
        return self._send(policy, ident, json.dumps(body, separators=(",", ":")).encode())

    def _attempt(self, delivery: Delivery, now: datetime) -> tuple[Attempt, bool]:
        """One attempt: (what happened, whether it is final whatever it was)."""
        policy = next((p for p in self._catalog.policies if p.name == delivery.policy), None)
        if delivery.kind == "slack":
            return self._post(delivery, now)
        if policy is None or policy.webhook is None:
            return Attempt(now, False, None, "the policy is no longer in the catalog"), True
        answer = self._send(policy, delivery.id, delivery.body.encode("utf-8"))
        return Attempt(now, answer.ok, answer.status, answer.excerpt), False

    def _send(self, policy: PolicyAction, event_id: str, body: bytes) -> WebhookAnswer:
        assert policy.webhook is not None
        secret = self._secret(policy.webhook.secret_env)
        if not secret:
            return WebhookAnswer(None, f"{policy.webhook.secret_env} is not set")
        timestamp = int(self._wall_clock())
        return self._sender.send(
            policy.webhook.url, body, headers(event_id, secret, body, timestamp)
        )

    def _post(self, delivery: Delivery, now: datetime) -> tuple[Attempt, bool]:
        message = self._messages.action(delivery.message or "", delivery.event, delivery.service)
        try:
            self._notifier.post(delivery.target, message.text, message.blocks)
        except PostFailed as exc:
            # Never twice: a post that may have arrived is not retried.
            return Attempt(now, False, None, f"Slack: {exc.reason}"), not exc.surely_not_sent
        return Attempt(now, True, None, "posted"), True

    def _finish(
        self,
        delivery: Delivery,
        attempt: Attempt,
        final: bool,
        now: datetime,
        report: DeliveryReport,
    ) -> None:
        due_at = None
        if attempt.ok:
            state = "delivered"
        else:
            delay = timedelta(seconds=retry_delay(delivery.attempts, self._jitter()))
            deadline = delivery.created_at + timedelta(seconds=GIVE_UP_AFTER_S)
            state = "failed" if final or now + delay > deadline else "pending"
            due_at = now + delay
        with self._uow.begin() as store:
            if not store.policies.finish(delivery.id, delivery.attempts, attempt, state, due_at):
                log.warning("policy event %s: attempt %d finished after its lease ran out",
                            delivery.id, delivery.attempts)  # fmt: skip
                return
        outcome = {"delivered": "delivered", "failed": "failed"}.get(state, "retrying")
        setattr(report, outcome, getattr(report, outcome) + 1)
        if state == "failed":
            log.warning(
                "policy event %s (%s, %s) failed after %d attempts: %s",
                delivery.id,
                delivery.policy,
                delivery.service,
                delivery.attempts,
                attempt.detail,
            )
        if self._on_outcome is not None:
            self._on_outcome(outcome)


def _test_delivery(ident: str, policy: PolicyAction, text: str, now: datetime) -> Delivery:
    assert policy.slack is not None
    return Delivery(
        id=ident,
        policy=policy.name,
        service="",
        event="test",
        kind="slack",
        target=policy.slack.channel,
        body="{}",
        message=text,
        created_at=now,
        due_at=now,
        attempts=1,
        state="pending",
        finished_at=None,
    )
