"""The real `budgetbot serve` over a socket, signed requests, and the Slack stand-in."""

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.catalogs import mixed_catalog
from tests.support.cli import closed_port
from tests.support.faulty_proxy import faulty_proxy
from tests.support.server import SIGNING_SECRET, ServeProcess, serve
from tests.support.slack_api import SlackStandIn
from tests.support.slack_requests import (
    event_callback,
    post,
    slash_command,
    url_verification,
)
from tests.support.waiting import holds_for


@pytest.fixture
def bot(tmp_path: Path, prom: Any, slack_api: SlackStandIn) -> Iterator[ServeProcess]:
    catalog = mixed_catalog(tmp_path, prom.url)
    with serve(tmp_path, catalog, slack_api.api_url, BUDGETBOT_NOW=prom.end.isoformat()) as server:
        yield server


def command(bot: ServeProcess, slack_api: SlackStandIn, text: str) -> tuple[int, float]:
    """Send a signed /slo; returns (status, seconds until the ack)."""
    body, content_type = slash_command("/slo", text, response_url=slack_api.response_url())
    started = time.monotonic()
    status, _ = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)
    return status, time.monotonic() - started


def blocks_text(call: Any) -> str:
    return json.dumps(call.body.get("blocks", []), ensure_ascii=False)


def test_slo_status_is_acked_then_answered_with_the_budget(
    bot: ServeProcess, slack_api: SlackStandIn, prom: Any
) -> None:
    status, seconds = command(bot, slack_api, "status steady")
    assert status == 200 and seconds < 3  # Slack's limit for the ack
    (reply,) = slack_api.wait_for("response_url")
    text = blocks_text(reply)
    truth = prom.truth.error_ratio("steady", prom.end, 30 * 86400) / 0.001
    assert f"{(1 - truth) * 100:.1f}% of the budget left" in text
    assert "steady-availability" in text and "incident-availability" not in text
    assert reply.body.get("response_type") == "ephemeral"
    slack_api.assert_no_violations()


def test_gate_and_help_and_unknown_names(bot: ServeProcess, slack_api: SlackStandIn) -> None:
    for text in ("gate overspent", "help", "status stedy"):
        assert command(bot, slack_api, text)[0] == 200
    replies = slack_api.wait_for("response_url", count=3)
    texts = " ".join(blocks_text(r) for r in replies)
    assert "*frozen (deploys held)*" in texts and "overspent-availability" in texts
    assert "/slo gate" in texts
    assert "Did you mean `steady`?" in texts
    slack_api.assert_no_violations()


def test_metrics_count_commands(bot: ServeProcess, slack_api: SlackStandIn) -> None:
    command(bot, slack_api, "help")
    slack_api.wait_for("response_url")
    status, text = bot.get("/metrics")
    assert status == 200
    assert 'budgetbot_commands_total{command="/slo"} 1.0' in text


def test_health_says_what_is_up(bot: ServeProcess) -> None:
    health = bot.health()
    assert health["database"] == "ok" and health["prometheus"] == "ok"
    assert health["catalog"]["slos"] == 9


def home_opened(bot: ServeProcess, event_id: str, retry: int | None = None) -> int:
    body, content_type = event_callback(
        {"type": "app_home_opened", "user": "U42", "channel": "D42", "tab": "home"},
        event_id=event_id,
    )
    status, _ = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET, retry_num=retry)
    return status


def test_app_home_is_published_once_per_event_even_across_restarts(
    tmp_path: Path, prom: Any, slack_api: SlackStandIn
) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    env = {"BUDGETBOT_NOW": prom.end.isoformat()}
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:
        assert home_opened(bot, "Ev0001") == 200
        (published,) = slack_api.wait_for("views.publish")
        assert published.body["user_id"] == "U42"
        view = published.body["view"]
        assert view["type"] == "home"
        assert "fastburn-availability" in json.dumps(view)  # paging now: under "Burning now"
        assert home_opened(bot, "Ev0001", retry=1) == 200
        assert home_opened(bot, "Ev0002") == 200
        slack_api.wait_for("views.publish", count=2)
    with serve(tmp_path, catalog, slack_api.api_url, **env) as bot:  # same database
        assert home_opened(bot, "Ev0001", retry=2) == 200
        assert home_opened(bot, "Ev0003") == 200
        slack_api.wait_for("views.publish", count=3)
        # both retried deliveries were seen and recognised as duplicates
        bot.wait_metric('budgetbot_events_total{event="app_home_opened",outcome="duplicate"}', 1)
    assert len(slack_api.calls_to("views.publish")) == 3
    slack_api.assert_no_violations()


