"""The one bootstrap (bot/bootstrap.py): every part from Settings, built once and only when
asked for; the use cases it assembles run on a migrated database and refuse any other."""

from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Bootstrap
from bot.metrics.prometheus import PrometheusSource
from bot.settings import Settings, SettingsError
from bot.slack.notifier import PrintNotifier, SlackNotifier
from storage.migrate import SchemaNotCurrent
from tests.support.catalogs import alerting_catalog
from tests.support.cli import closed_port

SLACK = {"notifier", "slack_client", "renderer"}


def settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'boot.db'}", **extra)


def test_the_gate_needs_no_slack(tmp_path: Path, prom: Any) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("steady", "overspent"))
    with Bootstrap(settings(tmp_path, slack_bot_token="xoxb-x"), str(catalog), at=prom.end) as boot:
        boot.migrate()
        answer = boot.gate_of("overspent").ask("overspent", "test")
        assert (answer.verdict.decision, answer.verdict.allowed) == ("frozen", False)
        assert [s.slo.name for s in answer.statuses] == ["overspent-availability"]
        assert answer.at == prom.end == boot.now()
        assert not SLACK & set(vars(boot))


def test_catalog_and_source_open_no_database(tmp_path: Path) -> None:
    catalog = alerting_catalog(tmp_path, "http://127.0.0.1:9", ("steady",))
    boot = Bootstrap(settings(tmp_path, prometheus_url="http://metrics:8428"), str(catalog))
    assert [s.name for s in boot.catalog.slos] == ["steady-availability"]
    source = boot.source
    assert isinstance(source, PrometheusSource) and source.url == "http://metrics:8428"
    # one evaluation: no clock hours kept, but recorded hours read and reads shared
    assert source.hourly is None and source.recorded is not None and source.share_reads
    assert boot.chart_source is not source and boot.chart_source.hourly is not None
    assert "engine" not in vars(boot) and not (tmp_path / "boot.db").exists()


def test_serving_reuses_hours_and_shares_the_source_with_the_chart(tmp_path: Path) -> None:
    catalog = alerting_catalog(tmp_path, "http://127.0.0.1:9", ("steady",))
    boot = Bootstrap(settings(tmp_path), str(catalog), serving=True)
    assert boot.prometheus.url == "http://127.0.0.1:9" and boot.prometheus.timeout == 10.0
    assert boot.prometheus.hourly is not None and boot.chart_source is boot.prometheus
    assert boot.source is not boot.prometheus  # timed into boot.metrics


def test_no_prometheus_url_is_a_settings_error(tmp_path: Path) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("teams: {t: {channel: C1}}\nservices: {s: {team: t}}\n")
    with pytest.raises(SettingsError, match="no Prometheus URL"):
        _ = Bootstrap(settings(tmp_path), str(catalog)).prometheus


def test_the_notifier_is_slack_with_a_token_else_printed(tmp_path: Path) -> None:
    shown: list[str] = []
    printed = Bootstrap(settings(tmp_path), show=shown.append).notifier
    assert isinstance(printed, PrintNotifier)
    printed.post("C1", "hello", [])
    assert any("hello" in line for line in shown)
    slack = Bootstrap(settings(tmp_path, slack_bot_token="xoxb-x")).notifier
    assert isinstance(slack, SlackNotifier)


def test_the_unit_of_work_refuses_a_schema_not_at_head(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    catalog = alerting_catalog(tmp_path, url, ("steady",))
    with Bootstrap(settings(tmp_path), str(catalog)) as boot:
        with pytest.raises(SchemaNotCurrent, match=r"at none, needs \d+"):
            _ = boot.incidents
        boot.migrate()
        assert boot.incidents.find() == []
