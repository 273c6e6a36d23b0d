"""The weekly digest end to end: `budgetbot digest` and `budgetbot serve` against the Slack
stand-in, on the real Prometheus; once per team per week, its own SLOs, a chart."""

import sqlite3
from pathlib import Path
from typing import Any

from tests.support.catalogs import digest_catalog
from tests.support.cli import budgetbot, clean_env, migrate
from tests.support.server import BOT_TOKEN, serve
from tests.support.slack_api import SlackStandIn

PNG = b"\x89PNG\r\n\x1a\n"


def digest_env(tmp_path: Path, slack: SlackStandIn, **extra: str) -> dict[str, str]:
    """The environment of `budgetbot digest` on a new database, migrated first."""
    return migrate(
        clean_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'digest.db'}",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_API_URL=slack.api_url,
            **extra,
        )
    )


def digest(catalog: Path, at: Any, env: dict[str, str], *args: str) -> Any:
    return budgetbot("digest", "--config", str(catalog), "--at", at.isoformat(), *args, env=env)


def posts_by_channel(slack: SlackStandIn) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for call in slack.calls_to("chat.postMessage"):
        found.setdefault(call.body["channel"], []).append(str(call.body["blocks"]))
    return found


def charts_by_channel(slack: SlackStandIn) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for upload in slack.uploads.values():
        if upload.completed and upload.channel_id and upload.data:
            found.setdefault(upload.channel_id, []).append(upload.data)
    return found


def test_each_team_gets_its_own_digest_and_chart_once_a_week(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = digest_catalog(tmp_path, prom.url)
    env = digest_env(tmp_path, slack_api)
    first = digest(catalog, prom.end, env)
    assert first.returncode == 0, first.stderr
    assert "payments 2026-W10: posted" in first.stdout
    assert "search 2026-W10: posted" in first.stdout
    posts = posts_by_channel(slack_api)
    assert sorted(posts) == ["C0PAY", "C0SRCH"] and all(len(p) == 1 for p in posts.values())
    assert (
        "steady-availability" in posts["C0PAY"][0] and "incident-availability" in posts["C0PAY"][0]
    )
    assert "slowburn-availability" not in posts["C0PAY"][0]
    assert "overspent-availability" not in posts["C0PAY"][0]
    assert "frozen: overspent-availability has overspent" in posts["C0SRCH"][0]
    assert "steady-availability" not in posts["C0SRCH"][0]
    charts = charts_by_channel(slack_api)
    assert sorted(charts) == ["C0PAY", "C0SRCH"]
    assert all(c[0].startswith(PNG) and len(c[0]) > 10_000 for c in charts.values())
    slack_api.assert_no_violations()

    # the same week again, later: nothing; forced: one more post for the chosen team
    again = digest(catalog, prom.end.replace(hour=18), env)
    assert again.returncode == 0, again.stderr
    assert "payments 2026-W10: already posted (--force posts it again)" in again.stdout
    assert len(slack_api.calls_to("chat.postMessage")) == 2
    forced = digest(catalog, prom.end, env, "--team", "search", "--force")
    assert forced.returncode == 0 and "search 2026-W10: posted" in forced.stdout
    assert [len(p) for p in posts_by_channel(slack_api).values()] == [1, 2]
    with sqlite3.connect(tmp_path / "digest.db") as db:
        rows = db.execute(
            "SELECT team, week, channel, ts IS NOT NULL FROM digest_run ORDER BY team"
        )
        assert rows.fetchall() == [
            ("payments", "2026-W10", "C0PAY", 1),
            ("search", "2026-W10", "C0SRCH", 1),
        ]


def test_a_refused_post_is_tried_again_and_prometheus_down_posts_nothing(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = digest_catalog(tmp_path, prom.url)
    env = digest_env(tmp_path, slack_api)
    slack_api.error_next("chat.postMessage", "channel_not_found")
    refused = digest(catalog, prom.end, env, "--team", "payments")
    assert refused.returncode == 3
    assert "payments 2026-W10: failed: Slack answered channel_not_found" in refused.stdout
    retried = digest(catalog, prom.end, env, "--team", "payments")
    assert retried.returncode == 0 and "payments 2026-W10: posted" in retried.stdout

    down = digest(
        catalog, prom.end, {**env, "PROMETHEUS_URL": "http://127.0.0.1:9"}, "--team", "search"
    )
    assert down.returncode == 2
    assert "Prometheus" in down.stderr and "Traceback" not in down.stderr
    assert "C0SRCH" not in posts_by_channel(slack_api)
    assert digest(catalog, prom.end, env, "--team", "search").stdout.strip().endswith("posted")


def test_print_writes_the_chart_and_posts_nothing(prom: Any, tmp_path: Path) -> None:
    catalog = digest_catalog(tmp_path, prom.url)
    env = migrate(clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'digest.db'}"))
    run = digest(catalog, prom.end, env, "--team", "search", "--chart-dir", str(tmp_path / "c"))
    assert run.returncode == 0, run.stderr
    assert "SLACK_BOT_TOKEN is not set" in run.stderr
    assert "Verdict: frozen: overspent-availability has overspent" in run.stdout
    assert "steady" not in run.stdout
    chart = tmp_path / "c" / "budget-search-2026-W10.png"
    assert chart.read_bytes().startswith(PNG)


def test_serve_posts_a_missed_digest_when_it_comes_back_once(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    # Monday 12:00 UTC: the 09:00 digests were due while the bot was down
    catalog = digest_catalog(tmp_path, prom.url)
    now = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": "3600"}
    with serve(tmp_path, catalog, slack_api.api_url, **now):
        slack_api.wait_for("files.completeUploadExternal", count=2, timeout=60)
    assert sorted(posts_by_channel(slack_api)) == ["C0PAY", "C0SRCH"]
    with serve(tmp_path, catalog, slack_api.api_url, **now) as bot:
        bot.wait_metric('budgetbot_digests_total{outcome="checked"}', 1)  # the catch-up ran
        assert bot.metric('budgetbot_digests_total{outcome="posted"}') == 0
    assert [len(p) for p in posts_by_channel(slack_api).values()] == [1, 1]


def test_the_platform_ranking_puts_the_worst_team_first(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = digest_catalog(tmp_path, prom.url, "platform: {channel: C0PLAT}\n")
    env = digest_env(tmp_path, slack_api)
    run = digest(catalog, prom.end, env, "--platform")
    assert run.returncode == 0, run.stderr
    assert "platform ranking 2026-W10: posted" in run.stdout
    [ranking] = posts_by_channel(slack_api)["C0PLAT"]
    # both teams are frozen; search's overspent SLO has the least budget left
    assert ranking.index("*search*") < ranking.index("*payments*")
    assert (
        digest(catalog, prom.end, env, "--platform")
        .stdout.strip()
        .endswith("already posted (--force posts it again)")
    )
    slack_api.assert_no_violations()
