"""Helpers for catalog tests: a small valid catalog, writing files, finding problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.catalog import Problem

BASE = """\
teams:
  payments: {channel: C0123PAY, timezone: Europe/Berlin}
services:
  checkout: {team: payments}
"""

SLO = """\
slos:
  - name: checkout-availability
    service: checkout
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="checkout"}[{{.window}}]))
"""

Files = dict[str, str]


def write_files(root: Path, files: Files) -> None:
    """Write each file (name relative to root), dedenting its text."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def find(found: list[Problem], file: str, path: str, fragment: str) -> Problem:
    """The problem at exactly file and path whose message holds fragment; else fail, listing."""
    for problem in found:
        if problem.file == file and problem.path == path and fragment in problem.message:
            return problem
    listing = "\n".join(str(p) for p in found)
    raise AssertionError(f"no problem {file}: {path}: ...{fragment}... among:\n{listing}")
