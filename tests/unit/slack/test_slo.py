"""/slo replies from fake readings: words, grouping, limits, hints and outages."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.actions import ActionItem, ActionKind, ActionStatus, Priority
from bot.domain.budget import Rates
from bot.domain.slo import SLO, Catalog, EventsSLI, Service, Team, Tier
from bot.domain.status import Reading
from bot.metrics.errors import PrometheusUnreachable
from bot.metrics.source import EventCounts, Progress
from bot.services.board import StatusBoard
from bot.slack.messages.home import HomeView
from bot.slack.rendering import Renderer
from bot.slack.routing.slo import SloCommand
from tests.support.slack_api import block_kit_problems

AT = datetime(2026, 3, 2, 12, tzinfo=UTC)
SLI = EventsSLI("e[{{.window}}]", "t[{{.window}}]")


class FakeSource:
    """Readings by SLO name: (period error ratio, 1h and 5m error ratio) or an error."""

    def __init__(self, ratios: dict[str, tuple[float, float] | str], down: bool = False) -> None:
        self.ratios = ratios
        self.down = down
        self.reads = 0

    def read(
        self,
        slos: Sequence[SLO],
        at: datetime,
        windows: Sequence[int],
        progress: Progress | None = None,
    ) -> dict[str, Reading]:
        self.reads += 1
        if self.down:
            raise PrometheusUnreachable("http://prom:9090", "connection refused")
        out = {}
        for slo in slos:
            value = self.ratios[slo.name]
            if isinstance(value, str):
                out[slo.name] = Reading(period=None, error=value)
                continue
            period, now = value
            rates = {w: Rates(period * 100, 100) for w in windows}
            rates.update({300: Rates(now * 100, 100), 3600: Rates(now * 100, 100)})
            out[slo.name] = Reading(period=Rates(period * 100, 100), windows=rates)
        return out

    def event_counts(self, slo: SLO, start: datetime, end: datetime) -> EventCounts:
        raise NotImplementedError


def catalog(n_extra: int = 0) -> Catalog:
    slos = [
        SLO(
            "checkout-availability", "checkout", "payments", Tier.PRODUCTION, 99.9, 30 * 86400, SLI
        ),
        SLO("checkout-latency", "checkout", "payments", Tier.PRODUCTION, 99.0, 30 * 86400, SLI),
        SLO("search-availability", "search", "search", Tier.PRODUCTION, 99.5, 30 * 86400, SLI),
        *(
            SLO(f"bulk-{i:03d}", "bulk", "search", Tier.PRODUCTION, 99.9, 30 * 86400, SLI)
            for i in range(n_extra)
        ),
    ]
    return Catalog(
        teams={"payments": Team("payments", "C1"), "search": Team("search", "C2")},
        services={
            "checkout": Service("checkout", "payments"),
            "search": Service("search", "search"),
            "bulk": Service("bulk", "search"),
        },
        slos=tuple(slos),
    )


RATIOS: dict[str, tuple[float, float] | str] = {
    "checkout-availability": (0.0002, 0.05),  # 80 % left, paging now
    "checkout-latency": (0.009, 0.0),  # 10 % left: caution
    "search-availability": "bad_data: parse error",
}


def command(ratios: dict[str, Any] = RATIOS, n_extra: int = 0, down: bool = False) -> SloCommand:
    ratios = {**ratios, **{f"bulk-{i:03d}": (0.0001, 0.0) for i in range(n_extra)}}
    board = StatusBoard(catalog(n_extra), FakeSource(ratios, down), lambda: AT)
    return SloCommand(board, Renderer())


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize(
    "text", ["", "status", "status payments", "status nope", "gate checkout", "gate", "help", "x"]
)
@pytest.mark.parametrize("down", [False, True])
def test_every_reply_is_valid_block_kit(text: str, down: bool) -> None:
    for reply in command(n_extra=70, down=down).answer(text):
        assert reply.text and reply.blocks
        assert block_kit_problems("message", {"blocks": reply.blocks}) == []


def test_status_groups_by_team_with_budget_burn_and_gate() -> None:
    (reply,) = command().answer("")
    text = text_of(reply.blocks)
    assert "Team payments" in text and "Team search" in text
    assert "80.0% of the budget left" in text and "page" in text
    assert "caution" in text and "10.0% of the budget left" in text
    assert "search-availability" in text and "parse error" in text  # no data: said, not guessed
    assert reply.blocks[0]["type"] == "header"


def test_status_narrowed_to_a_service() -> None:
    (reply,) = command().answer("status search")
    text = text_of(reply.blocks)
    assert "search-availability" in text and "checkout" not in text.replace(
        "Error budgets: search", ""
    )


def test_unknown_names_get_close_matches() -> None:
    (reply,) = command().answer("status chekout")
    assert "no team, service or SLO called `chekout`" in text_of(reply.blocks)
    assert "`checkout`" in text_of(reply.blocks)
    (reply,) = command().answer("stauts")
    assert "Did you mean `/slo status`?" in text_of(reply.blocks)


def test_gate_says_the_worst_slo_and_why() -> None:
    (reply,) = command().answer("gate checkout")
    text = text_of(reply.blocks)
    assert "*caution*" in text and "checkout-latency" in text
    (reply,) = command().answer("gate search")
    assert "*unknown (deploys held)*" in text_of(reply.blocks)
    assert "no usable data" in text_of(reply.blocks)
    (reply,) = command().answer("gate")
    assert "needs a service" in text_of(reply.blocks)


def test_help_lists_every_subcommand() -> None:
    (reply,) = command().answer("help")
    assert all(
        f"/slo {sub}" in text_of(reply.blocks) for sub in ("status", "gate", "alerts", "help")
    )


def test_prometheus_down_is_reported_never_a_budget() -> None:
    (reply,) = command(down=True).answer("status")
    text = text_of(reply.blocks)
    assert "unreachable" in text and "budget left" not in text


def test_long_lists_are_split_into_messages_of_at_most_50_blocks() -> None:
    replies = command(n_extra=120).answer("status")
    assert len(replies) >= 3
    assert all(len(r.blocks) <= 50 for r in replies)
    names = text_of([b for r in replies for b in r.blocks])
    assert all(f"bulk-{i:03d}" in names for i in range(120))


def test_mrkdwn_special_characters_are_escaped() -> None:
    ratios = {**RATIOS, "search-availability": "bad <query> & more"}
    (reply,) = command(ratios).answer("status search")
    assert "bad &lt;query&gt; &amp; more" in text_of(reply.blocks)


def test_one_evaluation_serves_many_readers() -> None:
    source = FakeSource({**RATIOS})
    board = StatusBoard(catalog(), source, lambda: AT)
    slo = SloCommand(board, Renderer())
    for _ in range(20):
        slo.answer("status")
    assert source.reads == 1


@pytest.mark.parametrize("n_extra", [0, 150])
def test_home_view_stays_inside_100_blocks(n_extra: int) -> None:
    ratios = {**RATIOS, **{f"bulk-{i:03d}": (0.0001, 0.0) for i in range(n_extra)}}
    board = StatusBoard(catalog(n_extra), FakeSource(ratios), lambda: AT)
    view = HomeView(board, Renderer()).for_user("U1")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert block_kit_problems("home", view) == []
    text = text_of(view["blocks"])
    assert "checkout-availability" in text and "Burning now" in text
    headers = [i for i, b in enumerate(view["blocks"]) if b["type"] == "header"]
    burning = view["blocks"][headers[1] + 1]  # the first block under "Burning now"
    assert "checkout-availability" in text_of([burning]) and "page" in text_of([burning])
    everything = view["blocks"][headers[2] + 1]  # least budget left first
    assert "checkout-latency" in text_of([everything])


def test_home_view_never_says_nothing_burns_while_blind() -> None:
    """Prometheus down: the home tab says the burn rates are unknown, not "none firing"."""
    board = StatusBoard(catalog(), FakeSource({}, down=True), lambda: AT)
    still_open = ["*checkout-availability*: page · firing since 11:40"]
    view = HomeView(board, Renderer(), open_alerts=lambda: still_open).for_user("U1")
    text = json.dumps(view)
    assert "No burn-rate alert is firing" not in text
    assert "Prometheus cannot be read" in text and "checkout-availability*: page" in text
    assert block_kit_problems("home", view) == []  # slack_sdk's own models accept it


def test_home_view_counts_what_it_does_not_show() -> None:
    """More than ten open alerts (while blind) or action items: the rest are counted."""
    board = StatusBoard(catalog(), FakeSource({}, down=True), lambda: AT)
    still_open = [f"*slo-{i:02d}*: page · firing since 11:40" for i in range(14)]
    day = AT.date()
    items = [
        ActionItem(
            i,
            1,
            f"fix {i}",
            "U1",
            day,
            Priority.P1,
            ActionKind.PREVENT,
            ActionStatus.OPEN,
            None,
            "U2",
            AT,
        )
        for i in range(1, 13)
    ]
    view = HomeView(
        board, Renderer(), actions_of=lambda user: items, open_alerts=lambda: still_open
    ).for_user("U1")
    text = text_of(view["blocks"])
    assert "slo-09" in text and "slo-10" not in text
    assert "…and 4 more open alerts" in text
    assert "fix 10" in text and "fix 11" not in text and "…and 2 more; `/actions`" in text
    assert block_kit_problems("home", view) == []


def test_home_view_counts_firing_alerts_beyond_ten() -> None:
    ratios = {**RATIOS, **{f"bulk-{i:03d}": (0.5, 0.5) for i in range(12)}}
    board = StatusBoard(catalog(12), FakeSource(ratios), lambda: AT)
    view = HomeView(board, Renderer()).for_user("U1")
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    firing = sum(1 for text in texts if text.startswith(":rotating_light: *"))
    assert firing == 10
    assert "more firing; `/slo alerts` lists them all" in text_of(view["blocks"])
