"""What people do with burn alerts in Slack: Acknowledge, Silence, and `/slo alerts`."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.slack.alert_messages import AlertMessages, alert_state
from bot.slack.ids import ACKNOWLEDGE, SILENCE_HOURS
from bot.slack.notifier import Notifier
from storage.alerts import AlertRepository


class AlertControls:
    def __init__(
        self,
        engine: Engine,
        notifier: Notifier,
        messages: AlertMessages,
        now: Callable[[], datetime],
    ) -> None:
        self._engine = engine
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
        now = self._now()
        with Session(self._engine) as session, session.begin():
            repo = AlertRepository(session)
            if action_id == ACKNOWLEDGE:
                changed = repo.acknowledge(episode, user, now)
            else:
                until = now + timedelta(hours=SILENCE_HOURS[action_id])
                changed = repo.silence(episode, until)
            found = repo.episode(episode)
        if not changed or found is None:
            return  # resolved meanwhile: the resolution already rewrote the message
        _, alert, _ = found
        state = self._messages.state_block(alert, now)
        blocks = [state if b.get("block_id") == "state" else b for b in message.get("blocks", [])]
        self._notifier.update(channel, message["ts"], message.get("text", ""), blocks)

    def firing_lines(self) -> list[str]:
        """One line per open burn alert, oldest first, for `/slo alerts`."""
        now = self._now()
        with Session(self._engine) as session:
            firing = AlertRepository(session).firing()
        return [
            f"*{slo}*: {alert.severity} · {alert_state(alert, now)}" for slo, alert, _, _ in firing
        ]
