"""Waiting on conditions instead of sleeping: poll briefly, fail with a message on timeout.

    wait_until(lambda: server.started, 10, "the server did not start")
    holds_for(lambda: slack.responses() == [], 0.5, "a refused request was answered")

`wait_until` returns as soon as the condition holds (so a fast machine waits little and a
slow one still passes); `holds_for` is for the opposite, a check that something does not
happen, where the window itself is what is tested.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

INTERVAL = 0.02  # seconds between two polls


def wait_until(
    condition: Callable[[], T],
    timeout: float = 10.0,
    message: str | Callable[[], str] = "the condition never held",
    *,
    interval: float = INTERVAL,
) -> T:
    """Poll `condition` until it returns something truthy and return that; raise an
    AssertionError with `message` (called, when it is a function) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = condition()
        if got:
            return got
        if time.monotonic() >= deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"{said} (waited {timeout:g} s)")
        time.sleep(interval)


def holds_for(
    condition: Callable[[], object],
    seconds: float,
    message: str | Callable[[], str] = "the condition stopped holding",
    *,
    interval: float = INTERVAL,
) -> None:
    """Check `condition` throughout `seconds`; raise an AssertionError with `message` the
    first time it is false (at once, not at the end of the window)."""
    deadline = time.monotonic() + seconds
    while True:
        if not condition():
            said = message() if callable(message) else message
            raise AssertionError(said)
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)
