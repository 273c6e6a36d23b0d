"""RefusedPosts: a membership refusal waits for the invite; a refused layout goes out as text."""

from typing import Any

import pytest

from bot.services.ports import PostFailed
from bot.slack.refused_posts import RETRY, RefusedPosts


class Refusing:
    def __init__(self, failure: PostFailed | None) -> None:
        self.failure = failure
        self.calls = 0

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return "1.000001"

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        raise NotImplementedError


NOT_IN = PostFailed("Slack answered not_in_channel", surely_not_sent=True, retryable=False,
                    needs_invite=True)  # fmt: skip


def test_a_membership_refusal_becomes_retryable_and_waits() -> None:
    inner, now = Refusing(NOT_IN), [0.0]
    wait = RefusedPosts(inner, clock=lambda: now[0])
    for at in (0.0, 60.0, RETRY - 1):
        now[0] = at
        with pytest.raises(PostFailed) as failed:
            wait.post("G1", "t", [])
        assert failed.value.retryable and failed.value.surely_not_sent
    assert inner.calls == 1  # Slack asked once; the rest answered here
    inner.failure = None
    now[0] = RETRY
    assert wait.post("G1", "t", []) == "1.000001" and inner.calls == 2


def test_other_refusals_pass_through_unchanged() -> None:
    content = PostFailed("Slack answered invalid_blocks", surely_not_sent=True, retryable=False)
    inner = Refusing(content)
    wait = RefusedPosts(inner, clock=lambda: 0.0)
    for _ in range(2):
        with pytest.raises(PostFailed) as failed:
            wait.post("C1", "t", [])
        assert failed.value is content and not failed.value.retryable
    assert inner.calls == 2


def test_other_channels_are_not_held() -> None:
    inner = Refusing(NOT_IN)
    wait = RefusedPosts(inner, clock=lambda: 0.0)
    with pytest.raises(PostFailed):
        wait.post("G1", "t", [])
    inner.failure = None
    assert wait.post("C2", "t", []) == "1.000001"


class RefusingBlocks(Refusing):
    """Refuses any message with blocks, as Slack does a layout it cannot take."""

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        self.calls += 1
        if blocks:
            raise PostFailed("Slack answered invalid_blocks", surely_not_sent=True,
                             retryable=False, refused_content=True)  # fmt: skip
        self.sent = text
        return "2.000002"


def test_a_refused_layout_is_posted_as_its_text_at_once() -> None:
    inner = RefusingBlocks(None)
    posted = RefusedPosts(inner).post("C1", "Burning <fast>" + "x" * 5_000, [{"type": "divider"}])
    assert posted == "2.000002" and inner.calls == 2
    assert inner.sent.startswith("Burning <fast>") and len(inner.sent) <= 3_000
    assert inner.sent.endswith("(Slack answered invalid_blocks); shown as text.)_")


def test_a_refused_text_only_message_is_not_tried_again() -> None:
    content = PostFailed("Slack answered msg_too_long", surely_not_sent=True, retryable=False,
                         refused_content=True)  # fmt: skip
    inner = Refusing(content)
    with pytest.raises(PostFailed) as failed:
        RefusedPosts(inner).post("C1", "t", [])
    assert failed.value is content and inner.calls == 1
