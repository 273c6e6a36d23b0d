"""A throwaway local Prometheus (Debian's prometheus and promtool) holding backfilled data."""

import atexit
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Self

MISSING_MESSAGE = (
    "budgetbot needs Debian's prometheus package (prometheus and promtool): "
    "sudo apt-get install prometheus"
)
# promtool cuts blocks of this length; it divides a UTC day, so day files never overlap, and
# it is one of Prometheus's compaction ranges (2h, 6h, 18h, ...). 2.42 accepts the flag though
# its help does not list it.
BLOCK_DURATION = "6h"
_CONFIG = """\
# Written by budgetbot: a local Prometheus that only serves backfilled data.
global:
  evaluation_interval: 1m
"""


class PrometheusMissing(RuntimeError):
    """prometheus or promtool is not on PATH."""


class PrometheusFailed(RuntimeError):
    """promtool or prometheus failed, or Prometheus did not become ready in time."""


class LocalPrometheus:
    """A Prometheus server on a free 127.0.0.1 port, its TSDB under `workdir`; timeouts in s."""

    def __init__(
        self,
        workdir: Path,
        *,
        prometheus: str = "prometheus",
        promtool: str = "promtool",
        retention: str = "100y",
        rule_files: Sequence[Path] = (),
    ) -> None:
        """rule_files: loaded by the server (such as `budgetbot rules` writes)."""
        found = shutil.which(prometheus), shutil.which(promtool)
        if found[0] is None or found[1] is None:
            raise PrometheusMissing(MISSING_MESSAGE)
        self._prometheus, self._promtool = found[0], found[1]
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.config_path = workdir / "prometheus.yml"
        self.log_path = workdir / "prometheus.log"
        self._retention = retention
        self.rule_files = list(rule_files)
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._port = 0
        self._log_start = 0

    @property
    def url(self) -> str:
        """The base URL of the running server, e.g. http://127.0.0.1:40123."""
        if self._process is None:
            raise PrometheusFailed("Prometheus is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def pid(self) -> int:
        """The server process's id (to read its CPU time from /proc)."""
        if self._process is None:
            raise PrometheusFailed("Prometheus is not running; call start() first")
        return self._process.pid

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def backfill(self, files: Iterable[Path], *, parallel: int = 2, timeout: float = 600) -> None:
        """Turn OpenMetrics files into TSDB blocks in data_dir (promtool; `parallel` at once)."""
        if self._process is not None:
            raise PrometheusFailed("backfill before start(): a running server would miss blocks")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        paths = list(files)
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            errors = [e for e in pool.map(lambda p: self._create_blocks(p, timeout), paths) if e]
        if errors:
            raise PrometheusFailed(f"promtool failed on {len(errors)} file(s): {errors[0]}")

    def _create_blocks(self, path: Path, timeout: float) -> str | None:
        command = [
            self._promtool,
            *("tsdb", "create-blocks-from", "openmetrics", "--quiet"),
            f"--max-block-duration={BLOCK_DURATION}",
            str(path),
            str(self.data_dir),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"{path}: no result after {timeout:g} s"
        if done.returncode != 0:
            output = (done.stderr or done.stdout).decode(errors="replace").strip()
            return f"{path}: exit code {done.returncode}: {output[-2000:]}"
        return None

    def check_rules(self, path: Path) -> str:
        """`promtool check rules`: its output; PrometheusFailed when the file is refused."""
        command = [self._promtool, "check", "rules", str(path)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        output = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            raise PrometheusFailed(f"promtool check rules {path}: {output[-2000:]}")
        return output

    def start(self, *, ready_timeout: float = 60.0) -> str:
        """Launch prometheus and wait for /-/ready; returns the URL."""
        if self.running:
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        rules = "".join(f"  - {json.dumps(str(p))}\n" for p in self.rule_files)
        config = _CONFIG + (f"rule_files:\n{rules}" if rules else "")
        self.config_path.write_text(config, encoding="utf-8")
        for _attempt in range(3):
            self._launch()
            try:
                self._wait_ready(ready_timeout)
                return self.url
            except PrometheusFailed as failure:
                self.stop()
                if "address already in use" not in str(failure):
                    raise
        raise PrometheusFailed(f"no free port for Prometheus after 3 attempts\n{self._log_tail()}")

    def _launch(self) -> None:
        self._port = _free_port()
        command = [
            self._prometheus,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={self.data_dir}",
            f"--storage.tsdb.retention.time={self._retention}",
            f"--web.listen-address=127.0.0.1:{self._port}",
            "--log.level=warn",
        ]
        self._log = self.log_path.open("ab")
        self._log_start = self._log.tell()  # this run's output begins here
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        atexit.register(self.stop)

    def _wait_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise PrometheusFailed(f"prometheus exited with code {code}:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise PrometheusFailed(
            f"prometheus was not ready after {timeout:g} s ({self.log_path}):\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 10) -> str:
        """This run's error lines (at most 5) and its last `lines` lines of output."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self._log_start)
                text = log.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        every = text.splitlines()
        errors = [line for line in every if "error" in line.lower()][:5]
        shown = list(dict.fromkeys([*errors, *every[-lines:]]))
        return "\n".join(shown) or "(empty log)"

    def stop(self, *, grace: float = 10.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after `grace` seconds); idempotent."""
        process, self._process = self._process, None
        if process is not None:
            atexit.unregister(self.stop)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(grace)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
