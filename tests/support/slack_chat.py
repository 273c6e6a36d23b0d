"""The stand-in's chat.* methods: who may post where, Block Kit limits, live messages.

chat.postMessage, chat.update, chat.postEphemeral and chat.delete answer like Slack,
refusing what a real workspace refuses (tests/support/slack_workspace.py) and what breaks
Block Kit's limits (tests/support/slack_limits.py), each refusal recorded as a Violation.
"""

from collections.abc import Mapping
from typing import Any

from tests.support.slack_limits import block_kit_problems
from tests.support.slack_state import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, StandInState
from tests.support.slack_workspace import channel_kind


class ChatMethods(StandInState):
    """chat.* of the Web API, and the refusals the other posting methods share."""

    def _refused(self, method: str, error: str, why: str, body: dict[str, Any]) -> dict[str, Any]:
        """A membership refusal: recorded, and answered the way Slack answers it."""
        self._violation(method, [f"{error}: {why}"], body, error)
        return {"ok": False, "error": error}

    def _post_refusal(
        self, method: str, channel: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        raw = body.get("channel") or body.get("channel_id")
        with self._lock:
            if isinstance(raw, str) and raw[:1] in "UW":  # posting to a user opens the DM
                self._workspace.open_conversation(channel, [raw])
            error = self._workspace.post_refusal(channel)
        if error is None:
            return None
        return self._refused(method, error, not_a_member(channel), body)

    def _blocks_rejected(
        self, method: str, kind: str, payload: Mapping[str, Any], body: dict[str, Any]
    ) -> dict[str, Any] | None:
        problems = block_kit_problems(kind, payload)
        if not problems:
            return None
        self._violation(method, problems, body)
        return {
            "ok": False,
            "error": "invalid_blocks",
            "errors": problems,
            "response_metadata": {"messages": [f"[ERROR] {problem}" for problem in problems]},
        }

    def _message(self, body: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": body.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if body.get(key) is not None:
                message[key] = body[key]
        return message

    def _chat_post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = channel_id(body.get("channel"))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        refused = self._post_refusal("chat.postMessage", channel, body)
        if refused:
            return refused
        if not any(body.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        rejected = self._blocks_rejected("chat.postMessage", "message", body, body)
        if rejected:
            return rejected
        ts = self._new_ts()
        message = self._message(body, ts)
        with self._lock:
            self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = channel_id(body.get("channel")), body.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            posted = isinstance(ts, str) and (channel, ts) in self._messages
        if not posted:
            return {"ok": False, "error": "message_not_found"}
        assert isinstance(ts, str)
        rejected = self._blocks_rejected("chat.update", "message", body, body)
        if rejected:
            return rejected
        message = self._message(body, ts)
        with self._lock:
            self._messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _chat_post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, user = channel_id(body.get("channel")), body.get("user")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(user, str) or not user:
            return {"ok": False, "error": "user_not_in_channel"}
        with self._lock:
            error = self._workspace.ephemeral_refusal(channel, user)
        if error == "user_not_in_channel":
            why = f"{user} is not a member of {channel}"
            return self._refused("chat.postEphemeral", error, why, body)
        if error is not None:
            return self._refused("chat.postEphemeral", error, not_a_member(channel), body)
        if not any(body.get(key) for key in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        rejected = self._blocks_rejected("chat.postEphemeral", "message", body, body)
        if rejected:
            return rejected
        return {"ok": True, "message_ts": self._new_ts()}

    def _chat_delete(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = channel_id(body.get("channel")), body.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            deleted = isinstance(ts, str) and self._messages.pop((channel, ts), None) is not None
        if not deleted:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "ts": ts}


def channel_id(channel: Any) -> str | None:
    """A channel as Slack answers it: a user ID (U.../W...) means the DM with that user."""
    if not isinstance(channel, str) or not channel:
        return None
    return f"D{channel}" if channel[0] in "UW" else channel


def not_a_member(channel: str) -> str:
    kind = channel_kind(channel)
    if kind == "dm":
        return f"the bot has no DM {channel} (conversations.open, or post to the user's ID)"
    return f"the bot is not a member of {kind} channel {channel} (SlackStandIn.invite)"
