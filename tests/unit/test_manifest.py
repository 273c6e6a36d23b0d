"""manifest.yml agrees with the code: commands, events, endpoint, scopes and Slack's limits."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from slack_sdk import WebClient

from bot.slack.ids import ACTION_IDS, EVENTS, SLASH_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "manifest.yml"
ENDPOINT_PATH = "/slack/events"

# Bot scopes each Slack Web API method needs (WebClient's snake_case method names).
# A method the code calls that is missing here fails the test: add it with its scopes
# (https://api.slack.com/methods) and add those scopes to manifest.yml.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "chat_delete": frozenset({"chat:write"}),
    "chat_scheduleMessage": frozenset({"chat:write"}),
    "chat_getPermalink": frozenset(),
    "views_publish": frozenset(),
    "views_open": frozenset(),
    "views_update": frozenset(),
    "views_push": frozenset(),
    "conversations_open": frozenset({"im:write"}),
    "conversations_info": frozenset({"channels:read"}),
    "conversations_join": frozenset({"channels:join"}),
    "files_upload": frozenset({"files:write"}),
    "files_upload_v2": frozenset({"files:write"}),
    "files_getUploadURLExternal": frozenset({"files:write"}),
    "files_completeUploadExternal": frozenset({"files:write"}),
    "users_info": frozenset({"users:read"}),
    "users_list": frozenset({"users:read"}),
    "users_lookupByEmail": frozenset({"users:read", "users:read.email"}),
    "reactions_add": frozenset({"reactions:write"}),
}

# Bot scopes each subscribed event needs; an event missing here fails the test.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "message.im": frozenset({"im:history"}),
    "message.channels": frozenset({"channels:history"}),
}

# Every Web API method WebClient knows, e.g. chat_postMessage, files_upload_v2.
WEB_API_METHODS = frozenset(name for name in vars(WebClient) if not name.startswith("_"))
_ATTRIBUTE_CALL = re.compile(r"\.\s*([A-Za-z_]\w*)\s*\(")
_API_CALL = re.compile(r"""\bapi_call\(\s*(?:api_method\s*=\s*)?["']([\w.]+)["']""")
_SAY_CALL = re.compile(r"(?<![\w.])say\s*\(")  # Bolt's say() is chat.postMessage


def web_api_methods_called(source: str) -> set[str]:
    """The Slack Web API methods a piece of Python source calls, as snake_case names."""
    found = {name for name in _ATTRIBUTE_CALL.findall(source) if name in WEB_API_METHODS}
    found |= {name.replace(".", "_") for name in _API_CALL.findall(source)}
    if _SAY_CALL.search(source):
        found.add("chat_postMessage")
    return found


def methods_used_by_bot() -> set[str]:
    used: set[str] = set()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        used |= web_api_methods_called(path.read_text(encoding="utf-8"))
    return used


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


def bot_scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


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


def test_scopes_cover_the_web_api_methods_the_code_calls(manifest: dict[str, Any]) -> None:
    used = methods_used_by_bot()
    unknown = used - METHOD_SCOPES.keys()
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {sorted(unknown)}"
    missing = {
        method: sorted(METHOD_SCOPES[method] - bot_scopes(manifest))
        for method in used
        if METHOD_SCOPES[method] - bot_scopes(manifest)
    }
    assert not missing, f"manifest.yml lacks scopes for: {missing}"


def test_scopes_cover_the_events_and_commands(manifest: dict[str, Any]) -> None:
    scopes = bot_scopes(manifest)
    unknown = set(EVENTS) - EVENT_SCOPES.keys()
    assert not unknown, f"add these events and their scopes to EVENT_SCOPES: {sorted(unknown)}"
    for event in EVENTS:
        assert EVENT_SCOPES[event] <= scopes, event
    if SLASH_COMMANDS:
        assert "commands" in scopes


def test_scope_list_has_no_duplicates(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))


def test_method_table_names_real_web_api_methods() -> None:
    assert set(METHOD_SCOPES) <= WEB_API_METHODS


def test_the_call_scanner_finds_slack_calls_and_ignores_others() -> None:
    source = """
client.chat_postMessage(channel=c, blocks=b)
await self._client.views_publish(user_id=u, view=v)
web.files_upload_v2(
    channel=c, content=x)
client.api_call("conversations.open", json={})
say(text="hi")
prometheus.custom_query(promql, params=params)
self.say_hello(1)
"""
    assert web_api_methods_called(source) == {
        "chat_postMessage",
        "views_publish",
        "files_upload_v2",
        "conversations_open",
    }
    assert web_api_methods_called("respond(text='x')\nclient.custom_query(q)") == set()


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
