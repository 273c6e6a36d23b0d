"""manifest.yml asks for exactly the bot scopes the code needs: none missing, none extra.

The Web API methods are read from the source of bot/ and storage/ (any attribute named
like a slack_sdk WebClient method, client.api_call("..."), and bolt's say()), and each
WebClient method is resolved to the Web API methods it calls by reading WebClient's own
source, so files_upload_v2 counts as the two upload steps it makes.
"""

import ast
import functools
import inspect
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = ROOT / "manifest.yml"
SOURCE_DIRS = ("bot", "storage")

# The bot scopes each Web API method needs, by Slack's method name. Every row is taken
# from Slack's reference:
#   spec = slackapi/slack-api-specs, web-api/slack_web_openapi_v2.json,
#          paths["/<method>"].<verb>.security.slackAuth. It was last updated in 2021 and names
#          classic-app scopes (chat:write:bot); granular bot tokens ask for chat:write instead
#          (https://docs.slack.dev/reference/scopes/chat.write lists the chat.* methods below).
#   docs = https://docs.slack.dev/reference/methods/<method> ("Scopes", bot token), for
#          methods newer than the spec.
# A method the code calls that is missing here fails the test: add it with its scopes and
# their source, then add the scopes to manifest.yml.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    # spec: ["none"]
    "auth.test": frozenset(),
    # spec: ["chat:write:user", "chat:write:bot"] -> chat:write
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    # spec: ["none"]; docs: "No scopes required"
    "views.open": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
    # not in the spec (added in 2023); docs: bot token files:write
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
}

# Methods bolt itself may call: auth.test, when an App is given a token (token check) or
# authorizes with its default authorizer. It needs no scope.
FRAMEWORK_METHODS = frozenset({"auth.test"})

# The bot scopes each subscribed event needs. app_home_opened needs a bot user and no scope
# (https://api.slack.com/events/app_home_opened). An event missing here fails the test.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
}

# Needed by the slash commands the manifest declares, not by a Web API method
# (https://docs.slack.dev/reference/scopes/commands: "enables shortcuts and slash commands").
COMMANDS_SCOPE = "commands"

# chat.postMessage into a public channel the app is not a member of
# (https://docs.slack.dev/reference/scopes/chat:write.public; it requires chat:write).
# Burn alerts, incident cards and digests go to the team channels named in budgetbot.yaml,
# which nobody may have invited the app to (docs/digest.md), so it is allowed for as long
# as the code calls chat.postMessage.
PUBLIC_POST_SCOPE = "chat:write.public"

# Every method slack_sdk's WebClient defines, e.g. chat_postMessage, files_upload_v2.
WEB_CLIENT_METHODS = frozenset(
    name
    for name, member in vars(WebClient).items()
    if inspect.isfunction(member) and not name.startswith("_")
)


def _api_method_argument(call: ast.Call) -> str:
    """The Web API method named by an api_call(...) call, or a marker no table holds."""
    arguments = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "api_method"]
    for argument in arguments:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return argument.value
    return f"<api_call without a literal method name: {ast.unparse(call)}>"


@functools.cache
def api_methods_of(client_method: str) -> frozenset[str]:
    """The Web API methods a WebClient method calls, read from its source: its
    self.api_call("family.method") and the other WebClient methods it calls."""
    source = textwrap.dedent(inspect.getsource(getattr(WebClient, client_method)))
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner, name = node.func.value, node.func.attr
        if not (isinstance(owner, ast.Name) and owner.id == "self"):
            continue
        if name == "api_call":
            found.add(_api_method_argument(node))
        elif name in WEB_CLIENT_METHODS and name != client_method:
            found |= api_methods_of(name)
    return frozenset(found)


