"""Reading the catalog: the root file, its includes (any format), then one combined Catalog."""

from __future__ import annotations

import glob
import os

from bot.catalog.assemble import assemble
from bot.catalog.errors import CatalogError, Problems
from bot.catalog.formats import split_formats
from bot.catalog.fragment import Fragment, Include, Located
from bot.catalog.yamlfile import Unreadable, parse_documents, read_text
from bot.domain.durations import format_duration
from bot.domain.slo import Catalog

_GLOB_CHARS = frozenset("*?[")
_NO_DEFAULTS = Include("")
MAX_INCLUDE_DEPTH = 32  # files, from the root: deeper is a mistake, not a catalog


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load and check the catalog at path and all it includes; CatalogError lists every problem."""
    problems = Problems()
    reader = _Reader(problems)
    try:
        reader.read(os.fspath(path), (), None)
        catalog = assemble(reader.fragments, tuple(reader.files), problems)
    except RecursionError:  # a structure nested deeper than any parser here recurses
        problems.add(reader.files[-1] if reader.files else os.fspath(path), "", "nested too deeply")
        raise CatalogError(problems.items) from None
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

    def read(
        self,
        file: str,
        stack: tuple[str, ...],
        origin: Located[Include] | None,
        defaults: Include = _NO_DEFAULTS,
    ) -> None:
        """Read file (included from origin, with the real paths of its includers on stack)."""
        real = os.path.realpath(file)
        if len(stack) >= MAX_INCLUDE_DEPTH and origin is not None:
            message = f"includes nest deeper than {MAX_INCLUDE_DEPTH} files"
            self.problems.add(origin.file, origin.path, message)
            return
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
                message = f"{origin.value.pattern!r}: {exc} (looked for {file})"
                self.problems.add(origin.file, origin.path, message)
            return
        self._names[real] = file
        self.files.append(file)
        documents = parse_documents(file, text, self.problems)
        if documents is None:
            return
        for fragment in split_formats(file, documents, self.problems):
            apply_defaults(fragment, defaults, origin)
            self.fragments.append(fragment)
            for include in fragment.includes:
                inherited = _inherit(include.value, defaults)
                for target in self._targets(include):
                    self.read(target, (*stack, real), include, inherited)

    def _targets(self, include: Located[Include]) -> list[str]:
        """The files an include entry names, relative to the including file; globs sorted."""
        value = include.value.pattern
        pattern = os.path.normpath(os.path.join(os.path.dirname(include.file), value))
        if not _GLOB_CHARS & set(value):
            return [pattern]
        matches = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
        if not matches:
            self.problems.add(include.file, include.path, f"{value!r} matches no file")
        return matches


def _inherit(include: Include, outer: Include) -> Include:
    """An include's defaults, the including include's where it gives none."""
    return Include(
        include.pattern,
        team=include.team or outer.team,
        team_at=include.team_at if include.team else outer.team_at,
        tier=include.tier or outer.tier,
        window=include.window or outer.window,
        calendar=include.calendar if include.window else outer.calendar,
    )


def apply_defaults(fragment: Fragment, defaults: Include, origin: Located[Include] | None) -> None:
    """Give the fragment's SLOs the include's team, tier and window where the file has none."""
    where = origin.where if origin else ""
    for draft in fragment.slos:
        if draft.team is None and defaults.team is not None:
            draft.team = defaults.team
            draft.team_file, draft.team_path = defaults.team_at
            shown = ": ".join(part for part in defaults.team_at if part)
            draft.notes.append(f"team {defaults.team} from the include ({shown})")
        if draft.window_from_include:
            if defaults.window is not None:
                draft.window, draft.calendar = defaults.window, defaults.calendar
                shown = defaults.calendar or format_duration(defaults.window)
                draft.notes.append(f"window {shown} from the include ({where})")
            else:
                draft.notes.append(
                    f"window {format_duration(draft.window)}: the file gives none (the "
                    "default); give the include a window to change it"
                )
        elif defaults.window is not None and defaults.window != draft.window:
            shown = format_duration(defaults.window)
            draft.notes.append(f"the include's window {shown} does not apply: the file gives one")
        draft.tier = draft.tier or defaults.tier
