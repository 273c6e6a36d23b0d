"""Action-item reminder messages (the chat side of bot.services.reminders)."""

from datetime import date

from bot.domain.actions import ActionItem
from bot.services.ports import Message
from bot.slack.messages.postmortems import action_line
from bot.slack.rendering import Renderer

SHOWN = 45  # lines of one reminder: one section each, inside a message's 50 blocks


class ReminderMessages:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def line(self, item: ActionItem, today: date) -> str:
        return action_line(item, today)

    def reminder(self, intro: str, lines: list[str]) -> Message:
        shown = lines[:SHOWN]
        if len(lines) > SHOWN:
            shown.append(f"…and {len(lines) - SHOWN} more: `/actions` lists them all")
        blocks = self._render("action_reminder.json.j2", intro=intro, lines=shown)
        return Message(intro, blocks)