@pytest.mark.parametrize(
    "forge",
    ["bad signature", "no signature", "old timestamp"],
)
def test_forged_and_replayed_requests_are_refused(
    bot: ServeProcess, slack_api: SlackStandIn, forge: str
) -> None:
    body, content_type = slash_command("/slo", "status", response_url=slack_api.response_url())
    if forge == "bad signature":
        status, _ = post(f"{bot.url}/slack/events", body, content_type, "not-the-secret")
    elif forge == "old timestamp":
        stale = int(time.time()) - 6 * 60
        status, _ = post(
            f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET, timestamp=stale
        )
    else:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{bot.url}/slack/events", data=body, headers={"Content-Type": content_type}
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as exc:
            status = exc.code
    assert status == 401
    holds_for(lambda: slack_api.responses() == [], 0.5, "a refused request was answered")


def test_url_verification(bot: ServeProcess) -> None:
    body, content_type = url_verification("challenge-xyz")
    status, text = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)
    assert status == 200 and "challenge-xyz" in text


def test_rate_limited_views_are_retried_after_retry_after(
    bot: ServeProcess, slack_api: SlackStandIn
) -> None:
    slack_api.fail_next("views.publish", status=429, retry_after=1)
    assert home_opened(bot, "Ev0429") == 200
    calls = slack_api.wait_for(lambda c: c.method == "views.publish" and c.ok, timeout=15)
    attempts = slack_api.calls_to("views.publish")
    assert len(attempts) == 2 and not attempts[0].ok
    assert attempts[1].at - attempts[0].at >= 1.0
    assert calls


def test_prometheus_down_is_said_in_the_answer(tmp_path: Path, slack_api: SlackStandIn) -> None:
    catalog = mixed_catalog(tmp_path, f"http://127.0.0.1:{closed_port()}")
    with serve(tmp_path, catalog, slack_api.api_url) as bot:
        assert "unreachable" in bot.health()["prometheus"]
        assert command(bot, slack_api, "status")[0] == 200
        (reply,) = slack_api.wait_for("response_url")
        text = blocks_text(reply)
        assert "unreachable" in text and "budget left" not in text


def test_health_answers_quickly_while_prometheus_hangs(
    tmp_path: Path, prom: Any, slack_api: SlackStandIn
) -> None:
    with faulty_proxy(prom.url) as (url, proxy):
        catalog = mixed_catalog(tmp_path, url)
        with serve(tmp_path, catalog, slack_api.api_url) as bot:
            proxy.mode, proxy.delay = "slow", 8.0
            time.sleep(15.5)  # past the health check's 15 s memory of the last probe
            started = time.monotonic()
            status, body = bot.get("/healthz")
            took = time.monotonic() - started
            proxy.delay = 0.0
    assert took < 2.0, took
    assert status == 200 and "no answer within 1 s" in json.loads(body)["prometheus"]


def test_a_prometheus_answering_nonsense_is_said_everywhere(
    tmp_path: Path, prom: Any, slack_api: SlackStandIn
) -> None:
    """HTTP 200 with an error body: /slo, App Home and health all say Prometheus fails."""
    with faulty_proxy(prom.url) as (url, proxy):
        proxy.mode = "error-200"
        catalog = mixed_catalog(tmp_path, url)
        with serve(tmp_path, catalog, slack_api.api_url) as bot:
            assert command(bot, slack_api, "status")[0] == 200
            (reply,) = slack_api.wait_for("response_url")
            text = blocks_text(reply)
            assert "without a query result" in text and "budget left" not in text
            assert home_opened(bot, "Ev-nonsense") == 200
            (home,) = slack_api.wait_for("views.publish")
            home_text = blocks_text(home) + json.dumps(home.body.get("view", {}))
            assert "Prometheus cannot be read" in home_text
            assert "No burn-rate alert is firing" not in home_text
            status, health = bot.get("/healthz")
            assert status == 200 and "without a query result" in json.loads(health)["prometheus"]


