"""The postmortem form and the reassign form; reading the postmortem form back."""

import json
from datetime import date
from typing import Any

from bot.domain.actions import ActionItem, ActionKind, NewAction, Priority
from bot.domain.incidents import Incident
from bot.slack.rendering import Renderer, escape_mrkdwn

MAX_ACTIONS = 15  # 5 base fields + 6 blocks per action + a button stay under 100 blocks


class PostmortemForms:
    def __init__(self, renderer: Renderer) -> None:
        self._render = renderer.render

    def form(
        self, incident: Incident, count: int = 1, only_actions: bool = False
    ) -> dict[str, Any]:
        """The postmortem form of an incident with `count` action items (or actions only)."""
        count = max(1, min(count, MAX_ACTIONS))
        view: dict[str, Any] = self._render(
            "postmortem_form.json.j2",
            key=incident.key,
            metadata=json.dumps(
                {"incident": incident.id, "count": count, "only_actions": only_actions}
            ),
            count=count,
            more=count < MAX_ACTIONS,
            only_actions=only_actions,
        )
        if only_actions:
            view["title"]["text"] = f"Action for {incident.key}"[:24]
            view["submit"]["text"] = "Add"
        return view

    def reassign_form(self, item: ActionItem) -> dict[str, Any]:
        view: dict[str, Any] = self._render(
            "action_reassign.json.j2",
            key=item.key,
            id=item.id,
            text=f"*{item.key}* {escape_mrkdwn(item.description)} (now <@{item.owner}>)",
        )
        return view


def read_form(
    view: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str], list[NewAction], dict[str, str]]:
    """(metadata, text fields, actions, problems that parsing found) of a submitted form."""
    values = view["state"]["values"]
    metadata = json.loads(view.get("private_metadata") or "{}")

    def element(block: str) -> dict[str, Any]:
        return dict(values.get(block, {}).get("value", {}))

    texts = {
        name: (element(name).get("value") or "").strip()
        for name in ("summary", "root_cause", "went_well", "went_badly", "link")
    }
    actions, problems = [], {}
    for i in range(int(metadata.get("count", 1))):
        prefix = f"action-{i}"
        deadline = element(f"{prefix}-deadline").get("selected_date")
        priority = (element(f"{prefix}-priority").get("selected_option") or {}).get("value")
        kind = (element(f"{prefix}-kind").get("selected_option") or {}).get("value")
        if not deadline:
            problems[f"{prefix}-deadline"] = "Choose a deadline."
        actions.append(
            NewAction(
                description=(element(f"{prefix}-description").get("value") or "").strip(),
                owner=element(f"{prefix}-owner").get("selected_user") or "",
                deadline=date.fromisoformat(deadline) if deadline else date.min,
                priority=Priority(priority or "P2"),
                kind=ActionKind(kind or "prevent"),
            )
        )
    return metadata, texts, actions, problems
