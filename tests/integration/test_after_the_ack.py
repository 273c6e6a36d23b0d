"""Work after the ack, against the Slack stand-in: forms never wait out a 429, and a
failure reaches the person who asked (their response_url, else a direct message)."""

import threading
from collections.abc import Callable

from slack_sdk import WebClient

from bot.observability import BotMetrics
from bot.slack.background import FAILED, MALFORMED, Background, teller
from bot.slack.forms.opener import BUSY, FormOpener
from tests.support.slack_api import SlackStandIn

METRICS = BotMetrics()
VIEW = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "A form"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
}


def client_of(slack_api: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack_api.api_url)


def told() -> tuple[list[str], threading.Event, Callable[[str], None]]:
    lines: list[str] = []
    done = threading.Event()

    def tell(text: str) -> None:
        lines.append(text)
        done.set()

    return lines, done, tell


def test_a_form_opens_after_the_ack(slack_api: SlackStandIn) -> None:
    forms = FormOpener(client_of(slack_api), METRICS)
    forms.open("test form", "trigger-1", lambda: VIEW, None)
    (opened,) = slack_api.wait_for("views.open")
    assert opened.body["trigger_id"] == "trigger-1"


def test_a_rate_limited_form_is_not_retried_and_the_person_is_told(
    slack_api: SlackStandIn,
) -> None:
    slack_api.fail_next("views.open", 429, retry_after=30)
    lines, done, tell = told()
    FormOpener(client_of(slack_api), METRICS).open("test form", "t", lambda: VIEW, tell)
    assert done.wait(5)
    assert lines == [BUSY]
    assert len(slack_api.calls_to("views.open")) == 1  # no retry past the trigger's life


def test_a_notice_instead_of_a_form_is_told_escaped(slack_api: SlackStandIn) -> None:
    lines, done, tell = told()
    forms = FormOpener(client_of(slack_api), METRICS)
    forms.open("test form", "t", lambda: "There is no incident `<!channel>`.", tell)
    assert done.wait(5)
    assert lines == ["There is no incident `&lt;!channel&gt;`."]
    assert not slack_api.calls_to("views.open")


def test_a_failure_after_the_ack_is_told_at_the_response_url(slack_api: SlackStandIn) -> None:
    url = slack_api.response_url("cmd")
    tell = teller({"response_url": url, "user_id": "U1"}, client_of(slack_api))

    def broken() -> None:
        raise ValueError("alert id out of range")

    Background(METRICS).run("test work", broken, tell=tell)
    (answer,) = slack_api.wait_for("response_url")
    assert answer.body == {
        "text": MALFORMED,
        "response_type": "ephemeral",
        "replace_original": False,
    }


def test_without_a_response_url_the_person_gets_a_direct_message(
    slack_api: SlackStandIn,
) -> None:
    tell = teller({"user": {"id": "U77"}, "type": "view_submission"}, client_of(slack_api))

    def broken() -> None:
        raise RuntimeError("database gone")

    Background(METRICS).run("test work", broken, tell=tell)
    (dm,) = slack_api.wait_for("chat.postMessage")
    assert dm.body["channel"] == "U77" and dm.body["text"] == FAILED


def test_work_that_succeeds_tells_nothing(slack_api: SlackStandIn) -> None:
    lines, _, tell = told()
    done = threading.Event()
    work = Background(METRICS, workers=1)  # one worker: the second job runs after the first
    work.run("test work", lambda: None, tell=tell)
    work.run("sentinel", done.set)
    assert done.wait(5)
    assert lines == [] and not slack_api.calls_to("chat.postMessage")
