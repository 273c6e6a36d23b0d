"""Environment contract (README.md, Configuration; docs/catalog.md) and time parsing."""

from datetime import UTC, datetime

import pytest

from bot.settings import Settings, SettingsError
from bot.times import format_time, parse_time


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.config_path == "budgetbot.yaml"
    assert s.database_url == "sqlite:///budgetbot.db"
    assert (s.port, s.evaluation_interval, s.now, s.prometheus_url) == (3000, 60, None, None)


def test_every_variable_is_read() -> None:
    s = Settings.from_env(
        {
            "BUDGETBOT_CONFIG": "/etc/budgetbot/catalog.yaml",
            "DATABASE_URL": "postgresql+psycopg://bot@db/budgetbot",
            "PROMETHEUS_URL": "http://prom:9090",
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "SLACK_SIGNING_SECRET": "shh",
            "SLACK_APP_TOKEN": "xapp-secret",
            "SLACK_API_URL": "http://127.0.0.1:8888/api/",
            "PORT": "8080",
            "BUDGETBOT_NOW": "2026-03-02T12:00:00Z",
            "BUDGETBOT_EVALUATION_INTERVAL": "30",
            "BUDGETBOT_API_TOKEN": "tok",
        }
    )
    assert s.config_path == "/etc/budgetbot/catalog.yaml"
    assert s.prometheus_url == "http://prom:9090"
    assert s.port == 8080 and s.evaluation_interval == 30
    assert s.now == datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert (s.slack_bot_token, s.api_token) == ("xoxb-secret", "tok")


def test_secrets_never_show_in_repr() -> None:
    s = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "SLACK_SIGNING_SECRET": "shh",
            "BUDGETBOT_API_TOKEN": "t0k",
        }
    )
    text = repr(s)
    assert "xoxb-secret" not in text and "shh" not in text and "t0k" not in text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "http"}, "PORT must be a positive whole number"),
        ({"BUDGETBOT_EVALUATION_INTERVAL": "0"}, "BUDGETBOT_EVALUATION_INTERVAL"),
        ({"BUDGETBOT_NOW": "yesterday"}, "BUDGETBOT_NOW"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T12:00:00Z", datetime(2026, 3, 2, 12, tzinfo=UTC)),
        ("2026-03-02T13:00:00+01:00", datetime(2026, 3, 2, 12, tzinfo=UTC)),
        ("1772452800", datetime(2026, 3, 2, 12, tzinfo=UTC)),
        ("1772452800.5", datetime(2026, 3, 2, 12, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected
    assert format_time(parse_time(text)) == "2026-03-02T12:00:00Z"


@pytest.mark.parametrize("text", ["tomorrow", "2026-03-02T12:00:00", ""])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="time"):
        parse_time(text)
