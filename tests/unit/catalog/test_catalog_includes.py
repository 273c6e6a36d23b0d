"""Several catalog files combined with include: paths, cycles, missing files, duplicates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import CatalogError, Problem, load_catalog
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find, write_files

ROOT = "budgetbot.yaml"

MORE_SLOS = """\
slos:
  - name: checkout-latency
    service: checkout
    objective: 99
    sli:
      events:
        error_query: sum(rate(slow_total[{{.window}}]))
        total_query: sum(rate(all_total[{{.window}}]))
"""


def test_includes_are_relative_to_the_including_file(load: Callable[[Files], Catalog]) -> None:
    catalog = load(
        {
            ROOT: BASE + SLO + "include: [slos/more.yaml]\n",
            "slos/more.yaml": "include: [../shared/teams.yaml]\n" + MORE_SLOS,
            "shared/teams.yaml": "teams:\n  search: {channel: C0456SRCH}\n",
        }
    )
    assert catalog.files == (ROOT, "slos/more.yaml", "shared/teams.yaml")
    assert [(s.name, s.source) for s in catalog.slos] == [
        ("checkout-availability", ROOT),
        ("checkout-latency", "slos/more.yaml"),
    ]
    assert set(catalog.teams) == {"payments", "search"}


def test_root_may_be_given_as_a_path_in_another_directory(
    workdir: Path,
) -> None:
    write_files(workdir, {"conf/budgetbot.yaml": BASE + "include: [slos.yaml]\n"})
    write_files(workdir, {"conf/slos.yaml": SLO})
    catalog = load_catalog(workdir / "conf" / "budgetbot.yaml")
    assert catalog.slos[0].source == str(workdir / "conf" / "slos.yaml")


def test_glob_includes_are_read_in_name_order(load: Callable[[Files], Catalog]) -> None:
    catalog = load(
        {
            ROOT: BASE + "include: ['slos/*.yaml']\n",
            "slos/b.yaml": MORE_SLOS,
            "slos/a.yaml": SLO,
        }
    )
    assert catalog.files == (ROOT, "slos/a.yaml", "slos/b.yaml")


def test_a_file_included_twice_counts_once(load: Callable[[Files], Catalog]) -> None:
    catalog = load(
        {
            ROOT: BASE + "include: [a.yaml, b.yaml]\n",
            "a.yaml": "include: [slos.yaml]\n",
            "b.yaml": "include: [slos.yaml]\n",
            "slos.yaml": SLO,
        }
    )
    assert len(catalog.slos) == 1
    assert catalog.files == (ROOT, "a.yaml", "slos.yaml", "b.yaml")


BROKEN: list[tuple[str, Files, str, str, str]] = [
    (
        "missing-include",
        {ROOT: BASE + SLO + "include: [slos/gone.yaml]\n"},
        ROOT,
        "include[0]",
        "'slos/gone.yaml': file not found (looked for slos/gone.yaml)",
    ),
    (
        "missing-nested-include",
        {ROOT: BASE + "include: [slos/a.yaml]\n", "slos/a.yaml": "include: [b.yaml]\n"},
        "slos/a.yaml",
        "include[0]",
        "'b.yaml': file not found (looked for slos/b.yaml)",
    ),
    (
        "include-a-directory",
        {ROOT: BASE + "include: [slos]\n", "slos/a.yaml": SLO},
        ROOT,
        "include[0]",
        "is a directory",
    ),
    (
        "glob-matches-nothing",
        {ROOT: BASE + "include: ['slos/*.yml']\n"},
        ROOT,
        "include[0]",
        "'slos/*.yml' matches no file",
    ),
    (
        "cycle",
        {
            ROOT: BASE + "include: [a.yaml]\n",
            "a.yaml": "include: [b.yaml]\n",
            "b.yaml": "include: [a.yaml]\n",
        },
        "b.yaml",
        "include[0]",
        "include cycle: a.yaml -> b.yaml -> a.yaml",
    ),
    (
        "self-include",
        {ROOT: BASE + "include: [other.yaml, ./budgetbot.yaml]\n", "other.yaml": ""},
        ROOT,
        "include[1]",
        "include cycle: budgetbot.yaml -> budgetbot.yaml",
    ),
    (
        "empty-include",
        {ROOT: BASE + "include: ['']\n"},
        ROOT,
        "include[0]",
        "must not be empty",
    ),
    (
        "duplicate-slo-across-files",
        {ROOT: BASE + SLO + "include: [more.yaml]\n", "more.yaml": SLO},
        "more.yaml",
        "slos[0].name",
        "duplicate SLO name 'checkout-availability', first defined at budgetbot.yaml: slos[0].name",
    ),
    (
        "duplicate-team-across-files",
        {
            ROOT: BASE + "include: [teams.yaml]\n",
            "teams.yaml": "teams:\n  payments: {channel: C9}\n",
        },
        "teams.yaml",
        "teams.payments",
        "team 'payments' is already defined at budgetbot.yaml: teams.payments",
    ),
    (
        "duplicate-service-across-files",
        {ROOT: BASE + "include: [s.yaml]\n", "s.yaml": "services:\n  checkout: {team: payments}\n"},
        "s.yaml",
        "services.checkout",
        "service 'checkout' is already defined at budgetbot.yaml: services.checkout",
    ),
    (
        "prometheus-twice",
        {
            ROOT: BASE + "prometheus: {url: 'http://a:9090'}\ninclude: [p.yaml]\n",
            "p.yaml": "prometheus: {url: 'http://b:9090'}\n",
        },
        "p.yaml",
        "prometheus.url",
        "already set at budgetbot.yaml: prometheus.url; set it in one file only",
    ),
    (
        "unknown-service-in-included-file",
        {
            ROOT: BASE + "include: [s.yaml]\n",
            "s.yaml": SLO.replace("service: checkout", "service: cart"),
        },
        "s.yaml",
        "slos[0].service",
        "unknown service 'cart'",
    ),
    (
        "syntax-error-in-include",
        {ROOT: BASE + "include: [s.yaml]\n", "s.yaml": "slos:\n  - name: [x\n"},
        "s.yaml",
        "line 3, column 1",
        "invalid YAML",
    ),
    (
        "several-documents-in-native-file",
        {ROOT: BASE + "include: [s.yaml]\n", "s.yaml": SLO + "---\n" + MORE_SLOS},
        "s.yaml",
        "",
        "holds 2 YAML documents; only Sloth, OpenSLO and Pyrra files may hold several",
    ),
    (
        "unknown-api-version",
        {ROOT: BASE + "include: [s.yaml]\n", "s.yaml": "apiVersion: example.com/v1\nkind: X\n"},
        "s.yaml",
        "apiVersion",
        "unsupported apiVersion 'example.com/v1' (kind 'X'); budgetbot reads a budgetbot catalog",
    ),
    (
        "prometheus-rule-file",
        {ROOT: BASE + "include: [r.yaml]\n", "r.yaml": "groups:\n  - name: x\n    rules: []\n"},
        "r.yaml",
        "",
        "is a Prometheus rule file (groups:), not an SLO file",
    ),
    (
        "kubernetes-resource-without-api-version",
        {ROOT: BASE + "include: [k.yaml]\n", "k.yaml": "kind: X\nspec: {}\n"},
        "k.yaml",
        "",
        "it looks like a Kubernetes resource without apiVersion; budgetbot reads",
    ),
    (
        "sloth-without-version",
        {ROOT: BASE + "include: [s.yaml]\n", "s.yaml": "service: a\nslos: []\n"},
        "s.yaml",
        "",
        "it looks like a Sloth file without version: prometheus/v1",
    ),
    (
        "prometheus-rule-resource",
        {
            ROOT: BASE + "include: [r.yaml]\n",
            "r.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec: {}\n",
        },
        "r.yaml",
        "apiVersion",
        "is a PrometheusRule resource (recording and alerting rules), not an SLO file",
    ),
    (
        "openslo-typo-api-version",
        {ROOT: BASE + "include: [o.yaml]\n", "o.yaml": "apiVersion: openslo.com/v1\nkind: SLO\n"},
        "o.yaml",
        "apiVersion",
        "unsupported apiVersion 'openslo.com/v1': did you mean openslo/v1?",
    ),
    (
        "capitalised-placeholder",
        {ROOT: BASE + SLO.replace('code=~"5.."}[{{.window}}]', 'code=~"5.."}[{{.Window}}]')},
        ROOT,
        "slos[0].sli.events.error_query",
        "found {{.Window}}: the only template placeholder is {{.window}} "
        "(placeholders are case-sensitive)",
    ),
    (
        "no-known-keys",
        {ROOT: BASE + "include: [u.yaml]\n", "u.yaml": "objectives: []\nowner: me\n"},
        "u.yaml",
        "",
        "is no known format: it looks like none of them (its keys: objectives, owner)",
    ),
]


@pytest.mark.parametrize(
    ("files", "file", "path", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_includes(
    problems: Callable[[Files], list[Problem]], files: Files, file: str, path: str, fragment: str
) -> None:
    find(problems(files), file, path, fragment)


def test_missing_include_reports_the_including_file(workdir: Path) -> None:
    write_files(workdir, {"conf/budgetbot.yaml": BASE + "include: [gone.yaml]\n"})
    with pytest.raises(CatalogError) as caught:
        load_catalog("conf/budgetbot.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "conf/budgetbot.yaml: include[0]: 'gone.yaml': file not found (looked for conf/gone.yaml)"
    ]
