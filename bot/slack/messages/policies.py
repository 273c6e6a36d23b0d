"""The message of a Slack policy action (DESIGN 9.5): the catalog's text, escaped."""

from bot.services.ports import Message, PolicyPresenter
from bot.slack.limits import SECTION_TEXT, cut
from bot.slack.rendering import Renderer, escape_mrkdwn


class PolicyMessages(PolicyPresenter):
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def action(self, text: str, event: str, service: str) -> Message:
        shown = cut(escape_mrkdwn(text), SECTION_TEXT)
        blocks = self._render(
            "policy_action.json.j2",
            text=shown,
            event=escape_mrkdwn(event),
            service=escape_mrkdwn(service),
        )
        return Message(shown, blocks)  # the fallback escaped like the blocks
