"""Fixtures for catalog tests: YAML files written into a temporary working directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import CatalogError, Problem, load_catalog
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import Files, write_files


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary current directory, so problems name files as relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def load(workdir: Path) -> Callable[[Files], Catalog]:
    """Write the files and load budgetbot.yaml."""

    def _load(files: Files) -> Catalog:
        write_files(workdir, files)
        return load_catalog("budgetbot.yaml")

    return _load


@pytest.fixture
def problems(workdir: Path) -> Callable[[Files], list[Problem]]:
    """Write the files, load budgetbot.yaml, and return the problems it must raise."""

    def _problems(files: Files) -> list[Problem]:
        write_files(workdir, files)
        with pytest.raises(CatalogError) as caught:
            load_catalog("budgetbot.yaml")
        return caught.value.problems

    return _problems
