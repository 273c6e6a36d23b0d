"""The buttons in templates are exactly the action IDs the app listens to (form inputs are
read from the submitted view, not listened to)."""

import re
from pathlib import Path

from bot.slack.ids import ACTION_IDS

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def test_template_buttons_match_the_listened_action_ids() -> None:
    found = {
        match
        for path in TEMPLATES.glob("*.j2")
        for match in re.findall(r'"type":\s*"button",\s*"action_id":\s*"([^"]+)"', path.read_text())
    }
    assert found == set(ACTION_IDS)
