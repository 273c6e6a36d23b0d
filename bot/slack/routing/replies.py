"""What the routers share: notices of plain words, and sending replies to a response_url."""

import logging
from collections.abc import Callable
from typing import Any

from bot.services.ports import Message
from bot.slack.limits import MESSAGE_TEXT, cut
from bot.slack.rendering import escape_mrkdwn

log = logging.getLogger("budgetbot.slack")

RESPONSE_POSTS = 5  # Slack takes 5 posts to one response_url in 30 minutes


def reply_all(respond: Callable[..., object], replies: list[Message]) -> None:
    """Send replies to a response_url, at most RESPONSE_POSTS of them (Slack drops more)."""
    if len(replies) > RESPONSE_POSTS:
        log.error("%d replies for one response_url: only %d sent", len(replies), RESPONSE_POSTS)
    for reply in replies[:RESPONSE_POSTS]:
        respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def notice(render: Callable[..., Any], text: str) -> Message:
    """A one-section notice of plain words, escaped in its blocks and its fallback text."""
    return Message(cut(escape_mrkdwn(text), MESSAGE_TEXT), render("notice.json.j2", text=text))
