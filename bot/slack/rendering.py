"""Block Kit from templates/*.json.j2 (jinja2, StrictUndefined, every string via tojson)."""

import json
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.slack.limits import MESSAGE_BLOCKS, fit_blocks, fit_view


class Renderer:
    """Renders a template to the JSON value it spells (a list of blocks or a view), with
    every text cut to Slack's limits after escaping (bot.slack.limits)."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(files("templates"))),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["mrkdwn"] = escape_mrkdwn

    def render(self, name: str, **context: Any) -> Any:
        value = json.loads(self._env.get_template(name).render(**context))
        if isinstance(value, list):
            return fit_blocks(value)
        if isinstance(value, dict):
            return fit_view(value)
        return value


def escape_mrkdwn(text: object) -> str:
    """Slack's mrkdwn escaping: &, < and > would otherwise start links and mentions."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chunk_blocks(
    blocks: list[dict[str, Any]], size: int = MESSAGE_BLOCKS
) -> list[list[dict[str, Any]]]:
    """Split blocks into messages of at most `size` blocks, never leaving a divider first."""
    out: list[list[dict[str, Any]]] = []
    for block in blocks:
        if not out or len(out[-1]) >= size:
            if block.get("type") == "divider":
                continue
            out.append([])
        out[-1].append(block)
    return out
