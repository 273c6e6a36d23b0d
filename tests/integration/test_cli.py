"""The `budgetbot` command's answers to people: summaries, and clear errors without tracebacks."""

import json
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from tests.support.catalogs import mixed_catalog
from tests.support.cli import budgetbot, clean_env, closed_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "budgetbot.yaml"


def assert_no_traceback(run: CompletedProcess[str]) -> None:
    assert "Traceback" not in run.stderr + run.stdout


def test_check_config_summarises_the_examples() -> None:
    run = budgetbot("check-config", "--config", str(EXAMPLES))
    assert run.returncode == 0, run.stderr
    assert "Catalog OK" in run.stdout
    assert "search-sloth.yml" in run.stdout and "payments" in run.stdout


def test_check_config_names_file_path_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(
        "teams: {t: {channel: C1}}\nservices: {s: {team: t}}\n"
        "slos:\n  - {name: a, service: s, objective: 100, sli: {events: "
        "{error_query: 'e[{{.window}}]', total_query: 't[{{.window}}]'}}}\n"
        "  - {name: b, service: nope, objective: 99, sli: {events: "
        "{error_query: 'e[{{.window}}]', total_query: 't[{{.window}}]'}}}\n"
    )
    run = budgetbot("check-config", "--config", str(bad))
    assert run.returncode == 1
    assert f"{bad}: slos[0].objective:" in run.stderr
    assert f"{bad}: slos[1].service:" in run.stderr and "nope" in run.stderr
    assert_no_traceback(run)


def test_missing_catalog_is_named(tmp_path: Path) -> None:
    run = budgetbot("status", "--config", str(tmp_path / "absent.yaml"))
    assert run.returncode == 1
    assert "absent.yaml" in run.stderr
    assert_no_traceback(run)


def test_unreachable_prometheus_is_one_line_exit_2(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    catalog = mixed_catalog(tmp_path, url)
    run = budgetbot("status", "--config", str(catalog), "--format", "json")
    assert run.returncode == 2
    assert run.stdout == ""  # never "all good", never "exhausted"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Prometheus" in lines[0] and url in lines[0]
    assert_no_traceback(run)


def test_prometheus_url_from_the_environment_wins(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, f"http://127.0.0.1:{closed_port()}")
    env = clean_env(PROMETHEUS_URL=prom.url)
    run = budgetbot(
        "status",
        "--config",
        str(catalog),
        "--slo",
        "steady-availability",
        "--at",
        prom.end.isoformat(),
        "--format",
        "json",
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert [d["slo"] for d in json.loads(run.stdout)] == ["steady-availability"]


def test_a_query_that_does_not_parse_refuses_the_catalog(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    text = catalog.read_text().replace(
        'sum(rate(http_requests_total{service="quiet",code="500"}',
        'sum(rate(http_requests_total{service="quiet",code="500"}}',  # a PromQL syntax error
    )
    catalog.write_text(text)
    run = budgetbot("status", "--config", str(catalog), "--at", prom.end.isoformat())
    assert run.returncode == 1
    assert "sli.events.error_query: SLO quiet-availability: invalid PromQL" in run.stderr
    assert_no_traceback(run)


def test_one_bad_query_fails_only_its_slo(tmp_path: Path, prom: Any) -> None:
    """A query that parses but that Prometheus refuses to run fails only its own SLO."""
    catalog = mixed_catalog(tmp_path, prom.url)
    text = catalog.read_text().replace(
        'sum(rate(http_requests_total{service="quiet",code="500"}[{{.window}}]))',
        # many-to-many matching: valid PromQL, refused when evaluated
        'sum(rate(http_requests_total{service="quiet"}[{{.window}}]) - on() '
        'rate(http_requests_total{service="quiet"}[{{.window}}]))',
    )
    assert text != catalog.read_text()
    catalog.write_text(text)
    run = budgetbot(
        "status", "--config", str(catalog), "--at", prom.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 3, run.stderr
    docs = {d["slo"]: d for d in json.loads(run.stdout)}
    assert docs["quiet-availability"]["data"] == "error"
    assert "many-to-many" in docs["quiet-availability"]["message"]
    assert docs["quiet-availability"]["gate"] is None
    others = [d for name, d in docs.items() if name != "quiet-availability"]
    assert others and all(d["data"] == "ok" for d in others)


def test_table_output_for_people(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    run = budgetbot(
        "status", "--config", str(catalog), "--at", prom.end.isoformat(), "--team", "search"
    )
    assert run.returncode == 0, run.stderr
    assert "slowburn-availability" in run.stdout and "steady" not in run.stdout
    assert "ticket" in run.stdout


def test_unknown_names_suggest_close_matches(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    run = budgetbot("status", "--config", str(catalog), "--service", "stedy")
    assert run.returncode == 1
    assert "did you mean steady" in run.stderr
    assert_no_traceback(run)


def test_bad_time_is_explained(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    run = budgetbot("status", "--config", str(catalog), "--at", "yesterday")
    assert run.returncode == 1 and "RFC 3339" in run.stderr
    assert_no_traceback(run)


@pytest.mark.parametrize(
    ("command", "expected"),
    [(["status"], "steady-availability"), (["check-config"], "budgetbot.yaml")],
)
def test_budgetbot_config_variable_is_the_default(
    command: list[str], expected: str, tmp_path: Path, prom: Any
) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    env = clean_env(BUDGETBOT_CONFIG=str(catalog), BUDGETBOT_NOW=prom.end.isoformat())
    run = budgetbot(*command, env=env)
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout


def test_bad_arguments_exit_1_not_the_prometheus_code() -> None:
    run = budgetbot("status", "--format", "xml")
    assert run.returncode == 1
    assert "invalid choice" in run.stderr


def test_prometheus_password_is_never_printed(tmp_path: Path) -> None:
    catalog = mixed_catalog(tmp_path, "http://127.0.0.1:9")
    url = f"http://bot:s3cret@127.0.0.1:{closed_port()}"
    run = budgetbot("status", "--config", str(catalog), env=clean_env(PROMETHEUS_URL=url))
    assert run.returncode == 2
    assert "s3cret" not in run.stderr and "bot:***@127.0.0.1" in run.stderr


def test_bad_prometheus_url_is_named(tmp_path: Path) -> None:
    catalog = mixed_catalog(tmp_path, "http://127.0.0.1:9")
    run = budgetbot("status", "--config", str(catalog), env=clean_env(PROMETHEUS_URL="prom:9090"))
    assert run.returncode == 1 and "PROMETHEUS_URL" in run.stderr
    assert_no_traceback(run)


def test_no_data_exits_3_and_keeps_the_others(tmp_path: Path, prom: Any) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    catalog.write_text(catalog.read_text().replace('service="short"}', 'service="nowhere"}'))
    run = budgetbot(
        "status", "--config", str(catalog), "--at", prom.end.isoformat(), "--format", "json"
    )
    assert run.returncode == 3, run.stderr
    docs = {d["slo"]: d for d in json.loads(run.stdout)}
    assert docs["short-availability"]["data"] == "no_data"
    assert docs["short-availability"]["budget_remaining"] is None
    assert docs["steady-availability"]["data"] == "ok"


def test_config_may_come_before_the_command(tmp_path: Path) -> None:
    catalog = mixed_catalog(tmp_path, "http://127.0.0.1:9")
    run = budgetbot("--config", str(catalog), "check-config")
    assert run.returncode == 0, run.stderr
    assert "Catalog OK" in run.stdout and "steady-availability" in run.stdout
