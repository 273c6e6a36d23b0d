"""Slack's Block Kit limits, and fitting rendered payloads inside them.

Text is cut after escaping, on a boundary that splits no entity (`&amp;`) and no link or
mention (`<@U123>`, `<https://…|label>`), and ends in "…". Lengths are counted the way
Slack's clients count them: in UTF-16 code units, so an emoji outside the Basic
Multilingual Plane counts twice.
"""

from typing import Any

MESSAGE_BLOCKS = 50  # per message
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
MODAL_TITLE = 24  # and its submit and close buttons
BUTTON_TEXT = 75
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100  # static and multi-static selects
MESSAGE_TEXT = 40_000  # chat.postMessage's top-level text; longer is cut by Slack
NOTICE_ECHO = 80  # what a person typed, echoed back in a notice
ELLIPSIS = "…"


def length(text: str) -> int:
    """Characters as Slack counts them (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def cut(text: str, limit: int) -> str:
    """text within `limit`, ending in "…" when cut; no entity, link or mention is split."""
    if length(text) <= limit:
        return text
    head = text[: limit - 1]
    while length(head) > limit - 1:
        head = head[:-1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    bracket = head.rfind("<")
    if bracket != -1 and ">" not in head[bracket:]:
        head = head[:bracket]
    return head + ELLIPSIS


def echo(text: str, limit: int = NOTICE_ECHO) -> str:
    """What a person typed, cut for echoing in a notice (the notice escapes it)."""
    return cut(str(text), limit)


def fit_blocks(blocks: list[Any]) -> list[Any]:
    """Every block's texts, fields and options cut to Slack's limits, in place."""
    for block in blocks:
        if isinstance(block, dict):
            _fit_block(block)
    return blocks


def fit_view(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's title and buttons (24 characters) and every block fitted, in place."""
    for key in ("title", "submit", "close"):
        _fit_text(view.get(key), MODAL_TITLE)
    fit_blocks(view.get("blocks") or [])
    return view


def _fit_block(block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind == "section":
        _fit_text(block.get("text"), SECTION_TEXT)
        fields = block.get("fields")
        if isinstance(fields, list):
            del fields[SECTION_FIELDS:]
            for field in fields:
                _fit_text(field, FIELD_TEXT)
        _fit_element(block.get("accessory"))
    elif kind == "header":
        _fit_text(block.get("text"), HEADER_TEXT)
    elif kind == "actions":
        for element in block.get("elements") or []:
            _fit_element(element)
    elif kind == "input":
        _fit_element(block.get("element"))


def _fit_element(element: Any) -> None:
    if not isinstance(element, dict):
        return
    if element.get("type") == "button":
        _fit_text(element.get("text"), BUTTON_TEXT)
    options = element.get("options")
    if isinstance(options, list):
        del options[OPTIONS:]
        for option in options:
            if isinstance(option, dict):
                _fit_text(option.get("text"), OPTION_TEXT)
        values = {o.get("value") for o in options if isinstance(o, dict)}
        chosen = element.get("initial_options")
        if isinstance(chosen, list):  # Slack refuses a pre-selection that is not offered
            element["initial_options"] = [o for o in chosen if o.get("value") in values]
            for option in element["initial_options"]:
                _fit_text(option.get("text"), OPTION_TEXT)
            if not element["initial_options"]:
                del element["initial_options"]


def _fit_text(text: Any, limit: int) -> None:
    if isinstance(text, dict) and isinstance(text.get("text"), str):
        text["text"] = cut(text["text"], limit)
