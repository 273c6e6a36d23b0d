"""Posting and updating channel messages: Slack's Web API, or the terminal for replays."""

import socket
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services.ports import Notifier, PostFailed

__all__ = ["Notifier", "PostFailed", "PrintNotifier", "SlackNotifier", "post_failed"]


# Slack's answers when the bot is not in the channel: not_in_channel, or channel_not_found
# for a private channel it cannot see.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
# Slack's answers when the message itself is refused: its blocks, or its length.
BAD_CONTENT = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long"})


def surely_not_posted(exc: Exception) -> bool:
    """Slack answered with an error (HTTP 200 with ok false, or 429), or the connection was
    refused or the host not found: nothing was posted. A 5xx, a reset or a timeout may come
    after a post, so those never count as surely not posted."""
    if isinstance(exc, SlackApiError):
        return exc.response.status_code in (200, 429)
    reason = getattr(exc, "reason", exc)  # urllib wraps the socket's error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def post_failed(exc: Exception) -> PostFailed:
    """The port's error for a Slack or connection failure: what is known of the post.

    A 429 or no connection may pass later; a refusal such as not_in_channel or
    invalid_blocks stays refused until someone acts.
    """
    error = exc.response.get("error") if isinstance(exc, SlackApiError) else None
    if isinstance(exc, SlackApiError):
        reason = f"Slack answered {error}"
        transient = exc.response.status_code == 429
    else:
        reason, transient = str(exc) or type(exc).__name__, True
    return PostFailed(
        reason,
        surely_not_sent=surely_not_posted(exc),
        retryable=transient,
        needs_invite=error in NOT_A_MEMBER,
        refused_content=error in BAD_CONTENT,
    )


class SlackNotifier:
    """chat.postMessage through `client`, chat.update through `updates` (default: the same).

    Give posts a client that never resends after a reset or a 5xx (web_client(for_posts=
    True)): updates are idempotent and may be retried, posts may not.
    """

    def __init__(self, client: WebClient, updates: WebClient | None = None) -> None:
        self._client = client
        self._updates = updates or client

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks or None,
                thread_ts=thread_ts,
                unfurl_links=False,
            )
        except (SlackClientError, OSError) as exc:
            raise post_failed(exc) from exc
        return str(response["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            self._updates.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (SlackClientError, OSError) as exc:
            raise post_failed(exc) from exc

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        """files.getUploadURLExternal, the upload, then files.completeUploadExternal."""
        try:
            self._client.files_upload_v2(
                channel=channel, file=content, filename=filename, title=title
            )
        except (SlackClientError, OSError) as exc:
            raise post_failed(exc) from exc


class PrintNotifier:
    """Prints what would be posted (replays, the demo, `evaluate` without a Slack token)."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._count = 0

    def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        self._count += 1
        where = f"{channel} (thread)" if thread_ts else channel
        self._write(f"→ {where}: {text}")
        return f"{self._count}.000000"

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self._write(f"↻ {channel} message {ts}: {text}")

    def upload(self, channel: str, filename: str, title: str, content: bytes) -> None:
        self._write(f"📎 {channel}: {filename} ({len(content) // 1024} KiB): {title}")
