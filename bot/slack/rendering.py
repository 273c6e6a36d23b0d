"""Block Kit from templates/*.json.j2 (jinja2, StrictUndefined, every string via tojson)."""

import json
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

MESSAGE_BLOCKS = 50  # Slack's limit per message
VIEW_BLOCKS = 100  # Slack's limit per modal or App Home view


class Renderer:
    """Renders a template to the JSON value it spells (a list of blocks or a view)."""

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
        return json.loads(self._env.get_template(name).render(**context))


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
