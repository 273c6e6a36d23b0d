"""Burn alerts end to end: a real Prometheus, `budgetbot evaluate` in separate processes at
successive instants, the Slack stand-in; and three `serve` replicas on one PostgreSQL."""

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.catalogs import alerting_catalog
from tests.support.cli import budgetbot, clean_env, closed_port, migrate
from tests.support.server import BOT_TOKEN, serve
from tests.support.slack_api import Call, SlackStandIn


class Cycles:
    """`budgetbot evaluate --at` as separate processes sharing one SQLite file."""

    def __init__(self, tmp_path: Path, catalog: Path, slack: SlackStandIn) -> None:
        self.env = migrate(
            clean_env(
                BUDGETBOT_CONFIG=str(catalog),
                DATABASE_URL=f"sqlite:///{tmp_path / 'alerts.db'}",
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_API_URL=slack.api_url,
            )
        )

    def run(self, at: datetime, **env: str) -> str:
        done = budgetbot("evaluate", "--at", at.isoformat(), env={**self.env, **env})
        assert done.returncode in (0, 2), done.stderr
        return done.stdout + done.stderr


def top_level_posts(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if not c.body.get("thread_ts")]


def thread_replies(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if c.body.get("thread_ts")]


def text(call: Call) -> str:
    return json.dumps(call.body.get("blocks", []), ensure_ascii=False) + str(call.body.get("text"))


