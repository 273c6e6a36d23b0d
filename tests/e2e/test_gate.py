"""The release gate for CI pipelines: the command, the HTTP API with its token, overrides."""

import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.catalogs import alerting_catalog
from tests.support.cli import budgetbot, clean_env, migrate
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import SlackStandIn
from tests.support.slack_requests import post, slash_command

TOKEN = "gate-token-123"


@pytest.mark.parametrize(
    ("service", "decision", "allowed", "code"),
    [
        ("steady", "open", True, 0),
        ("fastburn", "caution", True, 0),
        ("overspent", "frozen", False, 1),
    ],
)
def test_the_gate_command(
    prom: Any, tmp_path: Path, service: str, decision: str, allowed: bool, code: int
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("steady", "fastburn", "overspent"))
    env = migrate(clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}"))
    run = budgetbot(
        "gate",
        "--service",
        service,
        "--config",
        str(catalog),
        "--at",
        prom.end.isoformat(),
        "--format",
        "json",
        env=env,
    )
    assert run.returncode == code, run.stderr
    doc = json.loads(run.stdout)
    assert (doc["service"], doc["decision"], doc["allowed"]) == (service, decision, allowed)
    assert doc["reason"] and doc["slos"][0]["slo"] == f"{service}-availability"
    with sqlite3.connect(tmp_path / "g.db") as db:  # every decision is recorded
        assert db.execute("SELECT service, decision, asked_by FROM gate_decision").fetchall() == [
            (service, decision, "cli")
        ]


def api(bot: ServeProcess, query: str, token: str | None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{bot.url}/api/v1/gate?{query}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_gate_api_and_an_admin_override(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("steady", "overspent"))
    catalog.write_text(catalog.read_text() + "admins: [UADMIN]\n")
    env = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_API_TOKEN": TOKEN}
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        assert api(bot, "service=overspent", None)[0] == 401
        assert api(bot, "service=overspent", "wrong")[0] == 401
        assert api(bot, "service=nowhere", TOKEN)[0] == 404
        status, doc = api(bot, "service=overspent", TOKEN)
        assert status == 200 and (doc["decision"], doc["allowed"]) == ("frozen", False)

        def slo(text: str, user: str) -> str:
            before = len(slack_api.responses())
            body, content_type = slash_command(
                "/slo", text, user_id=user, response_url=slack_api.response_url()
            )
            assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
            return json.dumps(slack_api.wait_for("response_url", count=before + 1)[-1].body)

        assert "Only catalog admins" in slo("gate override overspent 2 hotfix for INC-9", "U1")
        reply = slo("gate override overspent 2 hotfix for INC-9 <!channel>", "UADMIN")
        assert "lets deploys through" in reply
        (announced,) = slack_api.wait_for("chat.postMessage")
        assert announced.body["channel"] == "C0SRE" and "hotfix for INC-9" in announced.body["text"]
        assert "<!channel>" not in json.dumps(announced.body)  # the reason pings nobody
        status, doc = api(bot, "service=overspent", TOKEN)
        assert (doc["decision"], doc["allowed"]) == ("frozen", True) and "hotfix" in doc["reason"]
        assert "deploys held" not in slo("gate overspent", "U1")
    with sqlite3.connect(tmp_path / "budgetbot.db") as db:
        rows = db.execute("SELECT allowed, asked_by FROM gate_decision ORDER BY id").fetchall()
    assert [r[1] for r in rows] == ["api", "api", "U1"] and [bool(r[0]) for r in rows] == [
        False,
        True,
        True,
    ]
    slack_api.assert_no_violations()
