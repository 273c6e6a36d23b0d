"""`/actions`, the postmortem form's submission and the Done/Snooze buttons: parse, call
the use cases, answer (a reply, the Home tab)."""

import json
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.domain.actions import NewAction
from bot.services.ports import Message
from bot.services.postmortem_filing import PostmortemFiling
from bot.services.postmortems import Postmortems
from bot.slack.background import teller
from bot.slack.forms.postmortems import PostmortemForms
from bot.slack.limits import echo
from bot.slack.messages.postmortems import PostmortemMessages
from bot.slack.rendering import Renderer, chunk_blocks
from bot.slack.routing.replies import notice


class PostmortemCommands:
    def __init__(
        self,
        postmortems: Postmortems,
        forms: PostmortemForms,
        messages: PostmortemMessages,
        renderer: Renderer,
        filing: PostmortemFiling,
        home: Callable[[str], dict[str, Any]],
    ) -> None:
        self.postmortems = postmortems
        self.forms = forms
        self._messages = messages
        self._render = renderer.render
        self._filing = filing
        self._home = home

    def notice(self, text: str) -> Message:
        return notice(self._render, text)

    def answer(self, text: str, user: str) -> list[Message]:
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
        blocks = self._messages.listing(title, items, today)
        return [Message(title, part) for part in chunk_blocks(blocks)]

    def submit(
        self, metadata: dict[str, Any], texts: dict[str, str], actions: list[NewAction], user: str
    ) -> None:
        """After a valid form: store it, reply in the incident's threads, tell each owner."""
        incident_id = int(metadata["incident"])
        if metadata.get("only_actions"):
            self._filing.add_actions(incident_id, actions, user)
        else:
            self._filing.write(incident_id, texts, actions, user)

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
