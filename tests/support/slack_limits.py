"""Block Kit limits, checked the way Slack checks them (docs/slack.md).

`block_kit_problems(kind, payload)` is every limit a message or view breaks, worded like
Slack's `invalid_blocks` errors (`<message> [json-pointer:<path>]`); [] when valid. It
joins two checkers:

- the hand-written checks here (`limit_problems`), from Slack's Block Kit reference
  (https://docs.slack.dev/reference/block-kit): block counts, text objects, sections,
  headers, context, actions, inputs, images, buttons, the option elements, views;
- slack_sdk's own Block Kit models (`tests/support/slack_models.py`): every block parsed
  with `Block.parse`, every view with `View`, and `validate_json()` on all of it. Its
  docstring lists which limits slack_sdk covers and which only the hand-written checks
  see.

A limit both catch is reported twice, once by each (the slack_sdk line names the model).

Options (https://docs.slack.dev/reference/block-kit/composition-objects/option-object and
option-group-object, and the select menu, multi-select, radio button group, checkbox
group and overflow menu element pages): static_select / multi_static_select take 1 to
100 `options` or 1 to 100 `option_groups` (each a plain_text label of at most 75
characters and 1 to 100 options), not both; radio_buttons and checkboxes 1 to 10
options; overflow 1 to 5. An option has a text of at most 75 characters (plain_text in
menus and overflow, mrkdwn allowed in radio buttons and checkboxes), a value of at most
150 characters, an optional description of at most 75 and, in overflow menus only, a url
of at most 3000. `initial_option` / `initial_options` must be among the options (same
value and same text). external_select and the user / channel / conversation menus have
no options.
"""

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.support.slack_models import blocks_model_problems, view_model_problems

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
BLOCK_ID = 255
ACTION_ID = 255
INPUT_LABEL = 2000
IMAGE_ALT_TEXT = 2000
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
PLACEHOLDER = 150
SELECT_OPTIONS = 100
OPTION_GROUPS = 100
OPTION_GROUP_LABEL = 75
GROUP_OPTIONS = 100
RADIO_OPTIONS = 10
CHECKBOX_OPTIONS = 10
OVERFLOW_OPTIONS = 5
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
OPTION_URL = 3000

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "call",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
VIEW_TYPES = frozenset({"modal", "home"})

# The elements that carry options: (most options, menus: option_groups allowed,
# the field of the preselected option(s), mrkdwn allowed in option texts).
OPTION_ELEMENTS: dict[str, tuple[int, bool, str | None, bool]] = {
    "static_select": (SELECT_OPTIONS, True, "initial_option", False),
    "multi_static_select": (SELECT_OPTIONS, True, "initial_options", False),
    "radio_buttons": (RADIO_OPTIONS, False, "initial_option", True),
    "checkboxes": (CHECKBOX_OPTIONS, False, "initial_options", True),
    "overflow": (OVERFLOW_OPTIONS, False, None, False),
}


def block_kit_problems(kind: str, payload: Mapping[str, Any]) -> list[str]:
    """Every Block Kit limit `payload` breaks, worded like Slack's errors; [] when valid.

    `kind` is "message" (a chat.* or response_url body: its "blocks" are checked, at most
    50), or "modal" / "home" (`payload` is the view itself: at most 100 blocks, title,
    private_metadata ...), or "view" (the view's own "type" decides). "blocks" may be a
    JSON string, as in form-encoded bodies. The hand-written problems come first, then
    slack_sdk's.
    """
    problems = limit_problems(kind, payload)
    if kind == "message":
        blocks = _json_value(payload.get("blocks"), "/blocks", [])
        return problems + blocks_model_problems(blocks)
    if payload.get("type") in VIEW_TYPES:
        return problems + view_model_problems(payload)
    return problems


