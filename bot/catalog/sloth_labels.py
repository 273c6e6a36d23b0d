"""Sloth labels: scalar values stringified as Sloth does, and the team they name."""

from __future__ import annotations

import datetime
import math
import struct
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.catalog.checks import check_name
from bot.catalog.errors import Problems, join

TEAM_KEYS = ("team", "owner")  # at one level, labels.team wins over labels.owner


def label_values(
    raw: dict[Any, Any] | None, file: str, path: str, problems: Problems
) -> dict[str, str]:
    """Labels with every scalar value as Sloth stringifies it (true, 1, 1.5 become strings)."""
    # Sloth reads labels as map[string]string through sigs.k8s.io/yaml, which turns numbers
    # and booleans into strings and null into ""; a list or mapping cannot be a label.
    labels: dict[str, str] = {}
    for key, value in (raw or {}).items():
        name = scalar_text(key)
        name = str(key) if name is None else name
        text = scalar_text(value)
        if text is None:
            shown = "a list" if isinstance(value, list) else "a mapping"
            shown = shown if isinstance(value, list | dict) else repr(value)[:40]
            message = f"label values must be a string, number or true/false, got {shown}"
            problems.add(file, join(path, name), message)
            continue
        labels[name] = text
    return labels


def scalar_text(value: Any) -> str | None:
    """A YAML scalar as Sloth's label string; None for a list or mapping."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float32(value)
    if isinstance(value, str | datetime.date):
        return str(value)
    return None


def go_float32(value: float) -> str:
    """The number as Go's strconv.FormatFloat(value, 'g', -1, 32) spells it (2.0 -> "2")."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isnan(single):
        return ".nan"
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    text = f"{single:.8e}"
    for digits in range(1, 10):  # the shortest decimal that reads back as the same float32
        candidate = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(candidate)))[0] == single:
            text = candidate
            break
    number = Decimal(text).normalize()
    exponent = number.adjusted()
    if single != 0 and (exponent < -4 or exponent >= 6):  # Go's shortest 'g' switches here
        mantissa, power = f"{number:e}".split("e")
        return f"{mantissa}e{power[0]}{int(power[1:]):02d}"
    return f"{number:f}"


@dataclass
class Owners:
    """The team of each SLO of one spec: its own labels, else the spec's levels of labels."""

    # levels: the file-level labels, the winning level first, each with its path; fallback:
    # where a missing team label is reported. A bad team name is reported once per place,
    # and only when some SLO would be owned by it.
    file: str
    levels: list[tuple[dict[str, str], str]]
    fallback: str
    problems: Problems
    reported: set[str] = field(default_factory=set)

    def of(self, labels: dict[str, str], path: str) -> tuple[str | None, str, bool]:
        """(team, path of its label, usable) for an SLO with these labels at path."""
        team, where = first_team([(labels, path), *self.levels], self.fallback)
        if team is None:
            return None, where, True
        error = check_name(team)
        if error and where not in self.reported:
            self.reported.add(where)
            self.problems.add(self.file, where, f"team name {error}")
        return team, where, not error


def first_team(levels: list[tuple[dict[str, str], str]], fallback: str) -> tuple[str | None, str]:
    """The first team or owner label, level by level, and its path; else (None, fallback)."""
    for labels, path in levels:
        for key in TEAM_KEYS:
            if key in labels:
                return labels[key], join(path, key)
    return None, fallback
