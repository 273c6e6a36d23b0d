"""Sloth labels: scalar values stringified as Sloth does, and who owns each SLO."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.catalog.errors import Problems
from bot.catalog.sloth_labels import go_float32, label_values
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "slos/orders.yml"
TEAMS = (
    "teams:\n  web: {channel: C0WEB}\n  data: {channel: C0DATA}\n"
    "  '7': {channel: C07}\n  'true': {channel: C0TRUE}\n  '1.5': {channel: C015}\n"
)
ROOT_TEXT = TEAMS + f"include: [{FILE}]\n"
SLI = (
    "    sli:\n      events:\n"
    '        error_query: sum(rate(orders_total{ok="false"}[{{.window}}]))\n'
    "        total_query: sum(rate(orders_total[{{.window}}]))\n"
)


def spec(file_labels: str = "", slo_labels: str = "") -> str:
    """A prometheus/v1 file with one SLO, orders-placed, and the labels given."""
    head = "version: prometheus/v1\nservice: orders\n"
    head += f"labels: {file_labels}\n" if file_labels else ""
    slo = "slos:\n  - name: placed\n    objective: 99.9\n"
    slo += f"    labels: {slo_labels}\n" if slo_labels else ""
    return head + slo + SLI


def resource(meta_labels: str = "", spec_labels: str = "") -> str:
    """A PrometheusServiceLevel with one SLO, orders-placed, and the labels given."""
    text = "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata:\n  name: o\n"
    text += f"  labels: {meta_labels}\n" if meta_labels else ""
    text += "spec:\n  service: orders\n"
    text += f"  labels: {spec_labels}\n" if spec_labels else ""
    sli = SLI.replace("error_query", "errorQuery").replace("total_query", "totalQuery")
    sli = "".join(f"  {line}\n" for line in sli.splitlines())
    return text + "  slos:\n    - name: placed\n      objective: 99.9\n" + sli


def owner(load: Callable[[Files], Catalog], text: str) -> tuple[str, tuple[str, ...]]:
    """The team of orders-placed, and its notes."""
    slo = load({ROOT: ROOT_TEXT, FILE: text}).slo("orders-placed")
    assert slo is not None
    return slo.team, slo.notes


def test_label_values_are_stringified_as_sloth_does() -> None:
    problems = Problems()
    raw = {
        "team": "web",
        "tier": 2,
        "critical": True,
        "paging": False,
        "ratio": 1.5,
        "version": 2.0,
        "big": 1e6,
        "tiny": 0.00001,
        "empty": None,
        "since": datetime.date(2024, 5, 1),
        3: "three",
    }
    assert label_values(raw, "f.yml", "documents[1].labels", problems) == {
        "team": "web",
        "tier": "2",
        "critical": "true",
        "paging": "false",
        "ratio": "1.5",
        "version": "2",
        "big": "1e+06",
        "tiny": "1e-05",
        "empty": "",
        "since": "2024-05-01",
        "3": "three",
    }
    assert not problems.items


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1, "0.1"),
        (99.9, "99.9"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (3.14159265, "3.1415927"),
        (-0.0, "-0"),
        (float("inf"), ".inf"),
        (1e39, ".inf"),
    ],
)
def test_floats_are_spelled_like_go_float32(value: float, text: str) -> None:
    assert go_float32(value) == text


def test_a_list_or_mapping_label_value_is_refused() -> None:
    problems = Problems()
    labels = label_values({"team": ["web"], "ok": 1}, "f.yml", "documents[1].labels", problems)
    assert labels == {"ok": "1"}
    (problem,) = problems.items
    assert (problem.file, problem.path) == ("f.yml", "documents[1].labels.team")
    assert "label values must be a string, number or true/false, got a list" in problem.message


@pytest.mark.parametrize(
    ("labels", "team"), [("{team: 7}", "7"), ("{team: true}", "true"), ("{owner: 1.50}", "1.5")]
)
def test_scalar_team_labels_name_teams(
    load: Callable[[Files], Catalog], labels: str, team: str
) -> None:
    text = spec(file_labels=labels, slo_labels="{priority: 1, paging: false, cost: 0.5}")
    assert owner(load, text)[0] == team


def test_owner_names_the_team_when_there_is_no_team_label(
    load: Callable[[Files], Catalog],
) -> None:
    team, notes = owner(load, spec(file_labels="{owner: data, repo: org/orders}"))
    assert team == "data"
    assert "team data from labels.owner" in notes
    assert owner(load, spec(file_labels="{owner: data, team: web}"))[0] == "web"


def test_the_slos_own_label_wins_over_the_files(load: Callable[[Files], Catalog]) -> None:
    assert owner(load, spec("{team: web}", "{team: data}"))[0] == "data"
    team, notes = owner(load, spec("{team: web}", "{owner: data}"))
    assert team == "data"
    assert "team data from slos[0].labels.owner" in notes


def test_resource_spec_labels_win_over_metadata_labels(load: Callable[[Files], Catalog]) -> None:
    assert owner(load, resource("{team: web}", "{team: data}"))[0] == "data"
    assert owner(load, resource("{team: web}", "{owner: data}"))[0] == "data"
    assert owner(load, resource("{team: web}", "{tier: 2}"))[0] == "web"
    assert owner(load, resource("{owner: web}"))[0] == "web"


def test_a_resource_without_a_team_names_spec_labels(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: ROOT_TEXT, FILE: resource(spec_labels="{tier: 2}")})
    find(found, FILE, "spec.labels.team", "give the file a team label (spec.labels.team)")


def test_an_unknown_team_is_reported_where_the_label_is(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: ROOT_TEXT, FILE: resource("{team: web}", "{owner: dta}")})
    find(found, FILE, "spec.labels.owner", "unknown team 'dta' (known: 1.5, 7, data, true, web)")


BAD_TEAM: list[tuple[str, str, str]] = [
    # (id, Sloth file text, path of the bad team label)
    ("file", spec(file_labels="{team: web team}"), "labels.team"),
    ("slo", spec("{team: web}", "{owner: data/ops}"), "slos[0].labels.owner"),
    ("resource", resource(meta_labels="{team: 'web,data'}"), "metadata.labels.team"),
    (
        "documents",
        spec() + "---\n" + spec(slo_labels="{team: a b}"),
        "documents[1].slos[0].labels.team",
    ),
]


@pytest.mark.parametrize(("text", "path"), [c[1:] for c in BAD_TEAM], ids=[c[0] for c in BAD_TEAM])
def test_a_bad_team_name_is_a_problem_at_its_label(
    problems: Callable[[Files], list[Problem]], text: str, path: str
) -> None:
    found = problems({ROOT: ROOT_TEXT, FILE: text})
    problem = find(found, FILE, path, "team name ")
    assert "may only contain letters, digits" in problem.message
    assert [p.path for p in found].count(path) == 1


def test_a_bad_file_team_that_no_slo_uses_is_no_problem(load: Callable[[Files], Catalog]) -> None:
    assert owner(load, spec("{owner: Web Team <web@example.com>}", "{team: web}"))[0] == "web"


def test_a_list_team_label_names_its_path(problems: Callable[[Files], list[Problem]]) -> None:
    text = spec() + "---\n" + spec(file_labels="{team: [web, data]}")
    found = problems({ROOT: ROOT_TEXT, FILE: text})
    find(found, FILE, "documents[1].labels.team", "label values must be a string, number or")
