"""Postmortem and action-item work that ends in Slack: replies, thread posts, DMs, the Home tab."""

import json
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.actions import NewAction
from bot.services.postmortems import Postmortems
from bot.slack.background import teller
from bot.slack.limits import MESSAGE_TEXT, cut, echo
from bot.slack.notifier import Notifier
from bot.slack.postmortem_views import PostmortemViews, action_line
from bot.slack.rendering import Renderer, chunk_blocks, escape_mrkdwn
from bot.slack.slo_command import Reply, notice
from storage.incident_cards import CardRepository


class PostmortemDesk:
    def __init__(
        self,
        postmortems: Postmortems,
        views: PostmortemViews,
        renderer: Renderer,
        notifier: Notifier,
        engine: Engine,
        home: Callable[[str], dict[str, Any]],
    ) -> None:
        self.postmortems = postmortems
        self.views = views
        self._render = renderer.render
        self._notifier = notifier
        self._engine = engine
        self._home = home

    def notice(self, text: str) -> Reply:
        return notice(self._render, text)

    def answer(self, text: str, user: str) -> list[Reply]:
        """/actions [team <t>|overdue|done <id>]; `add` opens a form in the listener."""
        words = text.split()
        sub = words[0].lower() if words else "mine"
        today = self.postmortems.today()
        if sub == "mine":
            items, title = self.postmortems.mine(user), "Your open action items"
        elif sub == "team" and len(words) > 1:
            team = words[1]
            if team not in self.postmortems.catalog.teams:
                return [self.notice(f"There is no team `{echo(team)}` in the catalog.")]
            items, title = self.postmortems.of_team(team), f"Open action items of {team}"
        elif sub == "overdue":
            items, title = self.postmortems.overdue(), "Overdue action items"
        elif sub == "done" and len(words) > 1 and _number(words[1]) is not None:
            done = self.postmortems.complete(_number(words[1]) or 0, user)
            return [
                self.notice(
                    f"ACT-{_number(words[1])} is done." if done else "That action is not open."
                )
            ]
        else:
            return [self.notice(HELP)]
        blocks = self.views.listing(title, items, today)
        return [Reply(title, part) for part in chunk_blocks(blocks)]

    def submit(
        self, metadata: dict[str, Any], texts: dict[str, str], actions: list[NewAction], user: str
    ) -> None:
        """After a valid form: store it, reply in the incident's threads, tell each owner."""
        incident_id = int(metadata["incident"])
        if metadata.get("only_actions"):
            for action in actions:
                item = self.postmortems.add(incident_id, action, user)
                if item:
                    line = action_line(item, self.postmortems.today())
                    self._dm(item.owner, f"<@{user}> gave you a new action: {line}")
            return
        written = self.postmortems.write(incident_id, texts, actions, user)
        if written is None:
            return  # written before (a resubmitted form)
        post = written.postmortem
        lines = [action_line(a, self.postmortems.today()) for a in post.actions]
        summary = (
            f":memo: *Postmortem of {written.incident.key}* by <@{user}>\n"
            f"*Summary:* {escape_mrkdwn(post.summary)}\n"
            f"*Root cause:* {escape_mrkdwn(post.root_cause)}"
            + (f"\n*Document:* {escape_mrkdwn(post.link)}" if post.link else "")
            + "\n*Actions:*\n"
            + "\n".join(lines)
        )
        message = self._text(summary)
        with Session(self._engine) as session:
            cards = CardRepository(session).cards(incident_id)
        for channel, ts in cards:  # the incident's threads: the team channel and where declared
            self._notifier.post(channel, message.text, message.blocks, ts)
        for owner in sorted({a.owner for a in post.actions}):
            mine = [
                action_line(a, self.postmortems.today()) for a in post.actions if a.owner == owner
            ]
            self._dm(
                owner,
                f"You own actions from the postmortem of {written.incident.key}:\n"
                + "\n".join(mine),
            )

    def pressed(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Done / Snooze a week from a list or the Home tab; the viewer sees the result."""
        user = body.get("user", {}).get("id", "")
        action_id = _number(str(action.get("value", "")))
        if action_id is None:
            return
        if action["action_id"] == "action_done":
            changed = self.postmortems.complete(action_id, user)
            text = f"ACT-{action_id} is done." if changed else "That action is not open."
        else:
            changed = self.postmortems.snooze(action_id, user)
            text = f"ACT-{action_id} waits a week." if changed else "That action is not open."
        if body.get("view", {}).get("type") == "home":
            client.views_publish(user_id=user, view=self._home(user))
            return
        teller(body, client)(text)  # the action's own response_url works in every channel

    def _dm(self, user: str, text: str) -> None:
        message = self._text(text)
        self._notifier.post(user, message.text, message.blocks)

    def _text(self, mrkdwn: str) -> Reply:
        """A message of mrkdwn that is escaped already (mentions stay mentions)."""
        return Reply(cut(mrkdwn, MESSAGE_TEXT), self._render("text.json.j2", text=mrkdwn))


HELP = (
    "`/actions`: your open action items\n`/actions team <team>`: a team's\n"
    "`/actions overdue`: every overdue one\n`/actions done <id>`: close one (ACT-7 or 7)\n"
    "`/actions add <incident id>`: a form for one more action"
)


def _number(text: str) -> int | None:
    digits = text.upper().removeprefix("ACT-").removeprefix("INC-")
    return int(digits) if digits.isdigit() else None


def metadata_of(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view.get("private_metadata") or "{}"))