def test_a_burn_posts_once_escalates_once_and_resolves_in_place(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    cycles = Cycles(tmp_path, alerting_catalog(tmp_path, prom.url, ("episode",)), slack_api)
    end = prom.end

    cycles.run(end - timedelta(days=4, minutes=10))
    assert slack_api.calls_to("chat.postMessage") == []

    cycles.run(end - timedelta(days=1))  # the slow burn: a ticket
    (opened,) = top_level_posts(slack_api)
    assert opened.body["channel"] == "C0SRE"  # tickets go to the team channel
    assert "TICKET: episode-availability" in text(opened)
    assert "alert_acknowledge" in text(opened)
    cycles.run(end - timedelta(days=1) + timedelta(minutes=10))  # still firing
    assert len(slack_api.calls_to("chat.postMessage")) == 1

    escalate_at = end - timedelta(hours=13) + timedelta(minutes=10)
    cycles.run(escalate_at)  # 10 minutes into the 30 % burst: page
    cycles.run(escalate_at)  # the same instant again (a retry): nothing new
    (escalation,) = thread_replies(slack_api)
    (updated,) = slack_api.calls_to("chat.update")
    ts = slack_api.calls_to("chat.postMessage")[0].reply["ts"]
    assert escalation.body["thread_ts"] == ts and "Escalated to PAGE" in text(escalation)
    assert updated.body["ts"] == ts and "PAGE: episode-availability" in text(updated)

    cycles.run(end - timedelta(hours=12))  # a calmer burn never de-escalates or re-posts
    quiet_from = end - timedelta(hours=5, minutes=50)
    cycles.run(quiet_from)  # every window below its factor: the hysteresis starts
    assert len(slack_api.calls_to("chat.update")) == 1
    cycles.run(quiet_from + timedelta(minutes=15))  # quiet for 15 minutes: resolved
    resolved = slack_api.calls_to("chat.update")[-1]
    assert resolved.body["ts"] == ts and "RESOLVED" in text(resolved)
    assert "alert_acknowledge" not in text(resolved)
    note = thread_replies(slack_api)[-1]
    assert note.body["thread_ts"] == ts and "Resolved" in text(note)
    assert len(top_level_posts(slack_api)) == 1
    slack_api.assert_no_violations()
    with sqlite3.connect(tmp_path / "alerts.db") as db:  # every cycle kept its budgets
        (kept,) = db.execute("SELECT count(DISTINCT evaluated_at) FROM budget_snapshot").fetchone()
    assert kept == 7  # the seven distinct instants above (the retried one counts once)


def test_a_prometheus_outage_is_not_a_resolution(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    cycles = Cycles(tmp_path, alerting_catalog(tmp_path, prom.url, ("episode",)), slack_api)
    opened_at = prom.end - timedelta(hours=13) + timedelta(minutes=10)
    cycles.run(opened_at)
    assert len(top_level_posts(slack_api)) == 1
    down = {"PROMETHEUS_URL": f"http://127.0.0.1:{closed_port()}"}
    quiet_from = prom.end - timedelta(hours=5, minutes=50)
    for minutes in (0, 20, 40):  # Prometheus down through what would be quiet time
        out = cycles.run(quiet_from + timedelta(minutes=minutes), **down)
        assert "unreachable" in out
    assert slack_api.calls_to("chat.update") == []  # never resolved while blind
    warning = thread_replies(slack_api) or top_level_posts(slack_api)[1:]
    assert len(warning) == 1 and "on hold until it answers" in text(warning[0])  # once per outage
    cycles.run(quiet_from + timedelta(minutes=60))  # data back: the hysteresis starts now
    assert slack_api.calls_to("chat.update") == []
    cycles.run(quiet_from + timedelta(minutes=75))
    assert "RESOLVED" in text(slack_api.calls_to("chat.update")[-1])


@pytest.mark.parametrize("status", [429, 500])
def test_slack_failures_never_post_twice(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, status: int
) -> None:
    cycles = Cycles(tmp_path, alerting_catalog(tmp_path, prom.url, ("fastburn",)), slack_api)
    slack_api.fail_next("chat.postMessage", status=status, retry_after=1)
    out = cycles.run(prom.end)
    attempts = slack_api.calls_to("chat.postMessage")
    assert attempts[0].body["channel"] == "C0PAGE"  # pages go to the team's page channel
    if status == 429:  # not processed by Slack: retried after Retry-After, posted once
        assert [c.ok for c in attempts] == [False, True]
    else:  # Slack may have posted it: never resent (at most once), and said so
        assert [c.ok for c in attempts] == [False]
        assert "1 posts failed" in out
    cycles.run(prom.end)
    assert len(top_level_posts(slack_api)) == len(attempts)  # a re-run posts nothing


def test_acknowledge_and_silence_buttons(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    from tests.support.server import SIGNING_SECRET
    from tests.support.slack_requests import block_action, post, slash_command

    catalog = alerting_catalog(tmp_path, prom.url, ("fastburn",))
    with serve(
        tmp_path,
        catalog,
        slack_api.api_url,
        BUDGETBOT_NOW=prom.end.isoformat(),
        BUDGETBOT_EVALUATION_INTERVAL="1",
    ) as bot:
        (opened,) = slack_api.wait_for(lambda c: c.method == "chat.postMessage", timeout=20)
        message = {
            "ts": opened.reply["ts"],
            "text": opened.body["text"],
            "blocks": opened.body["blocks"],
        }
        episode = next(
            e["value"]
            for b in opened.body["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        )
        body, content_type = block_action(
            "alert_acknowledge",
            episode,
            user_id="U777",
            channel_id="C0PAGE",
            message=message,
        )
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
        (update,) = slack_api.wait_for("chat.update")
        assert "acknowledged by <@U777>" in text(update)
        body, content_type = slash_command("/slo", "alerts", response_url=slack_api.response_url())
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
        (listed,) = slack_api.wait_for("response_url")
        assert "fastburn-availability" in text(listed) and "U777" in text(listed)
        cycles = bot.metric("budgetbot_evaluation_seconds_count")
        bot.wait_metric("budgetbot_evaluation_seconds_count", cycles + 3)  # 3 more cycles
    assert len(top_level_posts(slack_api)) == 1
    slack_api.assert_no_violations()


def test_three_replicas_on_one_postgresql_post_one_alert(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, postgres_url: str
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("fastburn", "steady"), digest="0 9 * * MON")
    env = {
        "DATABASE_URL": postgres_url,
        "BUDGETBOT_NOW": prom.end.isoformat(),
        "BUDGETBOT_EVALUATION_INTERVAL": "1",
    }
    replicas = [tmp_path / f"replica{i}" for i in range(3)]
    for directory in replicas:
        directory.mkdir()
    with (
        serve(replicas[0], catalog, slack_api.api_url, **env) as a,
        serve(replicas[1], catalog, slack_api.api_url, **env) as b,
        serve(replicas[2], catalog, slack_api.api_url, **env) as c,
    ):
        slack_api.wait_for("chat.postMessage", timeout=20)
        leaders = [s.health()["scheduler"] for s in (a, b, c)]
        leader = (a, b, c)[leaders.index("leader")]
        done = leader.metric("budgetbot_evaluation_seconds_count")
        leader.wait_metric("budgetbot_evaluation_seconds_count", done + 3)  # 3 more cycles
        leader.wait_metric('budgetbot_digests_total{outcome="posted"}', 1)
    assert leaders.count("leader") == 1, leaders
    posts = slack_api.calls_to("chat.postMessage")
    digests = [p for p in posts if p.body["text"].startswith("Weekly error budget digest")]
    (post,) = [p for p in posts if p not in digests]
    assert "fastburn-availability" in text(post)
    assert len(digests) == 1  # Monday 12:00: the 09:00 digest, caught up by one replica


def test_an_slo_removed_from_the_catalog_does_not_stay_firing(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    cycles = Cycles(
        tmp_path, alerting_catalog(tmp_path, prom.url, ("fastburn", "steady")), slack_api
    )
    cycles.run(prom.end)
    assert len(top_level_posts(slack_api)) == 1
    alerting_catalog(tmp_path, prom.url, ("steady",))  # fastburn's SLO is gone
    cycles.run(prom.end)
    listed = budgetbot("evaluate", "--at", prom.end.isoformat(), env=cycles.env)
    assert listed.returncode == 0
    import sqlite3

    with sqlite3.connect(tmp_path / "alerts.db") as db:
        open_episodes = db.execute("SELECT slo FROM alert_episode WHERE resolved_at IS NULL")
        assert open_episodes.fetchall() == []
