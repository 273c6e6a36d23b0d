"""The digest as Block Kit: every figure in words, within Slack's limits, user text escaped."""

from datetime import UTC, date, datetime
from typing import Any

from bot.domain.digest import ActionDue, IncidentWeek, SLOWeek, TeamDigest
from bot.domain.slo import Gate
from bot.slack.messages.digests import MAX_SLOS, DigestMessages, points
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems

DAY = 86400
AT = datetime(2026, 11, 23, 8, tzinfo=UTC)
MESSAGES = DigestMessages(Renderer())


def text_of(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e["text"] for e in block.get("elements", [])]
    return "\n".join(parts)


def week(name: str, remaining: float | None, gate: Gate | None, **kw: Any) -> SLOWeek:
    data = "ok" if remaining is not None else "error"
    return SLOWeek(name, "svc", 30 * DAY, data, kw.pop("message", None), remaining, gate=gate, **kw)


def test_the_team_digest_says_every_figure() -> None:
    digest = TeamDigest(
        team="payments",
        at=AT,
        week="2026-W48",
        slos=(
            week(
                "checkout-availability",
                0.2,
                Gate.CAUTION,
                remaining_week_ago=0.5,
                burn_now=0.4,
                burn_week=3.0,
            ),
            week(
                "payments-latency",
                0.9,
                Gate.OPEN,
                remaining_week_ago=0.85,
                burn_now=None,
                burn_week=0.0,
            ),
            week("payments-api", None, None, message="Prometheus rejected the query"),
        ),
        incidents=(
            IncidentWeek(
                "INC-7",
                "Cards <declined>",
                "SEV2",
                AT,
                None,
                (("checkout-availability", 0.12), ("payments-api", None)),
            ),
        ),
        overdue=(ActionDue("ACT-3", "Add a retry budget", "U123", date(2026, 11, 20), 3),),
        due=(ActionDue("ACT-4", "Alert on queue depth", "U456", date(2026, 11, 26), 0),),
        held_deploys=2,
    )
    text, blocks = MESSAGES.team(digest, "Europe/Berlin")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    shown = text_of(blocks)
    assert "slow down: 1 SLO in caution" in text and "slow down: 1 SLO in caution" in shown
    assert "20.0% left (-30.0 pts this week)" in shown
    assert "burning 0.40x now" in shown
    # 20 % of a 30-day budget at 3x: 2 days
    assert "runs out in about 2 days at this week's rate" in shown
    assert "no traffic in the last hour" in shown and "lasts at this week's rate" in shown
    assert "+5.0 pts this week" in shown
    assert "no budget figures (Prometheus rejected the query)" in shown
    assert "*INC-7* SEV2 (ongoing): Cards &lt;declined&gt;" in shown
    assert "checkout-availability 12.0%" in shown and "payments-api unknown" in shown
    assert "*ACT-3* <@U123> · 3 day(s) overdue · Add a retry budget" in shown
    assert "*ACT-4* <@U456> · due Thu Nov 26" in shown
    assert "2 deploy(s) held by the release gate this week" in shown
    assert "Mon 23 Nov 2026 09:00 CET" in shown  # in the team's time zone
    # worst first: caution before open, no data last
    assert shown.index("checkout-availability") < shown.index("payments-latency")
    assert shown.index("payments-latency") < shown.index("payments-api*")


def test_a_large_team_stays_within_the_block_limit_and_counts_the_rest() -> None:
    slos = tuple(week(f"slo-{n:03d}", n / 100, Gate.OPEN) for n in range(60))
    overdue = tuple(
        ActionDue(f"ACT-{n}", "x" * 200, "U1", date(2026, 11, 1), 22) for n in range(30)
    )
    digest = TeamDigest("big", AT, "2026-W48", slos, overdue=overdue)
    text, blocks = MESSAGES.team(digest, "UTC")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    shown = text_of(blocks)
    assert f"… and {60 - MAX_SLOS} more SLO(s)" in shown
    assert "… and 20 more item(s)" in shown
    assert "slo-000" in shown and "slo-059" not in shown  # the least budget left is shown


def test_the_platform_ranking_lists_teams_in_the_given_order() -> None:
    digests = [
        TeamDigest("export", AT, "2026-W48", (week("e", -0.15, Gate.FROZEN),), held_deploys=4),
        TeamDigest("search", AT, "2026-W48", (week("s", 0.7, Gate.OPEN),)),
    ]
    text, blocks = MESSAGES.platform(digests, AT, "UTC")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    shown = text_of(blocks)
    assert "1. :red_circle: *export*: frozen: e has overspent · lowest budget -15.0%" in shown
    assert "4 deploy(s) held" in shown
    assert shown.index("export") < shown.index("search")


def test_a_change_too_small_to_show_is_never_negative_zero() -> None:
    assert points(-0.00001) == "+0.0 pts"
    assert points(-0.131) == "-13.1 pts"
