"""The burn alerts' buttons (Acknowledge, Silence) and `/slo alerts`: parse, ask the use
case, show the result in the message's state line."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.services.alert_responses import AlertResponses
from bot.services.ports import Notifier
from bot.slack.ids import ACKNOWLEDGE, SILENCE_HOURS
from bot.slack.messages.alerts import AlertMessages, alert_state


class AlertButtons:
    def __init__(
        self,
        responses: AlertResponses,
        notifier: Notifier,
        messages: AlertMessages,
        now: Callable[[], datetime],
    ) -> None:
        self._responses = responses
        self._notifier = notifier
        self._messages = messages
        self._now = now

    def pressed(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A button press as Slack sends it (parsed here, after the ack)."""
        self.press(
            action["action_id"],
            int(action["value"]),
            body["user"]["id"],
            body["channel"]["id"],
            body["message"],
        )

    def press(
        self, action_id: str, episode: int, user: str, channel: str, message: dict[str, Any]
    ) -> None:
        """Record the button press, then show it in the message's state line."""
        if action_id == ACKNOWLEDGE:
            alert = self._responses.acknowledge(episode, user)
        else:
            alert = self._responses.silence(episode, SILENCE_HOURS[action_id])
        if alert is None:
            return  # resolved meanwhile: the resolution already rewrote the message
        state = self._messages.state_block(alert, self._now())
        blocks = [state if b.get("block_id") == "state" else b for b in message.get("blocks", [])]
        self._notifier.update(channel, message["ts"], message.get("text", ""), blocks)

    def firing_lines(self) -> list[str]:
        """One line per open burn alert, oldest first, for `/slo alerts`."""
        now = self._now()
        return [
            f"*{slo}*: {alert.severity} · {alert_state(alert, now)}"
            for slo, alert in self._responses.firing()
        ]
