"""`budgetbot demo`, the quick start's main command, end to end: budgets, the incident,
a day of alerts, and the payments team's weekly digest with its chart written to a file."""

import os
from functools import partial
from pathlib import Path

from tests.support.cli import budgetbot, clean_env
from tests.support.waiting import wait_until

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_demo_ends_with_a_weekly_digest_and_its_chart(tmp_path: Path) -> None:
    env = clean_env(BUDGETBOT_NOW="2026-11-23T10:00:00Z")  # a Monday, week 48
    run = budgetbot("demo", "--dir", str(tmp_path / "demo"), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "export-availability" in out and "frozen" in out  # the status table
    assert "severity:         SEV1" in out  # the checkout incident
    assert "PAGE: payments-api-availability is burning" in out  # the replayed alerts
    digest = out[out.index("Weekly digest of payments (2026-W48") :]
    assert "Verdict: slow down: 2 SLOs in caution" in digest
    assert "search-availability" not in digest and "export-availability" not in digest
    assert "ACT-1 U0ALICE: 2 day(s) overdue" in digest and "ACT-2 U0BOB: due" in digest
    chart = tmp_path / "demo" / "budget-payments-2026-W48.png"
    assert f"Chart: {chart}" in digest.replace("\n", "")
    assert chart.read_bytes().startswith(PNG)


def test_sigterm_stops_the_demo_and_its_prometheus(tmp_path: Path) -> None:
    """`demo --keep-running` ended by SIGTERM (a service manager, CI) leaves nothing running."""
    import signal
    import subprocess
    import sys
    import time

    env = clean_env(BUDGETBOT_NOW="2026-11-23T10:00:00Z")
    demo = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--dir", str(tmp_path / "demo"), "--keep-running"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    seen = ""
    deadline = time.monotonic() + 240
    while "keeps running" not in seen and time.monotonic() < deadline:
        line = demo.stdout.readline()
        if not line:
            break
        seen += line
    assert "keeps running" in seen, seen
    children = subprocess.run(
        ["pgrep", "-P", str(demo.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the demo's Prometheus is a child process"
    demo.send_signal(signal.SIGTERM)
    demo.wait(timeout=30)
    demo.stdout.close()
    for pid in map(int, children):
        wait_until(partial(_gone, pid), 5, f"Prometheus (pid {pid}) outlived the demo")


def _gone(pid: int) -> bool:
    """Whether no process `pid` is left (os.kill with signal 0 only asks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
