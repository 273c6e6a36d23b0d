"""The real `budgetbot serve` process on a free loopback port, for end-to-end tests."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.cli import clean_env, closed_port
from tests.support.waiting import wait_until

SIGNING_SECRET = "e2e-signing-secret"
BOT_TOKEN = "xoxb-e2e-token"


class ServeProcess:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def metric(self, line_start: str) -> float:
        """The value of the first /metrics sample whose line starts with `line_start`."""
        _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(line_start):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def wait_metric(self, line_start: str, at_least: float, timeout: float = 30) -> float:
        """Poll /metrics until the sample reaches `at_least` (a deterministic wait)."""
        last = [0.0]

        def reached() -> bool:
            last[0] = self.metric(line_start)
            return last[0] >= at_least

        def stayed() -> str:
            return f"{line_start} stayed at {last[0]} < {at_least}"

        wait_until(reached, timeout, stayed, interval=0.2)
        return last[0]

    def health(self) -> dict[str, Any]:
        status, body = self.get("/healthz")
        assert status == 200, body
        return dict(json.loads(body))


@contextmanager
def serve(
    workdir: Path, catalog: Path, api_url: str, *extra: str, **env: str
) -> Iterator[ServeProcess]:
    """Start `budgetbot serve`, wait for /healthz, stop it afterwards (log kept on failure)."""
    port = closed_port()
    settings = {
        "BUDGETBOT_CONFIG": str(catalog),
        "DATABASE_URL": f"sqlite:///{workdir / 'budgetbot.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "PORT": str(port),
        **env,
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", *extra]
    log = workdir / f"serve-{port}.log"
    with healthy(command, clean_env(**settings), port, log, timeout=60) as server:
        yield server


@contextmanager
def healthy(
    command: list[str],
    env: dict[str, str],
    port: int,
    log: Path,
    *,
    timeout: float,
    cwd: Path | None = None,
) -> Iterator[ServeProcess]:
    """Run `command` (a server on `port`), wait until its /healthz answers 200, and stop it
    afterwards: terminated, killed after 15 s. Its output goes to `log`."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    server = ServeProcess(process, f"http://127.0.0.1:{port}", log)

    def healthy_now() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"{command[2:]} exited {process.returncode}:\n{log.read_text()}")
        try:
            return server.get("/healthz")[0] == 200
        except OSError:  # not listening yet
            return False

    try:
        wait_until(
            healthy_now,
            timeout,
            lambda: f"{command[2:]} did not become healthy:\n{log.read_text()}",
            interval=0.2,
        )
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
