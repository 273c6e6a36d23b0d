"""Block Kit payloads checked with slack_sdk's own models (the ones Slack writes).

Every block is parsed with `slack_sdk.models.blocks.Block.parse` and every view with
`slack_sdk.models.views.View`; then `validate_json()` runs on the parsed object and on
every model object inside it (`validate_json()` itself only checks the object it is called
on, so this module walks the tree). A `SlackObjectFormationError` is a problem.

slack_sdk is lenient in ways Slack is not, so these count as problems too:

- `Block.parse` answers None for a block type it does not know, and `BlockElement.parse`
  drops unknown elements the same way: "slack_sdk cannot parse ...".
- a constructor that refuses the payload (a required field missing, a text object
  without "type") raises TypeError or KeyError: "slack_sdk cannot parse ...".
- constructors drop the fields they do not know: the parsed object is turned back into
  JSON (`to_dict()`) and every field of the payload missing from it is "unknown to
  slack_sdk" (Slack's own schemas refuse additional properties).
- the select elements keep `options`, `initial_option(s)` and `option_groups` as plain
  dicts, unchecked; they are parsed here with slack_sdk's `Option` and `OptionGroup` so
  those models' limits (text 75, value 150, 100 options per group) apply to them too.

What slack_sdk's validators cover (and so are checked twice, once by the hand-written
checks of tests/support/slack_limits.py): block_id 255; section text 3000, 10 fields,
text or fields present; header text 150; context 10 elements; actions 25 elements;
image alt_text 2000, image_url 3000, title 2000; input label and hint 2000; action_id
255; button text 75, value 2000, url 3000, style; placeholder 150; static and
multi-static select 100 options or 100 option groups, not both, one of them present;
overflow 1 to 5 options; option text 75, value 150; option group label 75 and 100
options; confirm title 100, text 300, confirm/deny 30; view type, title 24, submit and
close 24, 1 to 100 blocks, private_metadata 3000, callback_id 255, no submit or close on
a home tab.

What slack_sdk misses (only the hand-written checks see it): the 50 blocks of a message;
text objects' type (anything but "plain_text" is read as mrkdwn), plain_text-only fields
(header, labels, button text, modal title); empty texts; section field text 2000;
duplicate block_ids; radio button and checkbox groups of at most 10 options;
`initial_option(s)` being among the options; an option's description 75 and url
(overflow only); option texts being plain_text in menus; a modal with input blocks
needing submit; external_id 255.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, Option, OptionGroup
from slack_sdk.models.views import View

# Attributes whose name differs from the JSON field they hold.
_FIELD_NAMES = {"block_description": "description"}
# Select elements keep these as plain dicts; they are parsed here.
_OPTION_FIELDS = frozenset({"options", "initial_options", "initial_option"})
_UNPARSABLE = (TypeError, KeyError, AttributeError, ValueError)


def _problem(message: str, path: str) -> str:
    return f"{message} [json-pointer:{path}]"


def blocks_model_problems(blocks: Any, path: str = "/blocks") -> list[str]:
    """What slack_sdk's models refuse in a list of blocks (already decoded from JSON)."""
    if not isinstance(blocks, list):
        return []  # the hand-written checks say "must be an array"
    problems: list[str] = []
    for index, block in enumerate(blocks):
        at = f"{path}/{index}"
        if not isinstance(block, dict):
            continue  # the hand-written checks say "must be an object"
        try:
            parsed = Block.parse(block)
        except _UNPARSABLE as exc:
            problems.append(_problem(f"slack_sdk cannot parse this block ({_reason(exc)})", at))
            continue
        if parsed is None:
            problems.append(
                _problem(f"slack_sdk cannot parse this block (type {block.get('type')!r})", at)
            )
            continue
        problems.extend(_object_problems(parsed, block, at))
    return problems


def view_model_problems(view: Mapping[str, Any]) -> list[str]:
    """What slack_sdk's View model (and the models of its blocks) refuse in a view."""
    fields = dict(view)
    blocks = fields.pop("blocks", None)
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            blocks = None  # the hand-written checks say "must be valid JSON"
    try:
        parsed = View(**fields)
    except _UNPARSABLE as exc:
        problems = [_problem(f"slack_sdk cannot parse this view ({_reason(exc)})", "/")]
    else:
        # View's validators only count the blocks; each block is checked on its own below
        counted: Any = blocks if isinstance(blocks, list) else None
        parsed.blocks = counted
        problems = _object_problems(parsed, fields, "")
    return problems + blocks_model_problems(blocks)


def _object_problems(parsed: JsonObject, source: dict[str, Any], path: str) -> list[str]:
    problems = list(_validate(parsed, path))
    if not problems:
        problems.extend(
            _dropped(source, _to_dict(parsed, problems, path), path, type(parsed).__name__)
        )
    return problems


