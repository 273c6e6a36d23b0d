"""Postmortems and action items end to end: the form with field errors, thread posts, DMs,
/actions, the Done button, reassign permissions, Add another action, the Home tab."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.e2e.test_incidents import form, submit
from tests.support.catalogs import alerting_catalog
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import Call, SlackStandIn
from tests.support.slack_requests import (
    block_action,
    event_callback,
    post,
    slash_command,
    view_submission,
)


def postmortem(
    priority: str, deadline: str, owner: str = "U77", view_id: str = "VPM"
) -> tuple[bytes, str]:
    def select(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    values: dict[str, dict[str, Any]] = {
        "summary": {"value": "checkout failed for two hours"},
        "root_cause": {"value": "a bad deploy"},
        "went_well": {"value": ""},
        "went_badly": {"value": ""},
        "link": {"value": {"type": "url_text_input", "value": None}},
        "action-0-description": {"value": "add a canary"},
        "action-0-owner": {"value": {"type": "users_select", "selected_user": owner}},
        "action-0-deadline": {"value": {"type": "datepicker", "selected_date": deadline}},
        "action-0-priority": {"value": select(priority)},
        "action-0-kind": {"value": select("prevent")},
    }
    return view_submission(
        "postmortem_write",
        values,
        user_id="U55",
        view_id=view_id,
        private_metadata=json.dumps({"incident": 1, "count": 1, "only_actions": False}),
    )


def blocks(call: Call) -> str:
    return json.dumps(call.body.get("blocks", []), ensure_ascii=False) + str(
        call.body.get("text", "")
    )


def command(bot: ServeProcess, slack: SlackStandIn, name: str, text: str, user: str) -> Call:
    before = len(slack.responses())
    body, content_type = slash_command(name, text, user_id=user, response_url=slack.response_url())
    assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
    return slack.wait_for("response_url", count=before + 1)[-1]


def test_postmortem_with_actions_from_the_incident_card_to_done(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident",))
    start = prom.end - timedelta(days=5)
    env = {"BUDGETBOT_NOW": prom.end.isoformat(), "BUDGETBOT_EVALUATION_INTERVAL": "3600"}
    tomorrow = (prom.end + timedelta(days=1)).date().isoformat()
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        assert (
            submit(bot, *form("Checkout 500s", ["incident"], start, start + timedelta(hours=2)))[0]
            == 200
        )
        cards = slack_api.wait_for("chat.postMessage", count=2)
        assert "Start postmortem" in blocks(cards[0])

        # SEV1 without a P0 action, and a deadline in the past: field errors, nothing saved
        status, text = submit(bot, *postmortem("P1", "2020-01-01"))
        assert status == 200
        errors = json.loads(text)["errors"]
        assert set(errors) == {"action-0-deadline", "action-0-priority"}
        assert "P0" in errors["action-0-priority"]

        assert submit(bot, *postmortem("P0", tomorrow))[0] == 200
        replies = slack_api.wait_for(
            lambda c: c.method == "chat.postMessage" and c.body.get("thread_ts"), count=2
        )
        assert {r.body["channel"] for r in replies} == {"C0SRE", "C0WAR"}
        assert "Postmortem of INC-1" in blocks(replies[0]) and "add a canary" in blocks(replies[0])
        (dm,) = slack_api.wait_for(
            lambda c: c.method == "chat.postMessage" and c.body.get("channel") == "U77"
        )
        assert "ACT-1" in blocks(dm)

        mine = command(bot, slack_api, "/actions", "", "U77")
        assert "ACT-1" in blocks(mine) and "action_done" in blocks(mine)

        # someone who is neither the owner nor the declarer may not reassign it
        values = {"owner": {"value": {"type": "users_select", "selected_user": "U88"}}}
        body, content_type = view_submission(
            "action_reassign", values, user_id="U99", private_metadata="1"
        )
        answer = json.loads(post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[1])
        assert "Only the owner" in answer["errors"]["owner"]
        # the declarer may: U88 owns it now, with the change recorded
        body, content_type = view_submission(
            "action_reassign", values, user_id="U55", private_metadata="1"
        )
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET) == (200, "")
        assert "ACT-1" in blocks(command(bot, slack_api, "/actions", "", "U88"))
        assert "No open action items" in blocks(command(bot, slack_api, "/actions", "", "U77"))

        # the Home tab shows the owner's open action
        home, content_type = event_callback(
            {"type": "app_home_opened", "user": "U88", "tab": "home"}, event_id="EvH1"
        )
        assert post(f"{bot.url}/slack/events", home, content_type, SIGNING_SECRET)[0] == 200
        (published,) = slack_api.wait_for("views.publish")
        assert "ACT-1" in json.dumps(published.body["view"])

        body, content_type = block_action(
            "action_done",
            "1",
            user_id="U88",
            channel_id="C0SRE",
            response_url=slack_api.response_url("done"),
        )
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
        # The action's own response_url answers, which works in DMs and private channels.
        (answered,) = slack_api.wait_for(
            lambda call: call.method == "response_url" and call.path.endswith("/done")
        )
        assert "ACT-1 is done" in answered.body["text"]
        assert answered.body["response_type"] == "ephemeral"
        assert not slack_api.calls_to("chat.postEphemeral")
        assert "No open action items" in blocks(command(bot, slack_api, "/actions", "", "U88"))
    slack_api.assert_no_violations()


def test_add_another_action_grows_the_form(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("incident",))
    start = prom.end - timedelta(days=5)
    with serve(tmp_path, catalog, slack_api.api_url, BUDGETBOT_NOW=prom.end.isoformat()) as bot:
        assert submit(bot, *form("t", ["incident"], start, start + timedelta(hours=1)))[0] == 200
        slack_api.wait_for("chat.postMessage", count=2)
        body, content_type = slash_command(
            "/postmortem", "INC-1", response_url=slack_api.response_url()
        )
        assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
        (opened,) = slack_api.wait_for("views.open")
        view = opened.body["view"]
        assert view["callback_id"] == "postmortem_write"
        press, content_type = block_action(
            "postmortem_add_action",
            "add",
            view={**view, "id": "V123", "hash": "h1", "private_metadata": view["private_metadata"]},
        )
        assert post(f"{bot.url}/slack/events", press, content_type, SIGNING_SECRET)[0] == 200
        (updated,) = slack_api.wait_for("views.update")
        grown = updated.body["view"]
        assert len(grown["blocks"]) == len(view["blocks"]) + 6 and updated.body["view_id"] == "V123"
        assert json.loads(grown["private_metadata"])["count"] == 2
    slack_api.assert_no_violations()
