"""Ports the use cases own: where messages go, and how a failed post is told. Pure."""

from typing import Any, Protocol


class PostFailed(Exception):
    """A post, update or upload failed; the adapter says what is known about it.

    surely_not_sent: nothing reached the channel (a refusal, no connection), so the claim
    may be given back. retryable: besides, a later attempt may pass (no connection, rate
    limited), where a refusal such as not_in_channel waits for a person. needs_invite: the
    refusal says the bot is not in the channel (someone must invite it).
    """

    def __init__(
        self, reason: str, *, surely_not_sent: bool, retryable: bool, needs_invite: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.surely_not_sent = surely_not_sent
        self.retryable = retryable and surely_not_sent
        self.needs_invite = needs_invite


class Notifier(Protocol):
    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        """Post a message (in a thread when thread_ts is given); returns its ts."""
        ...

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message's text and blocks in place."""
        ...

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        """Share a file (a chart) in the channel."""
        ...
