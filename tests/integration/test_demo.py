"""`budgetbot demo`, the quick start's main command, end to end: budgets, the incident,
a day of alerts, and the payments team's weekly digest with its chart written to a file."""

from pathlib import Path

from tests.support.cli import budgetbot, clean_env

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
