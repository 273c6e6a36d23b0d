"""Reading the catalog: the root file, its includes (any format), then one combined Catalog."""

from __future__ import annotations

import glob
import os
from typing import Any

from bot.catalog.assemble import assemble
from bot.catalog.errors import CatalogError, Problems
from bot.catalog.fragment import Fragment, Located
from bot.catalog.native import parse_native
from bot.catalog.openslo import parse_openslo
from bot.catalog.sloth import parse_sloth
from bot.catalog.yamlfile import Unreadable, parse_documents, read_text
from bot.domain.slo import Catalog

_GLOB_CHARS = frozenset("*?[")


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load and check the catalog at path and all it includes; CatalogError lists every problem."""
    problems = Problems()
    reader = _Reader(problems)
    reader.read(os.fspath(path), (), None)
    catalog = assemble(reader.fragments, tuple(reader.files), problems)
    if problems.items:
        raise CatalogError(problems.items)
    return catalog


class _Reader:
    """Walks the include tree depth-first, reading each file once."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.fragments: list[Fragment] = []
        self.files: list[str] = []
        self._names: dict[str, str] = {}  # real path -> the name problems use for it

    def read(self, file: str, stack: tuple[str, ...], origin: Located[str] | None) -> None:
        """Read file (included from origin, with the real paths of its includers on stack)."""
        real = os.path.realpath(file)
        if real in stack:
            chain = [self._names[r] for r in stack[stack.index(real) :]] + [self._names[real]]
            assert origin is not None
            message = "include cycle: " + " -> ".join(chain)
            self.problems.add(origin.file, origin.path, message)
            return
        if real in self._names:
            return  # included twice without a cycle: its definitions count once
        try:
            text = read_text(file)
        except Unreadable as exc:
            if origin is None:
                self.problems.add(file, "", str(exc))
            else:
                message = f"{origin.value!r}: {exc} (looked for {file})"
                self.problems.add(origin.file, origin.path, message)
            return
        self._names[real] = file
        self.files.append(file)
        documents = parse_documents(file, text, self.problems)
        if documents is None:
            return
        fragment = self._parse(file, documents)
        self.fragments.append(fragment)
        for include in fragment.includes:
            for target in self._targets(include):
                self.read(target, (*stack, real), include)

    def _targets(self, include: Located[str]) -> list[str]:
        """The files an include entry names, relative to the including file; globs sorted."""
        pattern = os.path.normpath(os.path.join(os.path.dirname(include.file), include.value))
        if not _GLOB_CHARS & set(include.value):
            return [pattern]
        matches = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
        if not matches:
            self.problems.add(include.file, include.path, f"{include.value!r} matches no file")
        return matches

    def _parse(self, file: str, documents: list[Any]) -> Fragment:
        """Tell the format from the content: OpenSLO apiVersion, Sloth version, else native."""
        if any(_api_version(doc).startswith("openslo/") for doc in documents):
            return parse_openslo(file, documents, self.problems)
        if len(documents) > 1:
            message = f"holds {len(documents)} YAML documents; only OpenSLO files may hold several"
            self.problems.add(file, "", message)
            return Fragment(file)
        document = documents[0] if documents else {}
        if isinstance(document, dict) and "version" in document:
            return parse_sloth(file, document, self.problems)
        if _api_version(document):
            message = (
                f"unsupported apiVersion {_api_version(document)!r}: expected an OpenSLO "
                "openslo/v1 file, a Sloth file (version: prometheus/v1) or a budgetbot catalog"
            )
            self.problems.add(file, "apiVersion", message)
            return Fragment(file)
        return parse_native(file, document, self.problems)


def _api_version(document: Any) -> str:
    value = document.get("apiVersion") if isinstance(document, dict) else None
    return value if isinstance(value, str) else ""
