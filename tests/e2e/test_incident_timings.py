"""Incident timings and response deadlines end to end: a real Prometheus, the alerting cycle,
the Slack stand-in, `serve` restarted at successive instants of the bot's clock
(BUDGETBOT_NOW), the CLI; on SQLite and on PostgreSQL."""

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.test_incidents import form
from tests.support.catalogs import alerting_catalog, events_slo, write_catalog
from tests.support.cli import budgetbot, clean_env, migrate
from tests.support.server import BOT_TOKEN, SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import Call, SlackStandIn
from tests.support.slack_requests import block_action, post, slash_command

QUIET = "3600"  # seconds between serve's cycles: none runs while a step is checked


def send(bot: ServeProcess, body: bytes, content_type: str) -> None:
    assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200


def command(bot: ServeProcess, slack: SlackStandIn, text: str) -> str:
    before = len(slack.responses())
    send(bot, *slash_command("/incident", text, response_url=slack.response_url()))
    return json.dumps(slack.wait_for("response_url", count=before + 1)[-1].body)


def thread_lines(slack: SlackStandIn) -> list[Call]:
    return [c for c in slack.calls_to("chat.postMessage") if c.body.get("thread_ts")]


def cli(database_url: str, slack: SlackStandIn, catalog: Path, *args: str) -> str:
    env = clean_env(
        BUDGETBOT_CONFIG=str(catalog),
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack.api_url,
    )
    done = budgetbot(*args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def at(moment: datetime) -> dict[str, str]:
    return {"BUDGETBOT_NOW": moment.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": QUIET}


def test_every_timestamp_and_duration_of_an_incident_detected_by_its_burn_alert(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, database_url: str
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident",))
    began = prom.end - timedelta(days=5)  # 25 % errors from here, for 2 hours
    migrate(clean_env(BUDGETBOT_CONFIG=str(catalog), DATABASE_URL=database_url))
    run = cli(
        database_url, slack_api, catalog, "evaluate", "--at", str(began + timedelta(minutes=10))
    )
    assert "1 opened" in run
    (alert,) = slack_api.calls_to("chat.postMessage")
    assert "incident-availability" in json.dumps(alert.body)

    def serving(minutes: int) -> Any:
        moment = began + timedelta(minutes=minutes)
        return serve(tmp_path, catalog, slack_api.api_url, DATABASE_URL=database_url, **at(moment))

    with serving(30) as bot:  # declared 30 minutes in, ongoing
        send(bot, *form("Checkout 500s", ["incident"], began, None))
        cards = slack_api.wait_for("chat.postMessage", count=3)[1:]
    card = json.dumps(cards[0].body["blocks"])
    assert "Detected 10 min after impact began by the burn alert of incident-availability" in card
    assert "incident_acknowledge" in card and "incident_mitigated" in card

    updates = len(slack_api.calls_to("chat.update"))
    with serving(35) as bot:
        send(bot, *block_action("incident_acknowledge", "1", user_id="U77", channel_id="C0SRE"))
        slack_api.wait_for("chat.update", count=updates + 2)  # both cards
        (acked, _) = slack_api.wait_for(lambda c: c in thread_lines(slack_api), count=2)
    assert "Acknowledged by <@U77>, 25 min after detection" in acked.body["text"]
    updated = json.dumps(slack_api.calls_to("chat.update")[-1].body["blocks"])
    assert "incident_acknowledge" not in updated and "incident_mitigated" in updated

    with serving(50) as bot:
        assert "was acknowledged before" in command(bot, slack_api, "ack INC-1")  # the first counts
        send(bot, *block_action("incident_mitigated", "1", user_id="U77", channel_id="C0SRE"))
        slack_api.wait_for(lambda c: c in thread_lines(slack_api), count=4)
        assert "was mitigated before" in command(bot, slack_api, "mitigate INC-1")
    with serving(120) as bot:
        send(bot, *block_action("incident_resolve", "1", user_id="U78", channel_id="C0SRE"))
        slack_api.wait_for(lambda c: c in thread_lines(slack_api), count=6)
    kinds = [c.body["text"].split(": ", 1)[1].split()[1] for c in thread_lines(slack_api)]
    assert kinds == ["Acknowledged"] * 2 + ["Mitigated"] * 2 + ["Resolved"] * 2

    doc = json.loads(
        cli(database_url, slack_api, catalog, "incidents", "show", "1", "--format", "json")
    )
    minute = timedelta(minutes=1)

    def stamp(minutes: int) -> str:
        return str((began + minutes * minute).strftime("%Y-%m-%dT%H:%M:%SZ"))

    assert (doc["start"], doc["detected_at"], doc["declared_at"]) == (
        stamp(0),
        stamp(10),
        stamp(30),
    )
    assert (doc["acknowledged_at"], doc["mitigated_at"], doc["end"]) == (
        stamp(35),
        stamp(50),
        stamp(120),
    )
    assert (doc["detected_by"], doc["acknowledged_by"]) == ("incident-availability", "U77")
    assert doc["time_to_detect_s"] == 600 and doc["time_to_acknowledge_s"] == 1500
    assert doc["time_to_mitigate_s"] == 3000 and doc["time_to_resolve_s"] == 7200

    shown = cli(database_url, slack_api, catalog, "incidents", "show", "1")
    timeline = shown[shown.index("timeline:") :].splitlines()[1:]
    assert [line.split()[1] for line in timeline][:5] == [
        "impact", "detected", "declared", "classified", "acknowledged"
    ]  # fmt: skip
    stats = json.loads(
        cli(database_url, slack_api, catalog, "incidents", "stats", "--format", "json")
    )
    assert sum(stats["by_class"].values()) == 1
    assert stats["times"]["time_to_resolve_s"] == {"median": 7200, "p90": 7200}
    slack_api.assert_no_violations()


def test_an_unacknowledged_incident_is_escalated_once_after_its_deadline_across_restarts(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, database_url: str
) -> None:
    catalog = write_catalog(
        tmp_path,
        prom.url,
        teams={"sre": {"channel": "C0SRE", "digest": "off", "escalation": ["<!subteam^S0ONCALL>"]}},
        services={"steady": "sre"},
        slos=[events_slo("steady")],
        extra="incidents:\n  respond:\n    production: {SEV1: 15m, SEV2: 1h}\n",
    )
    declared = prom.end - timedelta(days=2)
    env = {"DATABASE_URL": database_url, **at(declared)}
    impact = declared - timedelta(minutes=20)
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        for view in ("V1", "V2"):
            send(bot, *form("Slow checkout", ["steady"], impact, None, view, severity="SEV2"))
        slack_api.wait_for("chat.postMessage", count=4)  # two cards in C0SRE and C0WAR
        assert "is acknowledged" in command(bot, slack_api, "ack INC-2")

    def escalated() -> list[Call]:
        return [
            c for c in slack_api.calls_to("chat.postMessage")
            if "has not been acknowledged" in c.body.get("text", "")
        ]  # fmt: skip

    def escalate(minutes: int) -> str:
        moment = declared + timedelta(minutes=minutes)
        return cli(database_url, slack_api, catalog, "escalate", "--at", moment.isoformat())

    def serving(minutes: int) -> Any:
        moment = at(declared + timedelta(minutes=minutes))
        every_second = {**env, **moment, "BUDGETBOT_EVALUATION_INTERVAL": "1"}
        return serve(tmp_path, catalog, slack_api.api_url, **every_second)

    assert "0 escalated" in escalate(59) and escalated() == []  # not before its deadline
    with serving(61):  # serve's scheduled check posts it
        slack_api.wait_for(lambda c: c in escalated(), timeout=20)
    (escalation,) = escalated()
    assert escalation.body["channel"] == "C0SRE" and "thread_ts" not in escalation.body
    assert "<!subteam^S0ONCALL> INC-1 (SEV2)" in escalation.body["text"]

    assert "0 escalated" in escalate(120)  # the cron command after it: claimed already
    with serving(180):  # a restart, checking every second
        time.sleep(3)
    assert len(escalated()) == 1  # once, across processes and restarts; INC-2 never
    show = ("incidents", "show", "1", "--format", "json")
    doc = json.loads(cli(database_url, slack_api, catalog, *show))
    assert [h["detail"] for h in doc["history"] if h["what"] == "escalated"] == ["C0SRE"]
    slack_api.assert_no_violations()
