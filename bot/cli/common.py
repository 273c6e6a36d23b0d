"""What every `budgetbot` command shares: exit codes, one-line complaints, the result
console, and the command's Bootstrap (bot/bootstrap.py) with its clock at --at."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.times import parse_time

if TYPE_CHECKING:
    from rich.console import Console

    from bot.bootstrap import Bootstrap
    from bot.settings import Settings

EXIT_OK, EXIT_USAGE, EXIT_PROMETHEUS, EXIT_PARTIAL, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_HELD = 1  # `gate`: the service may not deploy


class UsageError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit 1."""


def complain(message: str, prefix: str = "budgetbot: ") -> None:
    """One unwrapped line on stderr, so scripts and people both can read it."""
    print(f"{prefix}{message}", file=sys.stderr)


def stdout() -> Console:
    """The console for results: as wide as the terminal, 120 columns when piped."""
    from rich.console import Console  # only for commands that print for people

    return Console() if sys.stdout.isatty() else Console(width=120)


def bootstrap(args: argparse.Namespace, settings: Settings) -> Bootstrap:
    """The command's parts: its --config, and a clock standing at its --at (when it has one;
    else BUDGETBOT_NOW, else the real time)."""
    from bot.bootstrap import Bootstrap  # brings the domain model: not for `--help`

    at = getattr(args, "at", None)
    return Bootstrap(settings, args.config, at=parse_time(at) if at else None)


def unknown(kind: str, name: str, known: Sequence[str]) -> UsageError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UsageError(f"no {kind} named {name!r} in the catalog{hint}")
