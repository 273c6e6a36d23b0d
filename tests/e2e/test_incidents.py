"""Incidents end to end: the form, classification on a real Prometheus, cards, commands."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.catalogs import alerting_catalog
from tests.support.cli import budgetbot, clean_env
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import Call, SlackStandIn
from tests.support.slack_requests import block_suggestion, post, slash_command, view_submission


def form(
    title: str,
    services: list[str],
    start: datetime,
    end: datetime | None,
    view_id: str = "V1",
    severity: str | None = None,
) -> tuple[bytes, str]:
    values: dict[str, dict[str, Any]] = {
        "title": {"value": title},
        "services": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [
                    {"value": s, "text": {"type": "plain_text", "text": s}} for s in services
                ],
            }
        },
        "start": {
            "value": {"type": "datetimepicker", "selected_date_time": int(start.timestamp())}
        },
        "end": {
            "value": {
                "type": "datetimepicker",
                "selected_date_time": int(end.timestamp()) if end else None,
            }
        },
        "description": {"value": "checkout returned 500s"},
        "severity": {
            "value": {
                "type": "static_select",
                "selected_option": {"value": severity} if severity else None,
            }
        },
    }
    body, content_type = view_submission(
        "incident_declare",
        values,
        user_id="U55",
        view_id=view_id,
        private_metadata=json.dumps({"channel": "C0WAR"}),
    )
    return body, content_type


def submit(bot: ServeProcess, body: bytes, content_type: str) -> tuple[int, str]:
    return post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)


def command(bot: ServeProcess, slack: SlackStandIn, text: str) -> Call:
    before = len(slack.responses())
    body, content_type = slash_command("/incident", text, response_url=slack.response_url())
    assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
    return slack.wait_for("response_url", count=before + 1)[-1]


def blocks(call: Call) -> str:
    return json.dumps(call.body.get("blocks", []), ensure_ascii=False)


def test_a_declared_incident_is_classified_by_ground_truth_posted_once_and_managed(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident", "steady"))
    start = prom.end - timedelta(days=5)
    end = start + timedelta(hours=2)
    env = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": "3600"}
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        body, content_type = form("Checkout 500s", ["incident"], start, end)
        status, text = submit(bot, body, content_type)
        assert status == 200 and "errors" not in text
        assert submit(bot, body, content_type)[0] == 200  # the same form twice: one incident
        cards = slack_api.wait_for("chat.postMessage", count=2)  # team channel + C0WAR
        assert {c.body["channel"] for c in cards} == {"C0SRE", "C0WAR"}

        bad, _ = prom.truth.counts("incident", start, end)
        _, window = prom.truth.counts("incident", end - timedelta(days=30), end)
        share = bad / (0.001 * window)
        card = blocks(cards[0])
        assert "INC-1: Checkout 500s" in card
        assert f"{share:.1%}"[:-1] in card.replace("%", "")  # the budget share, one decimal
        assert "Severity SEV1" in card and "Postmortem required" in card

        shown = command(bot, slack_api, "show INC-1")
        assert "INC-1" in blocks(shown) and "SEV1" in blocks(shown)
        listed = command(bot, slack_api, "list open")
        assert "INC-1" in blocks(listed)
        assert "SEV2" in blocks(
            command(bot, slack_api, "reclassify 1 SEV2 customer impact was small")
        )
        updates = slack_api.wait_for("chat.update", count=2)
        assert "Severity SEV2" in blocks(updates[-1]) and "computed SEV1" in blocks(updates[-1])
        assert "resolved" in blocks(command(bot, slack_api, "resolve INC-1"))
        assert "already resolved" in blocks(command(bot, slack_api, "resolve INC-1"))
    posts = slack_api.calls_to("chat.postMessage")
    assert len([p for p in posts if "thread_ts" not in p.body]) == 2  # the two cards
    lines = [(p.body["channel"], p.body["text"]) for p in posts if "thread_ts" in p.body]
    assert sorted(c for c, _ in lines) == ["C0SRE", "C0SRE", "C0WAR", "C0WAR"]
    assert ["Reclassified" in t for _, t in lines] == [True, True, False, False]
    slack_api.assert_no_violations()

    # after a restart the incident is still there, with its history
    env_cli = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'budgetbot.db'}")
    shown_cli = budgetbot("incidents", "show", "INC-1", "--format", "json", env=env_cli)
    assert shown_cli.returncode == 0, shown_cli.stderr
    doc = json.loads(shown_cli.stdout)
    assert doc["severity"] == "SEV2" and doc["severity_computed"] == "SEV1"
    assert doc["resolved_at"] is not None
    assert [h["what"] for h in doc["history"]][:1] == ["declared"]
    assert {"reclassified", "resolved"} <= {h["what"] for h in doc["history"]}
    # The 30-day window before this incident starts before the first sample: Prometheus
    # extrapolates by half a sample interval there (about 1e-5 relative).
    assert doc["slos"][0]["budget_consumed"] == pytest.approx(share, rel=1e-4)


def test_bad_fields_come_back_as_field_errors_and_nothing_is_saved(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident",))
    env = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": "3600"}
    start = prom.end - timedelta(hours=3)
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        cases = [
            (form("x" * 151, ["incident"], start, None), "title"),
            (form("t", [], start, None), "services"),
            (form("t", ["incident"], prom.end + timedelta(hours=1), None), "start"),
            (form("t", ["incident"], start, start - timedelta(minutes=5)), "end"),
        ]
        for (body, content_type), field in cases:
            status, text = submit(bot, body, content_type)
            answer = json.loads(text)
            assert status == 200 and answer["response_action"] == "errors"
            assert set(answer["errors"]) == {field}
        listed = command(bot, slack_api, "list week")
        assert "No incident matches" in blocks(listed)
    assert slack_api.calls_to("chat.postMessage") == []


def test_the_form_opens_from_the_command(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident", "steady"))
    with serve(tmp_path, catalog, slack_api.api_url, BUDGETBOT_NOW=prom.end.isoformat()) as bot:
        body, content_type = slash_command(
            "/incident", "declare", response_url=slack_api.response_url()
        )
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
        (opened,) = slack_api.wait_for("views.open")
        view = opened.body["view"]
        assert view["callback_id"] == "incident_declare" and len(view["title"]["text"]) <= 24
        options = view["blocks"][1]["element"]["options"]
        assert [o["value"] for o in options] == ["incident", "steady"]
    slack_api.assert_no_violations()


def test_the_service_search_answers_what_was_typed(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    """block_suggestion of the declare form's external select (catalogs over 100 services)."""
    catalog = alerting_catalog(tmp_path, prom.url, ("checkout", "search", "checkin"))
    with serve(tmp_path, catalog, slack_api.api_url) as bot:
        status, answer = submit(bot, *block_suggestion("services", "value", "CHECK"))
    assert status == 200
    options = json.loads(answer)["options"]
    assert [o["value"] for o in options] == ["checkin", "checkout"]