def limit_problems(kind: str, payload: Mapping[str, Any]) -> list[str]:
    """The hand-written checks alone (see block_kit_problems)."""
    problems: list[str] = []
    if kind == "message":
        blocks = _json_value(payload.get("blocks"), "/blocks", problems)
        if blocks is not None:
            _blocks(problems, blocks, "/blocks", MESSAGE_BLOCKS)
        return problems
    if kind not in {"view", *VIEW_TYPES}:
        raise ValueError(f"unknown kind {kind!r}: expected message, modal, home or view")
    view_type = payload.get("type")
    if view_type not in VIEW_TYPES:
        problems.append(_problem("must be one of modal, home", "/type"))
        return problems
    if kind != "view" and view_type != kind:
        problems.append(_problem(f"must be {kind}", "/type"))
    blocks = _json_value(payload.get("blocks"), "/blocks", problems)
    if blocks is None:
        problems.append(_problem("is required", "/blocks"))
    else:
        _blocks(problems, blocks, "/blocks", VIEW_BLOCKS)
    if view_type == "modal":
        _text(problems, payload.get("title"), "/title", MODAL_TITLE, plain_only=True)
        for button in ("submit", "close"):
            if payload.get(button) is not None:
                _text(problems, payload[button], f"/{button}", MODAL_BUTTON, plain_only=True)
        has_input = isinstance(blocks, list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in blocks
        )
        if has_input and payload.get("submit") is None:
            problems.append(_problem("is required when the view has input blocks", "/submit"))
    _string(problems, payload.get("private_metadata"), "/private_metadata", PRIVATE_METADATA)
    _string(problems, payload.get("callback_id"), "/callback_id", CALLBACK_ID)
    _string(problems, payload.get("external_id"), "/external_id", CALLBACK_ID)
    return problems


def _problem(message: str, path: str) -> str:
    return f"{message} [json-pointer:{path}]"


