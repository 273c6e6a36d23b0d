"""The urllib WebhookSender against a real local receiver: what it sends, what it keeps of
the answer (200 characters at most), redirects never followed, timeouts and refusals as
answers, never exceptions."""

import time

import pytest

from bot.webhooks import EXCERPT_CHARS, UrllibSender
from tests.support.cli import closed_port
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration

HEADERS = {"Content-Type": "application/json", "X-Budgetbot-Event-Id": "evt-1"}


def test_a_post_and_its_answer() -> None:
    with WebhookReceiver() as receiver:
        receiver.script((202, "accepted " + "x" * 5000, 0))
        answer = UrllibSender().send(receiver.url("/hooks/a"), b'{"id":"evt-1"}', HEADERS)
    assert answer.ok and answer.status == 202
    assert answer.excerpt.startswith("accepted x") and len(answer.excerpt) <= EXCERPT_CHARS
    (got,) = receiver.requests
    assert (got.path, got.body, got.event_id) == ("/hooks/a", b'{"id":"evt-1"}', "evt-1")


def test_a_redirect_is_not_followed() -> None:
    with WebhookReceiver() as receiver:
        receiver.script((302, "moved", 0))
        answer = UrllibSender().send(receiver.url("/hook"), b"{}", HEADERS)
    assert not answer.ok and answer.status == 302
    assert [r.path for r in receiver.requests] == ["/hook"]  # /elsewhere never asked


def test_failures_are_answers() -> None:
    with WebhookReceiver() as receiver:
        receiver.script((500, "it broke", 0), (200, "late", 1.5))
        broken = UrllibSender().send(receiver.url(), b"{}", HEADERS)
        started = time.perf_counter()
        slow = UrllibSender(timeout=0.5).send(receiver.url(), b"{}", HEADERS)
        waited = time.perf_counter() - started
    assert (broken.ok, broken.status, broken.excerpt) == (False, 500, "it broke")
    assert slow.status is None and "0.5 s" in slow.excerpt and waited < 1.4
    refused = UrllibSender().send(f"http://127.0.0.1:{closed_port()}/hook", b"{}", HEADERS)
    assert refused.status is None and refused.excerpt.startswith("no answer")
