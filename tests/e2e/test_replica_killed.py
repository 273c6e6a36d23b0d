"""A replica SIGKILLed while its alert post is in flight: the next replica never posts it
blind again, and once the claim is old it posts the alert once more, marked as a repeat.
Real `budgetbot serve` processes on one PostgreSQL, the Slack stand-in holding the
first answer so the kill lands mid-post."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.e2e.test_alerting import top_level_posts
from tests.support.catalogs import alerting_catalog
from tests.support.server import serve
from tests.support.slack_api import SlackStandIn


def test_a_replica_killed_mid_post_leaves_one_marked_repeat(
    prom: Any, tmp_path: Path, slack_api: SlackStandIn, postgres_url: str
) -> None:
    catalog = alerting_catalog(tmp_path, prom.url, ("fastburn",))
    env = {
        "DATABASE_URL": postgres_url,
        "BUDGETBOT_NOW": prom.end.isoformat(),
        "BUDGETBOT_EVALUATION_INTERVAL": "1",
    }
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    slack_api.slow_next("chat.postMessage", 30)  # Slack posts it, then answers late
    with serve(first, catalog, slack_api.api_url, **env) as a:
        (in_flight,) = slack_api.wait_for("chat.postMessage", timeout=30)
        a.process.kill()  # SIGKILL: no ts is ever stored for that post
        a.process.wait()
    assert "fastburn-availability" in in_flight.body["text"]

    with serve(second, catalog, slack_api.api_url, **env) as b:
        done = b.metric("budgetbot_evaluation_seconds_count")
        b.wait_metric("budgetbot_evaluation_seconds_count", done + 3)
        assert len(top_level_posts(slack_api)) == 1  # never posted blind again
        engine = create_engine(postgres_url)
        with engine.begin() as connection:  # as if that post had been claimed 5 minutes ago
            connection.execute(
                text("UPDATE alert_post SET claimed_at = :at WHERE kind = 'open'"),
                {"at": datetime.now(UTC) - timedelta(minutes=5)},
            )
        engine.dispose()
        posts = slack_api.wait_for(
            lambda c: c.method == "chat.postMessage" and not c.body.get("thread_ts"),
            count=2,
            timeout=30,
        )
        done = b.metric("budgetbot_evaluation_seconds_count")
        b.wait_metric("budgetbot_evaluation_seconds_count", done + 3)
    repeat = posts[1]
    assert repeat.body["text"].startswith("Posted again: ")
    assert "fastburn-availability" in repeat.body["text"]
    assert len(top_level_posts(slack_api)) == 2  # the first and one marked repeat, no more