def _calls_name(node: ast.AST, name: str) -> bool:
    return any(
        isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == name
        for inner in ast.walk(node)
    )


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    args = node.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def web_api_methods_in(source: str) -> set[str]:
    """The Slack Web API methods a module calls, e.g. {"chat.postMessage"}.

    Counted: any attribute named like a WebClient method (called or passed on), any
    .api_call("family.method"), and bolt's say() (chat.postMessage) in a function that takes
    a `say` argument. Not counted: bolt's respond() and WebhookClient, which post to a
    response_url and need no scope.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in WEB_CLIENT_METHODS:
            resolved = api_methods_of(node.attr)
            found |= resolved or {f"<WebClient.{node.attr} calls no Web API method>"}
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "api_call"
        ):
            found.add(_api_method_argument(node))
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            and "say" in _parameters(node)
            and _calls_name(node, "say")
        ):
            found.add("chat.postMessage")
    return found


def methods_used_by_the_code() -> set[str]:
    used = set(FRAMEWORK_METHODS)
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            used |= web_api_methods_in(path.read_text(encoding="utf-8"))
    return used


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def used() -> set[str]:
    return methods_used_by_the_code()


def bot_scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def needed_scopes(manifest: dict[str, Any], used: set[str]) -> set[str]:
    """The scopes the code's methods, the manifest's events and its slash commands need."""
    needed: set[str] = set()
    for method in used:
        needed |= METHOD_SCOPES.get(method, frozenset())
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        needed |= EVENT_SCOPES.get(event, frozenset())
    if manifest["features"].get("slash_commands"):
        needed.add(COMMANDS_SCOPE)
    return needed


def test_every_method_the_code_calls_is_in_the_table(used: set[str]) -> None:
    unknown = used - METHOD_SCOPES.keys()
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {sorted(unknown)}"


def test_the_table_lists_only_methods_the_code_calls(used: set[str]) -> None:
    stale = METHOD_SCOPES.keys() - used
    assert not stale, f"nothing calls these any more; drop them from METHOD_SCOPES: {stale}"


def test_every_subscribed_event_is_in_the_table(manifest: dict[str, Any]) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    unknown = events - EVENT_SCOPES.keys()
    assert not unknown, f"add these events and their scopes to EVENT_SCOPES: {sorted(unknown)}"


def test_the_manifest_has_every_scope_the_code_needs(
    manifest: dict[str, Any], used: set[str]
) -> None:
    missing = needed_scopes(manifest, used) - bot_scopes(manifest)
    why = {
        scope: sorted(m for m in used if scope in METHOD_SCOPES.get(m, ())) or "events/commands"
        for scope in missing
    }
    assert not missing, f"manifest.yml lacks these bot scopes: {why}"


def test_the_manifest_asks_for_no_scope_the_code_does_not_need(
    manifest: dict[str, Any], used: set[str]
) -> None:
    allowed = needed_scopes(manifest, used)
    if "chat.postMessage" in used:
        allowed.add(PUBLIC_POST_SCOPE)
    extra = bot_scopes(manifest) - allowed
    assert not extra, f"no method, event or command the code has needs: {sorted(extra)}"


def test_chat_write_public_comes_with_chat_write(manifest: dict[str, Any]) -> None:
    scopes = bot_scopes(manifest)
    if PUBLIC_POST_SCOPE in scopes:
        assert "chat:write" in scopes


def test_the_scope_list_has_no_duplicates(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))


def test_files_upload_v2_is_the_two_external_upload_steps() -> None:
    # With a newer slack_sdk that also calls files.info, this fails: files:read is then needed.
    assert api_methods_of("files_upload_v2") == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }


def test_client_methods_resolve_to_their_web_api_methods() -> None:
    assert api_methods_of("chat_postMessage") == {"chat.postMessage"}
    assert api_methods_of("views_publish") == {"views.publish"}
    assert "chat_postMessage" in WEB_CLIENT_METHODS
    assert "custom_query" not in WEB_CLIENT_METHODS


def test_the_scanner_finds_slack_calls_and_ignores_others() -> None:
    source = """
client.chat_postMessage(channel=c, blocks=b)
await self._client.views_publish(user_id=u, view=v)
post = web.chat_update
client.api_call("conversations.open", json={})
client.api_call(api_method="users.info")

def listener(ack, say, respond):
    ack()
    say(text="hi")
    respond(text="at the response_url")

def say(tell, text):
    tell(text)

say(tell, "not bolt's say")
WebhookClient(url).send(text="x")
prometheus.custom_query(promql, params=params)
"""
    assert web_api_methods_in(source) == {
        "chat.postMessage",
        "views.publish",
        "chat.update",
        "conversations.open",
        "users.info",
    }
    assert web_api_methods_in("client.files_upload_v2(channel=c, file=b)") == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
    assert web_api_methods_in("respond(text='x')\nclient.custom_query(q)") == set()


def test_a_dynamic_api_call_is_never_taken_for_a_known_method() -> None:
    (found,) = web_api_methods_in("client.api_call(name, json={})")
    assert found not in METHOD_SCOPES
