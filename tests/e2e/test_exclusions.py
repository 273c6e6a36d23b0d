"""Exclusions from Slack end to end (DESIGN 9.3): `/slo exclude` opens the form, its field
errors (no reason, end before start, not allowed), the owning team's notice, the figures
on the real Prometheus, `/slo exclusions` with Cancel, and the store across a restart."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.catalogs import events_slo, write_catalog
from tests.support.cli import budgetbot, clean_env
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import Call, SlackStandIn
from tests.support.slack_requests import block_action, post, slash_command, view_submission

OWNER, ADMIN, STRANGER = "U0ALICE", "U0ADMIN", "U0MALLORY"


def catalog(directory: Path, url: str) -> Path:
    return write_catalog(
        directory,
        url,
        teams={"sre": {"channel": "C0SRE", "owners": [OWNER]}, "web": {"channel": "C0WEB"}},
        services={"incident": "sre", "steady": "web"},
        slos=[events_slo("incident"), events_slo("steady")],
        extra=f"admins: [{ADMIN}]\n",
    )


def submission(
    user: str, slos: list[str], start: datetime, duration: str, reason: str, name: str = ""
) -> tuple[bytes, str]:
    values: dict[str, dict[str, Any]] = {
        "slos": {"value": {"type": "multi_static_select", "selected_options": [
            {"value": s, "text": {"type": "plain_text", "text": s}} for s in slos]}},
        "services": {"value": {"type": "multi_static_select", "selected_options": []}},
        "start": {"value": {"type": "datetimepicker",
                            "selected_date_time": int(start.timestamp())}},
        "duration": {"value": duration},
        "reason": {"value": reason},
        "name": {"value": name},
    }  # fmt: skip
    body, content_type = view_submission("exclusion_add", values, user_id=user)
    return body, content_type


def send(bot: ServeProcess, body: bytes, content_type: str) -> tuple[int, str]:
    return post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)


def slo_command(bot: ServeProcess, slack: SlackStandIn, text: str, user: str) -> Call:
    before = len(slack.responses())
    body, content_type = slash_command(
        "/slo", text, user_id=user, response_url=slack.response_url()
    )
    assert send(bot, body, content_type)[0] == 200
    return slack.wait_for("response_url", count=before + 1)[-1]


def errors(text: str) -> dict[str, str]:
    answer = json.loads(text)
    assert answer["response_action"] == "errors", answer
    return dict(answer["errors"])


def test_an_exclusion_from_slack_counts_is_listed_cancelled_and_kept(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, database_url: str
) -> None:
    """On SQLite and PostgreSQL: stored there, read back by `status` after the restart."""
    burst = prom.end - timedelta(days=5)  # incident: 25 % errors for 2 h from here
    env = {
        "BUDGETBOT_NOW": prom.end.isoformat(),
        "BUDGETBOT_EVALUATION_INTERVAL": "3600",
        "DATABASE_URL": database_url,
    }
    path = catalog(tmp_path, prom.url)
    with serve(tmp_path, path, slack_api.api_url, **env) as bot:
        body, content_type = slash_command("/slo", "exclude", user_id=OWNER)
        assert send(bot, body, content_type)[0] == 200
        (opened,) = slack_api.wait_for("views.open")
        assert opened.body["view"]["callback_id"] == "exclusion_add"

        # field errors: nothing is saved
        no_reason = submission(OWNER, ["incident-availability"], burst, "2h", "  ")
        assert set(errors(send(bot, *no_reason)[1])) == {"reason"}
        backwards = submission(OWNER, ["incident-availability"], burst, "-2h", "drill")
        assert "end must come after the start" in errors(send(bot, *backwards)[1])["duration"]
        not_theirs = submission(STRANGER, ["incident-availability"], burst, "2h", "drill")
        assert (
            "Only the catalog's admins or the owners of sre"
            in errors(send(bot, *not_theirs)[1])["slos"]
        )
        other_team = submission(OWNER, ["steady-availability"], burst, "2h", "drill")
        assert "owners of web" in errors(send(bot, *other_team)[1])["slos"]

        before = json.loads(status(tmp_path, prom, database_url))["incident-availability"]
        reason = "agreed load test <script> & co"
        added = submission(OWNER, ["incident-availability"], burst, "2h", reason, "drill")
        assert send(bot, *added) == (200, "")
        (notice,) = slack_api.wait_for("chat.postMessage")
        text = json.dumps(notice.body["blocks"])
        assert notice.body["channel"] == "C0SRE"
        assert "drill" in text and "incident-availability excluded" in text
        assert f"<@{OWNER}>" in text and "&lt;script&gt; &amp; co" in text  # escaped

        after = json.loads(status(tmp_path, prom, database_url))["incident-availability"]
        # the burst's two hours cost nothing now: the budget is back and the time is counted
        assert after["excluded_seconds"] == 7200
        assert after["budget_remaining"] > before["budget_remaining"] + 0.3

        # one to come: listed with Cancel for who may cancel it, without for the others
        failover = submission(ADMIN, ["incident-availability"], prom.end + timedelta(days=1),
                              "1h", "planned failover", "failover")  # fmt: skip
        assert send(bot, *failover) == (200, "")
        slack_api.wait_for("chat.postMessage", count=2)
        listed = json.dumps(slo_command(bot, slack_api, "exclusions", OWNER).body["blocks"])
        assert "failover" in listed and "drill" not in listed  # the drill has ended
        assert '"action_id": "exclusion_cancel"' in listed and '"value": "2"' in listed
        strangers = json.dumps(slo_command(bot, slack_api, "exclusions", STRANGER).body)
        assert "failover" in strangers and "exclusion_cancel" not in strangers

        answers = len(slack_api.responses())
        for user, words in ((STRANGER, "Only the catalog's admins"), (OWNER, "Cancelled failover")):
            pressed = block_action(
                "exclusion_cancel", "2", user_id=user, response_url=slack_api.response_url()
            )
            assert send(bot, *pressed)[0] == 200
            answers += 1
            assert words in json.dumps(slack_api.wait_for("response_url", count=answers)[-1].body)
        told = slack_api.wait_for("chat.postMessage", count=3)[-1]
        assert told.body["channel"] == "C0SRE" and "cancelled by" in json.dumps(told.body["blocks"])
        listed = json.dumps(slo_command(bot, slack_api, "exclusions", OWNER).body["blocks"])
        assert "failover" not in listed
    slack_api.assert_no_violations()
    # stored across the restart: the drill still counts for nothing
    kept = json.loads(status(tmp_path, prom, database_url))["incident-availability"]
    assert kept["excluded_seconds"] == 7200
    assert kept["budget_remaining"] == after["budget_remaining"]


def status(tmp_path: Path, prom: Any, database_url: str) -> str:
    """`budgetbot status --format json` by SLO, on the server's database (after a restart)."""
    env = clean_env(DATABASE_URL=database_url)
    args = ("--config", str(tmp_path / "budgetbot.yaml"), "--at", prom.end.isoformat())
    run = budgetbot("status", *args, "--format", "json", env=env)
    assert run.returncode == 0, run.stderr
    return json.dumps({d["slo"]: d for d in json.loads(run.stdout)})


def test_exclusions_list_shows_those_from_slack_too(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    env = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": "3600"}
    path = catalog(tmp_path, prom.url)
    with serve(tmp_path, path, slack_api.api_url, **env) as bot:
        soon = submission(OWNER, ["incident-availability"], prom.end + timedelta(hours=3),
                          "90m", "db failover", "failover")  # fmt: skip
        assert send(bot, *soon) == (200, "")
        slack_api.wait_for("chat.postMessage")
    cli_env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'budgetbot.db'}")
    args = ("exclusions", "list", "--config", str(path), "--at", prom.end.isoformat())
    run = budgetbot(*args, "--format", "json", env=cli_env)
    assert run.returncode == 0, run.stderr
    (listed,) = json.loads(run.stdout)
    assert (listed["name"], listed["source"], listed["slos"]) == (
        "failover", "slack", ["incident-availability"]
    )  # fmt: skip
    assert listed["duration_s"] == 5400 and listed["reason"] == "db failover"
    assert listed["next_start"] == (prom.end + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
