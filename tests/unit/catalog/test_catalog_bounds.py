"""Catalog input is bounded: regular files of sane size, bounded include depth and YAML
nesting, sane windows, and messages that never quote a foreign file's content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import CatalogError, Problem, load_catalog
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

ROOT = "budgetbot.yaml"


def test_a_device_is_refused_without_reading_it(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: BASE + "include: [/dev/zero]\n"})
    find(found, ROOT, "include[0]", "is not a regular file")


def test_a_foreign_file_is_never_quoted(workdir: Path) -> None:
    secret = "root:$y$j9T$SECRETHASH:19000:0:99999:7:::"
    (workdir / "shadow").write_text(secret + "\n")
    (workdir / ROOT).write_text(BASE + "include: [shadow]\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(ROOT)
    text = str(caught.value)
    assert "SECRETHASH" not in text and "shadow: is no known format" in text


def test_a_huge_file_is_refused(problems: Callable[[Files], list[Problem]]) -> None:
    found = problems({ROOT: BASE + "include: [big.yml]\n", "big.yml": "#" * (5 * 1024 * 1024)})
    find(found, ROOT, "include[0]", "is larger than 4 MiB")


def test_a_deep_include_chain_is_an_error_not_a_crash(
    problems: Callable[[Files], list[Problem]],
) -> None:
    files = {ROOT: BASE + "include: [f0.yml]\n"}
    files.update({f"f{i}.yml": f"include: [f{i + 1}.yml]\n" for i in range(60)})
    found = problems(files)
    assert any("includes nest deeper than 32 files" in p.message for p in found)


def test_deeply_nested_yaml_is_an_error_not_a_crash(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: BASE + "admins: " + "[" * 5000 + "]" * 5000 + "\n"})
    assert any("nested too deeply" in p.message for p in found)


def test_an_absurd_window_is_refused(problems: Callable[[Files], list[Problem]]) -> None:
    found = problems(
        {ROOT: BASE + SLO.replace("objective: 99.9", "objective: 99.9\n    window: 99999999999d")}
    )
    find(found, ROOT, "slos[0].window", "is longer than 400 days")


def test_plain_text_is_named_as_such_not_quoted(workdir: Path) -> None:
    (workdir / "notes.txt").write_text("password hunter2 for the admin account\n")
    (workdir / ROOT).write_text(BASE + "include: [notes.txt]\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(ROOT)
    text = str(caught.value)
    assert "hunter2" not in text
    assert "notes.txt: is no catalog or SLO file: its content is text, not a mapping" in text


def test_a_prometheus_url_that_does_not_parse_names_file_and_path(
    problems: Callable[[Files], list[Problem]],
) -> None:
    for url in ("http://[::1", "http://host:port"):
        found = problems({ROOT: f"prometheus: {{url: '{url}'}}\n" + BASE + SLO})
        find(found, ROOT, "prometheus.url", "is not a URL")
