"""A slow Slack never delays an ack: the real `budgetbot serve`, the Slack stand-in
answering slowly (it does the work at once, then waits before replying)."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_slack_app import command
from tests.support.catalogs import mixed_catalog
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import SlackStandIn
from tests.support.slack_requests import post, slash_command
from tests.support.waiting import holds_for


@pytest.fixture
def bot(tmp_path: Path, prom: Any, slack_api: SlackStandIn) -> Iterator[ServeProcess]:
    catalog = mixed_catalog(tmp_path, prom.url)
    with serve(tmp_path, catalog, slack_api.api_url, BUDGETBOT_NOW=prom.end.isoformat()) as server:
        yield server


def test_a_slow_views_open_does_not_hold_the_ack_and_the_form_opens(
    bot: ServeProcess, slack_api: SlackStandIn
) -> None:
    """views.open takes 3.5 s (past the trigger's 3 s): the command is acked at once, the
    form opens, and nobody is told it failed."""
    slack_api.slow_next("views.open", 3.5)
    body, content_type = slash_command(
        "/incident", "declare", response_url=slack_api.response_url()
    )
    started = time.monotonic()
    status, _ = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)
    assert status == 200 and time.monotonic() - started < 1.0
    (opened,) = slack_api.wait_for("views.open")
    assert opened.body["view"]["callback_id"] == "incident_declare"
    # past the slow answer (3.5 s from the call), watching: slow is not refused, so the
    # person is told nothing
    told = "a slow views.open was reported as failed"
    holds_for(lambda: slack_api.responses() == [], 4, lambda: f"{told}: {slack_api.responses()}")
    slack_api.assert_no_violations()


def test_a_rate_limited_views_open_tells_the_person_to_try_again(
    bot: ServeProcess, slack_api: SlackStandIn
) -> None:
    slack_api.fail_next("views.open", 429, retry_after=30)
    body, content_type = slash_command(
        "/incident", "declare", response_url=slack_api.response_url()
    )
    assert post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)[0] == 200
    (told,) = slack_api.wait_for("response_url")
    assert "try again" in told.body["text"].lower()
    assert len(slack_api.calls_to("views.open")) == 1  # never retried past the trigger


def test_acks_stay_fast_while_every_answer_is_slow(
    bot: ServeProcess, slack_api: SlackStandIn
) -> None:
    """Twenty /slo at once while each response_url post takes 2 s: every ack is quick and
    every answer still arrives."""
    slack_api.slow_next("response_url", 2.0, times=20)
    with ThreadPoolExecutor(max_workers=20) as pool:
        acks = list(pool.map(lambda _: command(bot, slack_api, "status steady"), range(20)))
    assert all(status == 200 for status, _ in acks)
    assert max(seconds for _, seconds in acks) < 2.0  # none waited for Slack
    slack_api.wait_for("response_url", count=20, timeout=60)
