"""Running the real `budgetbot` command in a subprocess, with a clean environment."""

import os
import socket
import subprocess
import sys

# Variables of README.md, Configuration; docs/catalog.md that would change what the command reads.
_CONTRACT = ("BUDGETBOT_CONFIG", "BUDGETBOT_NOW", "PROMETHEUS_URL", "DATABASE_URL")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without budgetbot's variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in _CONTRACT}
    env.update(extra)
    return env


def budgetbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS`; stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env() if env is None else env,
    )


def migrate(env: dict[str, str]) -> dict[str, str]:
    """`budgetbot migrate` on env's DATABASE_URL, as a deployment runs it before any other
    command against a new database (only `serve` migrates by itself); returns env."""
    assert "DATABASE_URL" in env, "migrate which database? set DATABASE_URL in env"
    run = budgetbot("migrate", env=env)
    assert run.returncode == 0, run.stderr
    return env


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