def test_socket_mode_serves_health_and_metrics(
    tmp_path: Path, prom: Any, slack_api: SlackStandIn
) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    with serve(
        tmp_path, catalog, slack_api.api_url, "--socket-mode", SLACK_APP_TOKEN="xapp-e2e"
    ) as bot:
        assert bot.health()["status"] == "ok"
        assert bot.get("/metrics")[0] == 200
        assert bot.get("/slack/events")[0] in (404, 405)  # no HTTP events in Socket Mode
        # The stand-in has no WebSocket side: the bot asks with the app token, is refused,
        # keeps serving, reports it and retries.
        (opened, *_) = slack_api.wait_for("apps.connections.open", count=2, timeout=15)
        assert opened.headers.get("Authorization") == "Bearer xapp-e2e"
        assert bot.health()["socket_mode"].startswith("not connected")


def test_each_evaluation_keeps_budget_snapshots(
    bot: ServeProcess, slack_api: SlackStandIn, tmp_path: Path, prom: Any
) -> None:
    command(bot, slack_api, "status")
    slack_api.wait_for("response_url")
    with sqlite3.connect(tmp_path / "budgetbot.db") as db:
        rows = db.execute("SELECT slo, data, budget_remaining FROM budget_snapshot").fetchall()
    assert len(rows) == 9
    steady = next(r for r in rows if r[0] == "steady-availability")
    truth = prom.truth.error_ratio("steady", prom.end, 30 * 86400) / 0.001
    assert steady[1] == "ok" and steady[2] == pytest.approx(1 - truth, rel=1e-6)


def test_junk_is_refused_before_it_is_parsed(bot: ServeProcess, slack_api: SlackStandIn) -> None:
    """Unsigned junk is a 401 checked on the raw body; signed junk a 400, never a 500."""
    import urllib.error
    import urllib.request

    before = tracebacks(bot)
    for _ in range(20):
        request = urllib.request.Request(
            f"{bot.url}/slack/events", data=b"{bad", headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        with caught.value:
            assert caught.value.code == 401
    for body, content_type in [
        (b"{bad", "application/json"),
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=%7B%22type%22%3A%22block_actions%22%7D", "application/x-www-form-urlencoded"),
    ]:
        status, _ = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)
        assert status in (400, 404), (body, status)  # refused or unhandled, never 500
    holds_for(
        lambda: tracebacks(bot) == before and slack_api.responses() == [],
        0.5,
        lambda: f"junk was answered or raised: {slack_api.responses()}\n{bot.log.read_text()}",
    )


@pytest.mark.parametrize(
    "payload",
    [
        ("block", "alert_acknowledge", "9" * 40),
        ("block", "incident_resolve", "abc"),
        ("block", "action_done", ""),
        ("block", "incident_reclassify", None),
        ("view", "incident_reclassify", "not-a-number"),
        ("view", "incident_declare", "{bad"),
        ("view", "postmortem_write", "[]"),
    ],
    ids=lambda p: f"{p[0]}-{p[1]}-{str(p[2])[:8]}",
)
def test_signed_but_malformed_payloads_are_never_a_500(
    bot: ServeProcess, slack_api: SlackStandIn, payload: tuple[str, str, str | None]
) -> None:
    from tests.support.slack_requests import block_action, view_submission

    kind, name, value = payload
    if kind == "block":
        body, content_type = block_action(name, value)
    else:
        body, content_type = view_submission(name, {}, private_metadata=value or "")
    status, _ = post(f"{bot.url}/slack/events", body, content_type, SIGNING_SECRET)
    assert status in (200, 400), status
    holds_for(lambda: tracebacks(bot) == 0, 0.3, lambda: bot.log.read_text(errors="replace"))


def tracebacks(bot: ServeProcess) -> int:
    """How many tracebacks the bot has logged so far."""
    return bot.log.read_text(errors="replace").count("Traceback")
