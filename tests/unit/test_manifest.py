"""manifest.yml agrees with the code: commands, events, endpoint and Slack's limits.

Its bot scopes are checked by test_manifest_scopes.py.
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from bot.slack.ids import ACTION_IDS, EVENTS, SLASH_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "manifest.yml"
ENDPOINT_PATH = "/slack/events"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_urls(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every (key path, value) in the manifest whose key is url or request_url."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key in ("url", "request_url"):
                found.append((here, value))
            found += all_urls(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += all_urls(item, f"{path}[{index}]")
    return found


def test_metadata_and_top_comment(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    header = MANIFEST_PATH.read_text(encoding="utf-8").split("_metadata:")[0]
    assert all(line.startswith("#") for line in header.splitlines() if line.strip())
    assert "budgetbot.example.com" in header
    assert "socket_mode_enabled" in header


def test_slash_commands_are_exactly_the_ones_the_code_listens_to(
    manifest: dict[str, Any],
) -> None:
    commands = [entry["command"] for entry in manifest["features"]["slash_commands"]]
    assert len(commands) == len(set(commands)), "a slash command is listed twice"
    assert set(commands) - set(SLASH_COMMANDS) == set(), "in manifest.yml but not in ids.py"
    assert set(SLASH_COMMANDS) - set(commands) == set(), "in ids.py but not in manifest.yml"


def test_slash_commands_fit_slack_limits(manifest: dict[str, Any]) -> None:
    for entry in manifest["features"]["slash_commands"]:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", entry["command"])
        assert 0 < len(entry["description"]) <= 2000
        assert len(entry.get("usage_hint", "")) <= 1000
        assert entry["should_escape"] is False


def test_bot_events_are_exactly_the_ones_the_code_listens_to(manifest: dict[str, Any]) -> None:
    bot_events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert len(bot_events) == len(set(bot_events))
    assert set(bot_events) == set(EVENTS)


def test_every_url_is_the_one_events_endpoint(manifest: dict[str, Any]) -> None:
    urls = all_urls(manifest)
    # slash command url, event_subscriptions.request_url, interactivity.request_url
    assert len(urls) == len(SLASH_COMMANDS) + 2
    assert len({value for _, value in urls}) == 1, urls
    for where, value in urls:
        parsed = urlparse(value)
        assert parsed.scheme == "https", where
        assert parsed.path == ENDPOINT_PATH, where


def test_interactivity_is_on(manifest: dict[str, Any]) -> None:
    # Modal submissions and buttons (ACTION_IDS) both arrive through interactivity.
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    if ACTION_IDS:
        assert interactivity["request_url"]


def test_socket_mode_is_off_by_default(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_app_home_tab_is_on(manifest: dict[str, Any]) -> None:
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True


def test_display_information_fits_slack_limits(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "budgetbot"
    assert len(info["name"]) <= 35
    assert 0 < len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])
    bot_user = manifest["features"]["bot_user"]
    assert bot_user["display_name"] == "budgetbot"
    assert re.fullmatch(r"[a-z0-9._-]{1,80}", bot_user["display_name"])
    assert bot_user["always_online"] is True
