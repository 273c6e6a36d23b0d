"""Reading catalog files: YAML documents with line-numbered syntax errors and no duplicate keys."""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from bot.catalog.errors import Problems

_MERGE_TAG = "tag:yaml.org,2002:merge"


class Unreadable(Exception):
    """The file could not be opened or decoded; the message says why (e.g. "file not found")."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                key = self.construct_object(key_node)
                if key in seen:
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r}",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


MAX_BYTES = 4 * 1024 * 1024  # a catalog file larger than this is surely not one


def read_text(file: str) -> str:
    """The file's UTF-8 text; Unreadable with a short reason if that fails.

    Only regular files of at most MAX_BYTES are read (never a device such as /dev/zero),
    and no reason ever quotes the file's content.
    """
    try:
        info = os.stat(file)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("is not a regular file")
        if info.st_size > MAX_BYTES:
            raise Unreadable(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        with open(file, encoding="utf-8") as handle:
            text = handle.read(MAX_BYTES + 1)
        if len(text) > MAX_BYTES:
            raise Unreadable(f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        return text
    except FileNotFoundError:
        raise Unreadable("file not found") from None
    except IsADirectoryError:
        raise Unreadable("is a directory, not a file") from None
    except PermissionError:
        raise Unreadable("permission denied") from None
    except UnicodeDecodeError:
        raise Unreadable("is not UTF-8 text") from None
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror or type(exc).__name__}") from None


def parse_documents(file: str, text: str, problems: Problems) -> list[Any] | None:
    """All YAML documents in text (empty ones dropped); None after recording a syntax problem."""
    try:
        documents = list(yaml.load_all(text, Loader=_StrictLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = exc.problem or exc.context or "unreadable"
        if exc.context and exc.problem:
            detail = f"{exc.problem} ({exc.context})"
        problems.add(file, where, f"invalid YAML: {detail}")
        return None
    except yaml.YAMLError:
        problems.add(file, "", "invalid YAML")
        return None
    except RecursionError:
        problems.add(file, "", "invalid YAML: nested too deeply")
        return None
    return [doc for doc in documents if doc is not None]
