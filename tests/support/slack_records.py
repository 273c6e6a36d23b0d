"""What the Slack stand-in (tests/support/slack_api.py) records: calls, refusals, uploads."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class Headers(dict[str, str]):
    """Request headers; keys are stored lower-case and looked up case-insensitively."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((key.lower(), value) for key, value in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, and how it answered.

    `method` is the Web API method ("chat.postMessage"), or "response_url" / "upload".
    `body` is the parsed body (JSON, or form fields; JSON-valued form fields such as
    blocks and view are decoded). `reply` is the JSON answer (a dict) or the text answer.
    """

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.time() on arrival
    status: int = 200
    reply: Any = None
    path: str = ""
    raw: bytes = b""

    @property
    def ok(self) -> bool:
        """Whether Slack would have done it (HTTP 200 and no `ok: false`)."""
        if self.status != 200:
            return False
        return not isinstance(self.reply, dict) or bool(self.reply.get("ok"))


@dataclass(frozen=True)
class Violation:
    """A call refused because it broke a rule of Slack's, with the error Slack answers.

    `error` is "invalid_blocks" (Block Kit limits; `problems` lists them), or a
    membership error ("channel_not_found", "not_in_channel", "user_not_in_channel"), or
    "used_url" (a response_url posted to more than 5 times).
    """

    method: str
    problems: list[str]
    body: dict[str, Any]
    error: str = "invalid_blocks"


@dataclass
class Upload:
    """A file of the upload v2 flow: announced by files.getUploadURLExternal."""

    file_id: str
    filename: str
    length: int  # what the client announced
    data: bytes | None = None  # what it then uploaded (None: not yet)
    title: str | None = None
    channel_id: str | None = None  # set by files.completeUploadExternal
    completed: bool = False

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)
