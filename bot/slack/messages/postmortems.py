"""The messages a filed postmortem sends (its summary in the incident's threads, the direct
messages that tell owners of their actions), `/actions` lists and the action-item line."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain.actions import ActionItem, Postmortem
from bot.domain.incidents import Incident
from bot.services.ports import Message
from bot.slack.limits import MESSAGE_TEXT, cut
from bot.slack.rendering import Renderer, escape_mrkdwn


class PostmortemMessages:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def summary(self, incident: Incident, postmortem: Postmortem, by: str, today: date) -> Message:
        lines = [action_line(a, today) for a in postmortem.actions]
        return self.text(
            f":memo: *Postmortem of {incident.key}* by <@{by}>\n"
            f"*Summary:* {escape_mrkdwn(postmortem.summary)}\n"
            f"*Root cause:* {escape_mrkdwn(postmortem.root_cause)}"
            + (f"\n*Document:* {escape_mrkdwn(postmortem.link)}" if postmortem.link else "")
            + "\n*Actions:*\n"
            + "\n".join(lines)
        )

    def new_action(self, item: ActionItem, by: str, today: date) -> Message:
        return self.text(f"<@{by}> gave you a new action: {action_line(item, today)}")

    def owned(self, incident: Incident, items: list[ActionItem], today: date) -> Message:
        lines = "\n".join(action_line(a, today) for a in items)
        return self.text(f"You own actions from the postmortem of {incident.key}:\n{lines}")

    def text(self, mrkdwn: str) -> Message:
        """A message of mrkdwn that is escaped already (mentions stay mentions)."""
        return Message(cut(mrkdwn, MESSAGE_TEXT), self._render("text.json.j2", text=mrkdwn))

    def listing(
        self, title: str, items: Sequence[ActionItem], today: date, buttons: bool = True
    ) -> list[dict[str, Any]]:
        shown = [
            {"id": a.id, "text": action_line(a, today), "buttons": buttons} for a in items[:20]
        ]
        blocks: list[dict[str, Any]] = self._render(
            "action_list.json.j2", title=title, items=shown, hidden=max(0, len(items) - 20)
        )
        return blocks


def action_line(item: ActionItem, today: date) -> str:
    days = (item.deadline - today).days
    when = (
        f"*{-days} days overdue*"
        if days < 0
        else ("due today" if days == 0 else f"due in {days} days")
    )
    return (
        f"*{item.key}* {escape_mrkdwn(item.description)} · <@{item.owner}> · {item.priority} "
        f"{item.kind} · {when} ({item.deadline.isoformat()}) · INC-{item.incident_id}"
    )