def _validate(obj: JsonObject, path: str) -> Iterator[str]:
    """validate_json() on `obj` and on every model object inside it, each with its path.

    When validate_json() refuses `obj`, its validators are run one by one so that every
    limit it breaks is named (validate_json() stops at the first), each at the field the
    validator is named after when there is one.
    """
    try:
        obj.validate_json()
    except (SlackObjectFormationError, *_UNPARSABLE):
        yield from _each_validator(obj, path)
    for name, value in vars(obj).items():
        if name == "blocks" and isinstance(obj, View):
            continue  # checked block by block, with their own paths
        field = _FIELD_NAMES.get(name.lstrip("_"), name.lstrip("_"))
        yield from _validate_value(value, f"{path}/{field}", field)


def _each_validator(obj: JsonObject, path: str) -> Iterator[str]:
    model = type(obj).__name__
    for name in sorted(dir(type(obj))):
        validator = getattr(obj, name, None)
        if name.startswith("__") or not (callable(validator) and hasattr(validator, "validator")):
            continue
        try:
            validator()
        except SlackObjectFormationError as exc:
            yield _problem(f"{exc} (slack_sdk {model})", _field_path(obj, str(exc), name, path))
        except _UNPARSABLE as exc:  # a validator tripping on a missing required field
            at = _field_path(obj, "", name, path)
            yield _problem(f"slack_sdk {model} cannot check it ({_reason(exc)})", at)


def _field_path(obj: JsonObject, message: str, validator: str, path: str) -> str:
    """The path of the field a validator checks: the one its message or name starts with
    ("text attribute cannot exceed ...", "_validate_title_length"), else the object's."""
    by_name = validator.removeprefix("_validate_")
    for suffix in ("_max_length", "_length"):
        by_name = by_name.removesuffix(suffix)
    attributes: Any = getattr(obj, "attributes", set())
    known = set(vars(obj)) | (attributes if isinstance(attributes, set | frozenset) else set())
    words = message.split(" ", 2)
    said = words[0] if len(words) > 1 and words[1] in {"attribute", "cannot", "must"} else ""
    for field in (said, by_name):
        if field in known:
            return f"{path}/{field}"
    return path or "/"


def _validate_value(value: Any, path: str, field: str) -> Iterator[str]:
    if isinstance(value, JsonObject):
        yield from _validate(value, path)
    elif isinstance(value, dict) and field in _OPTION_FIELDS:
        yield from _plain_option(value, path, Option)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            at = f"{path}/{index}"
            if isinstance(item, dict) and field in _OPTION_FIELDS:
                yield from _plain_option(item, at, Option)
            elif isinstance(item, dict) and field == "option_groups":
                yield from _plain_option(item, at, OptionGroup)
            else:
                yield from _validate_value(item, at, field)


def _plain_option(value: dict[str, Any], path: str, model: type[JsonObject]) -> Iterator[str]:
    try:
        parsed = model(**value)
    except _UNPARSABLE as exc:
        yield _problem(f"slack_sdk cannot parse this {model.__name__} ({_reason(exc)})", path)
        return
    yield from _validate(parsed, path)


def _to_dict(obj: JsonObject, problems: list[str], path: str) -> Any:
    try:
        return obj.to_dict()
    except (SlackObjectFormationError, *_UNPARSABLE) as exc:
        problems.append(_problem(f"slack_sdk cannot write it back ({_reason(exc)})", path))
        return None


def _dropped(source: Any, written: Any, path: str, model: str) -> list[str]:
    """The fields and items of `source` that slack_sdk's model left out of `written`."""
    if written is None:
        return []
    problems: list[str] = []
    if isinstance(source, dict) and isinstance(written, dict):
        for key, value in source.items():
            at = f"{path}/{key}"
            if key not in written:
                if _present(value):
                    problems.append(
                        _problem(f"field {key!r} is unknown to slack_sdk's {model}", at)
                    )
            else:
                problems.extend(_dropped(value, written[key], at, model))
    elif isinstance(source, list) and isinstance(written, list):
        for index, item in enumerate(source):
            at = f"{path}/{index}"
            if index >= len(written) or (written[index] is None and item is not None):
                kind = f" (type {item.get('type')!r})" if isinstance(item, dict) else ""
                problems.append(_problem(f"slack_sdk's {model} cannot parse this item{kind}", at))
            else:
                problems.extend(_dropped(item, written[index], at, model))
    return problems


def _present(value: Any) -> bool:
    """Whether a field carries something (slack_sdk leaves out None and empty values)."""
    return value is not None and not (isinstance(value, str | list | dict) and not value)


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackObjectFormationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
