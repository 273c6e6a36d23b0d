"""Low traffic on a real Prometheus: a service with about 72 requests an hour and a few
failed ones in the last hour burns at 50x, which pages without `min_events` and is held
back, and said so, with it."""

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support.cli import budgetbot

QUERY = 'sum(rate(http_requests_total{{service="trickle"{code}}}[{{{{.window}}}}]))'


def slo(name: str, extra: str = "") -> str:
    return f"""
  - name: {name}
    service: trickle
    objective: 99.9{extra}
    sli:
      events:
        error_query: '{QUERY.format(code=',code="500"')}'
        total_query: '{QUERY.format(code="")}'
"""


@pytest.fixture(scope="module")
def status(prom: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    path = tmp_path_factory.mktemp("trickle") / "budgetbot.yaml"
    path.write_text(
        f"prometheus: {{url: {prom.url}}}\nteams:\n  ops: {{channel: C0OPS}}\n"
        "services:\n  trickle: {team: ops}\nalerts: {min_events: 1000}\nslos:"
        + slo("catalog-default")
        + slo("own-threshold", "\n    min_events: 50")
        + slo("no-threshold", "\n    min_events: 0"),
        encoding="utf-8",
    )
    run = budgetbot(
        "status", "--config", str(path), "--at", prom.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    return {doc["slo"]: doc for doc in json.loads(run.stdout)}


def test_the_burn_is_real(status: dict[str, dict[str, Any]], prom: Any) -> None:
    hour = prom.truth.error_ratio("trickle", prom.end, 3600)
    assert hour == pytest.approx(0.05, abs=0.05)  # a handful of requests failed
    assert status["no-threshold"]["burn_rates"]["1h"] == pytest.approx(hour / 0.001, rel=1e-3)


def test_without_min_events_a_handful_of_errors_pages(status: dict[str, dict[str, Any]]) -> None:
    assert status["no-threshold"]["alert"] == "page"
    assert status["no-threshold"]["held_back"] is None


def test_the_catalog_default_holds_the_page_back_and_says_why(
    status: dict[str, dict[str, Any]], prom: Any
) -> None:
    doc = status["catalog-default"]
    assert doc["alert"] is None
    _, events = prom.truth.counts("trickle", prom.end - timedelta(hours=1), prom.end)
    said = doc["held_back"]
    assert said.startswith("page held back for low traffic: ")
    assert said.endswith(" events in 1h, fewer than min_events 1000")
    assert float(said.split(": ")[1].split()[0]) == pytest.approx(events, rel=1e-3)


def test_an_slo_of_its_own_may_ask_for_fewer(status: dict[str, dict[str, Any]]) -> None:
    assert status["own-threshold"]["alert"] == "page"  # 72 events an hour are enough for 50