def _json_value(value: Any, path: str, problems: list[str]) -> Any:
    """`value`, decoded when it is a JSON string (form-encoded bodies carry JSON fields)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        problems.append(_problem("must be valid JSON", path))
        return None


def _string(problems: list[str], value: Any, path: str, limit: int) -> None:
    """An optional string field of at most `limit` characters."""
    if value is None:
        return
    if not isinstance(value, str):
        problems.append(_problem("must be a string", path))
    elif len(value) > limit:
        problems.append(_problem(f"must be at most {limit} characters (got {len(value)})", path))


def _text(
    problems: list[str], value: Any, path: str, limit: int | None, *, plain_only: bool = False
) -> None:
    """A required text object: plain_text or mrkdwn, 1 to `limit` characters."""
    if value is None:
        problems.append(_problem("is required", path))
        return
    if not isinstance(value, dict):
        problems.append(_problem("must be a text object", path))
        return
    kind = value.get("type")
    if plain_only and kind != "plain_text":
        problems.append(_problem("must be plain_text", f"{path}/type"))
    elif kind not in TEXT_TYPES:
        problems.append(_problem("must be plain_text or mrkdwn", f"{path}/type"))
    text = value.get("text")
    if not isinstance(text, str):
        problems.append(_problem("must be a string", f"{path}/text"))
    elif not text:
        problems.append(_problem("must be more than 0 characters", f"{path}/text"))
    elif limit is not None and len(text) > limit:
        problems.append(
            _problem(f"must be at most {limit} characters (got {len(text)})", f"{path}/text")
        )


def _list(problems: list[str], value: Any, path: str, limit: int, *, required: bool) -> list[Any]:
    """A list of 1 to `limit` items (the items are returned for further checks)."""
    if value is None:
        if required:
            problems.append(_problem("is required", path))
        return []
    if not isinstance(value, list):
        problems.append(_problem("must be an array", path))
        return []
    if not value:
        problems.append(_problem("must have at least 1 item", path))
    elif len(value) > limit:
        problems.append(_problem(f"must have at most {limit} items (got {len(value)})", path))
    return value


def _blocks(problems: list[str], blocks: Any, path: str, limit: int) -> None:
    if not isinstance(blocks, list):
        problems.append(_problem("must be an array", path))
        return
    if len(blocks) > limit:
        problems.append(_problem(f"must have at most {limit} items (got {len(blocks)})", path))
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _block(problems, block, f"{path}/{index}", seen_ids)


def _block(problems: list[str], block: Any, path: str, seen_ids: set[str]) -> None:
    if not isinstance(block, dict):
        problems.append(_problem("must be an object", path))
        return
    block_type = block.get("type")
    if block_type not in KNOWN_BLOCK_TYPES:
        problems.append(_problem(f"unknown block type {block_type!r}", f"{path}/type"))
        return
    block_id = block.get("block_id")
    if block_id is not None:
        _string(problems, block_id, f"{path}/block_id", BLOCK_ID)
        if block_id in seen_ids:
            problems.append(_problem(f"duplicate block_id {block_id!r}", f"{path}/block_id"))
        if isinstance(block_id, str):
            seen_ids.add(block_id)
    check = _BLOCK_CHECKS.get(block_type)
    if check is not None:
        check(problems, block, path)


def _section(problems: list[str], block: dict[str, Any], path: str) -> None:
    if block.get("text") is None and block.get("fields") is None:
        problems.append(_problem("must have text or fields", path))
    if block.get("text") is not None:
        _text(problems, block["text"], f"{path}/text", SECTION_TEXT)
    fields = _list(problems, block.get("fields"), f"{path}/fields", SECTION_FIELDS, required=False)
    for index, item in enumerate(fields):
        _text(problems, item, f"{path}/fields/{index}", FIELD_TEXT)
    if block.get("accessory") is not None:
        _element(problems, block["accessory"], f"{path}/accessory")


def _header(problems: list[str], block: dict[str, Any], path: str) -> None:
    _text(problems, block.get("text"), f"{path}/text", HEADER_TEXT, plain_only=True)


def _context(problems: list[str], block: dict[str, Any], path: str) -> None:
    elements = _list(
        problems, block.get("elements"), f"{path}/elements", CONTEXT_ELEMENTS, required=True
    )
    for index, element in enumerate(elements):
        at = f"{path}/elements/{index}"
        if isinstance(element, dict) and element.get("type") == "image":
            _image(problems, element, at)
        else:
            _text(problems, element, at, None)


def _actions(problems: list[str], block: dict[str, Any], path: str) -> None:
    elements = _list(
        problems, block.get("elements"), f"{path}/elements", ACTIONS_ELEMENTS, required=True
    )
    for index, element in enumerate(elements):
        _element(problems, element, f"{path}/elements/{index}")


def _input(problems: list[str], block: dict[str, Any], path: str) -> None:
    _text(problems, block.get("label"), f"{path}/label", INPUT_LABEL, plain_only=True)
    if block.get("hint") is not None:
        _text(problems, block["hint"], f"{path}/hint", INPUT_LABEL, plain_only=True)
    if block.get("element") is None:
        problems.append(_problem("is required", f"{path}/element"))
    else:
        _element(problems, block["element"], f"{path}/element")


def _image(problems: list[str], block: dict[str, Any], path: str) -> None:
    if block.get("image_url") is None and block.get("slack_file") is None:
        problems.append(_problem("must have image_url or slack_file", path))
    alt_text = block.get("alt_text")
    if alt_text is None:
        problems.append(_problem("is required", f"{path}/alt_text"))
    else:
        _string(problems, alt_text, f"{path}/alt_text", IMAGE_ALT_TEXT)


def _element(problems: list[str], element: Any, path: str) -> None:
    """An interactive element: buttons and the elements with options in detail."""
    if not isinstance(element, dict):
        problems.append(_problem("must be an object", path))
        return
    element_type = element.get("type")
    if not isinstance(element_type, str):
        problems.append(_problem("is required", f"{path}/type"))
        return
    _string(problems, element.get("action_id"), f"{path}/action_id", ACTION_ID)
    if element.get("placeholder") is not None:
        _text(problems, element["placeholder"], f"{path}/placeholder", PLACEHOLDER, plain_only=True)
    if element_type == "image":
        _image(problems, element, path)
    elif element_type == "button":
        _text(problems, element.get("text"), f"{path}/text", BUTTON_TEXT, plain_only=True)
        _string(problems, element.get("value"), f"{path}/value", BUTTON_VALUE)
        _string(problems, element.get("url"), f"{path}/url", BUTTON_URL)
        style = element.get("style")
        if style is not None and style not in {"primary", "danger"}:
            problems.append(_problem("must be primary or danger", f"{path}/style"))
    elif element_type in OPTION_ELEMENTS:
        _options_element(problems, element, path)


def _options_element(problems: list[str], element: dict[str, Any], path: str) -> None:
    """static_select, multi_static_select, radio_buttons, checkboxes and overflow."""
    limit, groups_allowed, initial_field, mrkdwn = OPTION_ELEMENTS[element["type"]]
    has_groups = groups_allowed and element.get("option_groups") is not None
    if has_groups and element.get("options") is not None:
        problems.append(_problem("must have options or option_groups, not both", path))
    offered: list[Any] = []
    if has_groups:
        groups = _list(
            problems,
            element["option_groups"],
            f"{path}/option_groups",
            OPTION_GROUPS,
            required=True,
        )
        for index, group in enumerate(groups):
            offered.extend(_option_group(problems, group, f"{path}/option_groups/{index}"))
    if not has_groups or element.get("options") is not None:
        options = _list(problems, element.get("options"), f"{path}/options", limit, required=True)
        for index, option in enumerate(options):
            _option(problems, option, f"{path}/options/{index}", element["type"], mrkdwn)
        offered.extend(options)
    if initial_field is None:
        return
    initial = element.get(initial_field)
    if initial is None:
        return
    at = f"{path}/{initial_field}"
    if initial_field == "initial_options":
        chosen = _list(problems, initial, at, max(len(offered), 1), required=False)
        pairs = [(item, f"{at}/{index}") for index, item in enumerate(chosen)]
    else:
        pairs = [(initial, at)]
    keys = {_option_key(option) for option in offered}
    for item, item_at in pairs:
        if not isinstance(item, dict):
            problems.append(_problem("must be an option object", item_at))
        elif _option_key(item) not in keys:
            problems.append(
                _problem(f"must be one of the options (value {item.get('value')!r})", item_at)
            )


def _option_group(problems: list[str], group: Any, path: str) -> list[Any]:
    if not isinstance(group, dict):
        problems.append(_problem("must be an object", path))
        return []
    _text(problems, group.get("label"), f"{path}/label", OPTION_GROUP_LABEL, plain_only=True)
    options = _list(problems, group.get("options"), f"{path}/options", GROUP_OPTIONS, required=True)
    for index, option in enumerate(options):
        _option(problems, option, f"{path}/options/{index}", "option_group", mrkdwn=False)
    return options


def _option(problems: list[str], option: Any, path: str, element_type: str, mrkdwn: bool) -> None:
    if not isinstance(option, dict):
        problems.append(_problem("must be an object", path))
        return
    _text(problems, option.get("text"), f"{path}/text", OPTION_TEXT, plain_only=not mrkdwn)
    value = option.get("value")
    if value is None:
        problems.append(_problem("is required", f"{path}/value"))
    else:
        _string(problems, value, f"{path}/value", OPTION_VALUE)
    if option.get("description") is not None:
        _text(
            problems,
            option["description"],
            f"{path}/description",
            OPTION_DESCRIPTION,
            plain_only=not mrkdwn,
        )
    if option.get("url") is not None:
        if element_type != "overflow":
            problems.append(_problem("is only allowed in overflow menus", f"{path}/url"))
        else:
            _string(problems, option["url"], f"{path}/url", OPTION_URL)


def _option_key(option: Any) -> tuple[Any, Any, Any]:
    """What makes two options the same one: value and text (its type and words)."""
    if not isinstance(option, dict):
        return (None, None, None)
    text = option.get("text")
    if isinstance(text, dict):
        return (option.get("value"), text.get("type"), text.get("text"))
    return (option.get("value"), None, text)


_BLOCK_CHECKS: dict[str, Callable[[list[str], dict[str, Any], str], None]] = {
    "actions": _actions,
    "context": _context,
    "header": _header,
    "image": _image,
    "input": _input,
    "section": _section,
}
