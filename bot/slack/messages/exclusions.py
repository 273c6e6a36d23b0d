"""Exclusion messages: the team channel's notice, and `/slo exclusions` with Cancel."""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.domain.exclusions import Exclusion
from bot.services.ports import Message
from bot.slack.limits import SECTION_TEXT, cut
from bot.slack.rendering import Renderer, chunk_blocks, escape_mrkdwn
from bot.slack.routing.replies import notice

SHOWN = 40  # exclusions listed: one section each, inside a message's 50 blocks
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def mention(user: str | None) -> str:
    """`<@U…>` for a Slack user id; anything else is shown as text, escaped."""
    if user and _USER.match(user):
        return f"<@{user}>"
    return escape_mrkdwn(user or "someone")


def span(exclusion: Exclusion, start: datetime) -> str:
    """ "Sun 22 Mar 02:00-04:00 UTC" (the end's date too when it is another day)."""
    begin = start.astimezone(UTC)
    end = begin + timedelta(seconds=exclusion.duration)
    tail = f"{end:%H:%M}" if end.date() == begin.date() else f"{end:%a %d %b %H:%M}"
    return f"{begin:%a %d %b %H:%M}-{tail} UTC"


def recurring(exclusion: Exclusion) -> str:
    return f", repeating {escape_mrkdwn(exclusion.recurrence)}" if exclusion.recurrence else ""


class ExclusionMessages:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def notice(self, text: str) -> Message:
        """Plain words for the person who asked, escaped."""
        return notice(self._render, text)

    def _text(self, line: str) -> Message:
        line = cut(line, SECTION_TEXT)
        return Message(line, self._render("text.json.j2", text=line))

    def added(self, exclusion: Exclusion, slos: list[str]) -> Message:
        return self._text(
            f":no_entry_sign: *{escape_mrkdwn(exclusion.name)}*: "
            f"{escape_mrkdwn(', '.join(slos))} excluded {span(exclusion, exclusion.start)}"
            f"{recurring(exclusion)} by {mention(exclusion.created_by)}: "
            f"{escape_mrkdwn(exclusion.reason)}"
        )

    def cancelled(self, exclusion: Exclusion, by: str) -> Message:
        return self._text(
            f":leftwards_arrow_with_hook: *{escape_mrkdwn(exclusion.name)}* "
            f"({span(exclusion, exclusion.start)}) cancelled by {mention(by)}: "
            "its events count again"
        )

    def listing(
        self,
        exclusions: Sequence[Exclusion],
        covered: Callable[[Exclusion], list[str]],
        may_cancel: Callable[[Exclusion], bool],
        at: datetime,
    ) -> list[Message]:
        """The coming and current exclusions, soonest first; Cancel on stored ones the
        person may cancel."""
        rows = []
        for e in exclusions[:SHOWN]:
            following = e.next_start(at) or e.start
            state = "now" if following <= at else span(e, following)
            line = (
                f"*{escape_mrkdwn(e.name)}* ({e.source}): {escape_mrkdwn(', '.join(covered(e)))}"
                f" · {state}{recurring(e)} · {escape_mrkdwn(e.reason)}"
            )
            cancel = e.id is not None and may_cancel(e)
            rows.append({"line": cut(line, SECTION_TEXT), "id": e.id if cancel else None})
        blocks = self._render(
            "exclusion_list.json.j2",
            rows=rows,
            hidden=max(0, len(exclusions) - SHOWN),
        )
        title = f"Budget exclusions: {len(exclusions)} coming or current"
        return [Message(title, part) for part in chunk_blocks(blocks)]
