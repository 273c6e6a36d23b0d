"""A PostgreSQL server of the test's own (initdb + pg_ctl on a free loopback port), to be
stopped and started again: never the machine's own server, which other tests share."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.cli import closed_port


def _bindir() -> Path:
    """Debian's PostgreSQL binaries (initdb and pg_ctl are not on PATH there)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        pytest.fail("initdb not found: install PostgreSQL's server package", pytrace=False)
    return Path(initdb).parent


class PostgresServer:
    def __init__(self, directory: Path) -> None:
        self.bindir = _bindir()
        self.data = directory / "data"
        self.port = closed_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        directory.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:  # initdb refuses to run as root
            shutil.chown(directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.data / "server.log"), "start")  # fmt: skip

    def kill(self) -> None:
        """Stop at once, as a crash would (connections are dropped)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_postgres, str(self.bindir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            pytest.fail(f"{tool} failed: {done.stdout}{done.stderr}", pytrace=False)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A fresh server, started; stopped (and its files removed) afterwards.

    Its files live in a directory of their own under the system temp folder, which the
    postgres user can reach (pytest's own temp folders are private to root).
    """
    directory = Path(tempfile.mkdtemp(prefix="budgetbot-pg-"))
    server = PostgresServer(directory)
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            [*server._as_postgres, str(server.bindir / "pg_ctl"), "-D", str(server.data),
             "-m", "immediate", "stop"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)
