"""Who is in which channel, and where the bot may post, like a real Slack workspace.

Channel IDs tell the kind: "C..." a public channel, "G..." a private channel (or a
group DM), "D..." a direct message. The bot's scopes come from manifest.yml, the app's
real configuration.

Where the bot may post (chat.postMessage, chat.update, files.completeUploadExternal):

- a public channel: always, with `chat:write.public` (which manifest.yml asks for:
  https://docs.slack.dev/reference/scopes/chat.write.public, "send messages to channels
  your Slack app isn't a member of"); without that scope only once invited, else
  `not_in_channel` ("Cannot post user messages to a channel they are not in", in
  chat.postMessage's error list: https://docs.slack.dev/reference/methods/chat.postMessage).
- a private channel or a DM: only once the bot is a member (invited, or the DM opened
  with conversations.open or by posting to a user ID). Otherwise Slack answers
  `channel_not_found` ("Value passed for channel was invalid"), not `not_in_channel`:
  to a bot outside it, a private conversation does not exist, and chat:write.public
  does not reach it. The stand-in answers the same.

chat.postEphemeral (https://docs.slack.dev/reference/methods/chat.postEphemeral): the
same rule for the channel, and the user must be a member of it when the stand-in knows
the members (`add_members`, a DM's two people); where it does not, any user passes.
Otherwise `user_not_in_channel`.

A channel that is no ID (a name such as "#general") is taken for a public channel.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
PUBLIC_POSTING_SCOPE = "chat:write.public"

ChannelKind = Literal["public", "private", "dm"]


def manifest_bot_scopes(manifest: Path = MANIFEST) -> frozenset[str]:
    """The bot scopes manifest.yml asks for."""
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return frozenset(document["oauth_config"]["scopes"]["bot"])


def channel_kind(channel: str) -> ChannelKind:
    """public ("C..." or a name), private ("G...") or dm ("D...")."""
    if channel.startswith("G"):
        return "private"
    if channel.startswith("D"):
        return "dm"
    return "public"


class Workspace:
    """The bot's memberships and the members the tests declared; not thread-safe."""

    def __init__(self, bot_user: str, scopes: Iterable[str]) -> None:
        self.bot_user = bot_user
        self.scopes = frozenset(scopes)
        self._bot_in: set[str] = set()
        self._members: dict[str, set[str]] = {}

    @property
    def bot_channels(self) -> frozenset[str]:
        return frozenset(self._bot_in)

    @property
    def members(self) -> dict[str, frozenset[str]]:
        return {channel: frozenset(users) for channel, users in self._members.items()}

    def invite(self, channel: str) -> None:
        self._bot_in.add(channel)
        if channel in self._members:
            self._members[channel].add(self.bot_user)

    def remove(self, channel: str) -> None:
        self._bot_in.discard(channel)
        if channel in self._members:
            self._members[channel].discard(self.bot_user)

    def add_members(self, channel: str, users: Iterable[str]) -> None:
        known = self._members.setdefault(channel, set())
        known.update(users)
        if channel in self._bot_in:
            known.add(self.bot_user)

    def open_conversation(self, channel: str, users: Iterable[str]) -> None:
        """A DM or group DM the bot opened: it and `users` are its members."""
        self.invite(channel)
        self.add_members(channel, [*users, self.bot_user])

    def post_refusal(self, channel: str) -> str | None:
        """The error Slack answers the bot posting to `channel`; None when it may."""
        if channel in self._bot_in:
            return None
        if channel_kind(channel) == "public":
            return None if PUBLIC_POSTING_SCOPE in self.scopes else "not_in_channel"
        return "channel_not_found"

    def ephemeral_refusal(self, channel: str, user: str) -> str | None:
        """The error Slack answers an ephemeral message to `user` in `channel`."""
        refusal = self.post_refusal(channel)
        if refusal is not None:
            return refusal
        members = self._members.get(channel)
        if members is not None and user not in members:
            return "user_not_in_channel"
        return None
