"""A Prometheus that answers nonsense is reported as such, never as "all good" (issue:
faults and bad input). A faulty proxy stands in front of the real Prometheus."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.metrics.errors import PrometheusError
from bot.metrics.prometheus import PrometheusSource
from bot.metrics.promql import Term
from tests.integration.test_cli import assert_no_traceback
from tests.support.catalogs import mixed_catalog
from tests.support.cli import budgetbot, clean_env, migrate
from tests.support.faulty_proxy import FaultyProxy, faulty_proxy


@pytest.fixture
def proxied(prom: Any, tmp_path: Path) -> Iterator[tuple[Path, FaultyProxy]]:
    with faulty_proxy(prom.url) as (url, proxy):
        yield mixed_catalog(tmp_path, url), proxy


@pytest.fixture
def gate_env(tmp_path: Path) -> dict[str, str]:
    """`budgetbot gate` records its verdict: a migrated database of the test's own."""
    return migrate(clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'gate.db'}"))


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("error-200", "HTTP 200 without a query result"),
        ("no-data", "HTTP 200 without a query result"),
        ("not-json", "an answer that is not JSON"),
        ("abc", "a sample that is not [time, number]"),
    ],
)
def test_nonsense_is_prometheus_failing_exit_2(
    proxied: tuple[Path, FaultyProxy], gate_env: dict[str, str], prom: Any, mode: str, words: str
) -> None:
    catalog, proxy = proxied
    proxy.mode = mode
    for command in (["status", "--format", "json"], ["gate", "--service", "steady"]):
        run = budgetbot(
            *command, "--config", str(catalog), "--at", prom.end.isoformat(), env=gate_env
        )
        assert run.returncode == 2, (mode, command, run.stdout, run.stderr)
        assert run.stdout == ""  # never a budget, never "open"
        assert words in run.stderr and "127.0.0.1" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
        assert_no_traceback(run)


@pytest.mark.parametrize(("mode", "shown"), [("nan", "NaN"), ("inf", "inf"), ("negative", "-5")])
def test_garbage_values_are_data_errors_never_a_gate(
    proxied: tuple[Path, FaultyProxy], gate_env: dict[str, str], prom: Any, mode: str, shown: str
) -> None:
    catalog, proxy = proxied
    proxy.mode = mode
    at = prom.end.isoformat()
    run = budgetbot("status", "--config", str(catalog), "--at", at, "--format", "json")
    assert run.returncode == 3, run.stderr
    docs = json.loads(run.stdout)  # valid JSON: no NaN in it
    assert docs and all(d["data"] == "error" and d["gate"] is None for d in docs)
    assert all(f"returned {shown}" in d["message"] for d in docs)
    gate = budgetbot(
        "gate", "--service", "steady", "--config", str(catalog), "--at", at, "--format", "json",
        env=gate_env,
    )  # fmt: skip
    assert gate.returncode == 3, gate.stdout + gate.stderr  # unknown: not allowed, not frozen
    verdict = json.loads(gate.stdout)
    assert (verdict["decision"], verdict["allowed"]) == ("unknown", False)


def test_a_slow_answer_is_named_as_such(proxied: tuple[Path, FaultyProxy], prom: Any) -> None:
    _, proxy = proxied
    proxy.mode, proxy.delay = "slow", 2.0
    source = PrometheusSource(proxy.url, timeout=0.5)
    with pytest.raises(PrometheusError) as caught:
        source.evaluate([Term(0, "sum(up)")], prom.end)
    assert "no answer within 0.5 s" in str(caught.value)
    assert "query=" not in str(caught.value) and "label_replace" not in str(caught.value)


@pytest.mark.parametrize(("mode", "data", "words"), [
    ("drop", "no_data", "no series"),
    ("duplicate", "error", "an SLI query must return one"),
])  # fmt: skip
def test_dropped_and_duplicated_series_are_no_data_or_errors(
    proxied: tuple[Path, FaultyProxy], prom: Any, mode: str, data: str, words: str
) -> None:
    catalog, proxy = proxied
    proxy.mode = mode
    at = prom.end.isoformat()
    run = budgetbot("status", "--config", str(catalog), "--at", at, "--format", "json")
    assert run.returncode == 3, run.stderr
    docs = json.loads(run.stdout)
    assert docs and all(d["data"] == data and d["gate"] is None for d in docs)
    assert all(words in d["message"] for d in docs)
