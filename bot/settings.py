"""Configuration from the environment, read once at start (never at import)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.times import parse_time


class SettingsError(ValueError):
    """An environment variable has a value budgetbot cannot use."""


@dataclass(frozen=True)
class Settings:
    config_path: str = "budgetbot.yaml"
    database_url: str = "sqlite:///budgetbot.db"
    prometheus_url: str | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    port: int = 3000
    now: datetime | None = None
    evaluation_interval: int = 60  # seconds
    api_token: str | None = field(default=None, repr=False)
    # The environment as it was at start: policy webhooks' secrets are read from it by name.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def secret(self, name: str) -> str | None:
        """The value of the environment variable `name` at start (a policy's secret_env)."""
        return self.environment.get(name) or None  # as it is: a stripped key would not verify

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Settings from environment variables (README.md, Configuration; docs/catalog.md)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        try:
            now = parse_time(env["BUDGETBOT_NOW"]) if get("BUDGETBOT_NOW") else None
        except ValueError as exc:
            raise SettingsError(f"BUDGETBOT_NOW: {exc}") from None
        prometheus_url = get("PROMETHEUS_URL")
        if prometheus_url and not prometheus_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"PROMETHEUS_URL must start with http:// or https://, not {prometheus_url!r}"
            )
        return cls(
            config_path=get("BUDGETBOT_CONFIG") or cls.config_path,
            database_url=get("DATABASE_URL") or cls.database_url,
            prometheus_url=prometheus_url,
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL"),
            port=_positive_int(env, "PORT", cls.port),
            now=now,
            evaluation_interval=_positive_int(
                env, "BUDGETBOT_EVALUATION_INTERVAL", cls.evaluation_interval
            ),
            api_token=get("BUDGETBOT_API_TOKEN"),
            environment=dict(env),
        )


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise SettingsError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)
