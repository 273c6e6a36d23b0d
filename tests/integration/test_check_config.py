# ruff: noqa: E501  (catalog YAML lines are kept whole)
"""`budgetbot check-config`: every SLO it derived, its queries parsed, and --live on a real
Prometheus reporting one series / several / none (docs/catalog.md)."""

import json
from pathlib import Path
from typing import Any

from tests.integration.test_cli import assert_no_traceback
from tests.support.cli import budgetbot

ROOT = """\
prometheus: {{url: '{url}'}}
teams:
  payments: {{channel: C0PAY}}
services:
  steady: {{team: payments}}
slos:
  - name: one-series
    service: steady
    objective: 99.9
    sli:
      events:
        error_query: 'sum(increase(http_requests_total{{service="steady",code="500"}}[{{{{.window}}}}]))'
        total_query: 'sum(rate(http_requests_total{{service="steady"}}[{{{{.window}}}}]))'
  - name: several-series
    service: steady
    objective: 99.9
    sli:
      events:
        error_query: 'sum(rate(http_requests_total{{service="steady",code="500"}}[{{{{.window}}}}]))'
        total_query: 'rate(http_requests_total{{service="steady"}}[{{{{.window}}}}])'
  - name: no-series
    service: steady
    objective: 99.9
    sli:
      events:
        error_query: 'sum(rate(http_requests_total{{service="nowhere",code="500"}}[{{{{.window}}}}]))'
        total_query: 'sum(rate(http_requests_total{{service="nowhere"}}[{{{{.window}}}}]))'
include:
  - {{path: sloth.yml, team: payments, window: 28d}}
"""
SLOTH = """\
version: prometheus/v1
service: search
slo_plugins: {chain: [{id: "sloth.dev/core/debug/v1"}]}
slos:
  - name: avail
    objective: 99
    sli: {raw: {error_ratio_query: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))'}}
"""


def write(directory: Path, url: str) -> Path:
    (directory / "budgetbot.yaml").write_text(ROOT.format(url=url))
    (directory / "sloth.yml").write_text(SLOTH)
    return directory / "budgetbot.yaml"


def test_json_lists_every_derived_slo(tmp_path: Path) -> None:
    catalog = write(tmp_path, "http://127.0.0.1:9")
    run = budgetbot("check-config", "--config", str(catalog), "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [t["name"] for t in doc["teams"]] == ["payments"]
    assert {s["name"] for s in doc["services"]} == {"steady", "search"}
    slos = {s["name"]: s for s in doc["slos"]}
    assert slos["one-series"]["sli_kind"] == "count/rate"
    assert slos["several-series"]["sli_kind"] == "rate"
    sloth = slos["search-avail"]
    assert sloth["sli_kind"] == "ratio" and sloth["window"] == "28d"
    assert (sloth["team"], sloth["tier"], sloth["objective"]) == ("payments", "production", 99)
    assert sloth["file"].endswith("sloth.yml")
    assert any("28d from the include" in note for note in sloth["notes"])
    assert set(sloth) == {
        "name", "service", "team", "tier", "objective", "window", "file", "sli_kind", "notes"
    }  # fmt: skip


def test_the_table_lists_every_slo_with_its_kind(tmp_path: Path) -> None:
    run = budgetbot("check-config", "--config", str(write(tmp_path, "http://127.0.0.1:9")))
    assert run.returncode == 0, run.stderr
    for text in ("Catalog OK", "one-series", "search-avail", "count/rate", "ratio", "28d"):
        assert text in run.stdout


def test_live_reports_one_several_or_no_series(tmp_path: Path, prom: Any) -> None:
    catalog = write(tmp_path, prom.url)
    at = prom.end.isoformat()
    run = budgetbot(
        "check-config", "--config", str(catalog), "--live", "--at", at, "--format", "json"
    )
    assert run.returncode == 3, run.stderr  # some query is unusable
    live = {s["name"]: s["live"] for s in json.loads(run.stdout)["slos"]}
    assert live["one-series"] == {"error_query": "one", "total_query": "one"}
    assert live["several-series"] == {"error_query": "one", "total_query": "several"}
    assert live["no-series"] == {"error_query": "none", "total_query": "none"}
    assert live["search-avail"] == {"error_ratio_query": "none"}
    table = budgetbot("check-config", "--config", str(catalog), "--live", "--at", at)
    assert table.returncode == 3
    assert "total_query: several" in table.stdout and "error_query: none" in table.stdout


def test_a_query_that_does_not_parse_names_file_path_slo_and_parser(tmp_path: Path) -> None:
    catalog = write(tmp_path, "http://127.0.0.1:9")
    text = catalog.read_text().replace(
        "'rate(http_requests_total{service=\"steady\"}[{{.window}}])'",
        "'sum(rate(http_requests_total{service=\"steady\"}[{{.window}}])'",
    )
    text = text.replace(
        'sum(rate(http_requests_total{service="nowhere"}',
        'sum by (code) (rate(http_requests_total{service="nowhere"}',
    )
    catalog.write_text(text)
    run = budgetbot("check-config", "--config", str(catalog))
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert any(
        f"{catalog}: slos[1].sli.events.total_query: SLO several-series: invalid PromQL: "
        "unclosed left parenthesis" in line
        for line in lines
    ), run.stderr
    assert any(
        "slos[2].sli.events.total_query: SLO no-series: sum by (code) returns one series per "
        "group" in line
        for line in lines
    ), run.stderr
    assert_no_traceback(run)
