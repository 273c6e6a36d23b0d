"""The digest's incident times in Block Kit and in the terminal: the team's medians this week
beside the four weeks before, and the platform's teams by time to resolve, validated with
slack_sdk's models and within Slack's limits."""

import io
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console

from bot.cli.console_digest import print_digest, print_ranking
from bot.domain.digest import ActionDue, ExclusionWeek, SLOWeek, TeamDigest, weeks_back
from bot.domain.digest_incidents import IncidentTimes
from bot.domain.slo import Gate
from bot.slack.limits import MESSAGE_BLOCKS
from bot.slack.messages.digests import MAX_SLOS, MAX_TTR, DigestMessages
from bot.slack.rendering import Renderer
from tests.support.slack_api import block_kit_problems

AT = datetime(2026, 11, 23, 8, tzinfo=UTC)
MIN = 60.0
MESSAGES = DigestMessages(Renderer())
TITLE = "Incident times (median)"


def text_of(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e["text"] for e in block.get("elements", [])]
    return "\n".join(parts)


def weeks(*figures: dict[str, tuple[float, ...]] | None) -> tuple[IncidentTimes, ...]:
    """Five weeks, this one first; a dict gives a week's durations in minutes by stage (its
    incidents: the most of any stage), None a week without incidents."""
    found = []
    for (start, end), week in zip(weeks_back(AT), figures, strict=True):
        durations = {k: tuple(m * MIN for m in v) for k, v in (week or {}).items()}
        count = max((len(v) for v in durations.values()), default=0)
        found.append(IncidentTimes(start, end, count, **durations))
    return tuple(found)


def team(times: tuple[IncidentTimes, ...] = (), name: str = "payments", **kw: Any) -> TeamDigest:
    slos = kw.pop("slos", (SLOWeek("a", "svc", 30 * 86400, "ok", None, 0.5, gate=Gate.OPEN),))
    return TeamDigest(name, AT, "2026-W48", slos, times=times, **kw)


FIVE = weeks(
    {"detect": (5, 9), "acknowledge": (2,), "mitigate": (30,), "resolve": (125,)},
    {"detect": (12,), "resolve": (45,)},
    {"detect": (9,)},  # nothing resolved that week
    None,
    {"detect": (15,), "acknowledge": (1,), "mitigate": (90,), "resolve": (1500,)},
)


def test_the_team_digest_shows_this_weeks_medians_beside_the_four_weeks_before() -> None:
    text, blocks = MESSAGES.team(team(FIVE), "UTC")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    [section] = [b for b in blocks if TITLE in b.get("text", {}).get("text", "")]
    lines = section["text"]["text"].split("\n")
    assert lines == [
        "*Incident times (median) · this week · 4 weeks before*",
        "incidents 2 · 1, 1, 0, 1",
        "detect 7 min · 12 min, 9 min, —, 15 min",
        "acknowledge 2 min · —, —, —, 1 min",
        "mitigate 30 min · —, —, —, 1 h 30 min",
        "resolve 2 h 5 min · 45 min, —, —, 1 d 1 h",
    ]
    # it sits with the incidents, before the action items
    shown = text_of(blocks)
    assert shown.index("*Incidents this week*") < shown.index(TITLE)
    assert shown.index(TITLE) < shown.index("*Action items overdue*")


def test_only_earlier_weeks_with_incidents_still_show_the_section() -> None:
    times = weeks(None, None, None, None, {"resolve": (20,)})
    _, blocks = MESSAGES.team(team(times), "UTC")
    assert "resolve — · —, —, —, 20 min" in text_of(blocks)


def test_no_incident_in_all_five_weeks_shows_nothing() -> None:
    for times in ((), weeks(None, None, None, None, None)):
        text, blocks = MESSAGES.team(team(times), "UTC")
        assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
        assert "Incident times" not in text_of(blocks)


def test_the_fullest_team_digest_stays_within_slacks_limits() -> None:
    slos = tuple(
        SLOWeek(f"slo-{n:03d}", "svc", 30 * 86400, "ok", None, n / 100, gate=Gate.OPEN)
        for n in range(MAX_SLOS + 5)
    )
    exclusion = ExclusionWeek("freeze", "r" * 300, AT, AT, ("slo-000",))
    overdue = tuple(
        ActionDue(f"ACT-{n}", "x" * 200, "U1", date(2026, 11, 1), 22) for n in range(30)
    )
    digest = team(FIVE, slos=slos, exclusions=(exclusion,), overdue=overdue, due=overdue)
    text, blocks = MESSAGES.team(digest, "UTC")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    assert TITLE in text_of(blocks)


def platform_team(name: str, *resolved: float) -> TeamDigest:
    return team(weeks({"resolve": resolved} if resolved else None, None, None, None, None), name)


def test_the_platform_digest_ranks_teams_by_time_to_resolve_fastest_first() -> None:
    ranked = [
        platform_team("quiet"),
        platform_team("slow", 300, 360),
        platform_team("<fast>", 20),
    ]
    text, blocks = MESSAGES.platform(ranked, AT, "UTC")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    section = blocks[-1]["text"]["text"]
    assert section.split("\n") == [
        "*Time to resolve (median, last 4 weeks), fastest first*",
        "1. *&lt;fast&gt;* 20 min (1 resolved)",  # what people named is escaped
        "2. *slow* 5 h 30 min (2 resolved)",
        "No resolved incidents: quiet",
    ]


def test_the_platform_digest_leaves_the_ranking_out_when_no_team_resolved_one() -> None:
    text, blocks = MESSAGES.platform([platform_team("a"), platform_team("b")], AT, "UTC")
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    assert "Time to resolve" not in text_of(blocks)


def test_many_teams_are_counted_and_stay_within_the_limits() -> None:
    ranked = [platform_team(f"team-{n:03d}-" + "x" * 60, n + 1) for n in range(MAX_TTR + 15)]
    text, blocks = MESSAGES.platform(ranked, AT, "UTC")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert block_kit_problems("message", {"text": text, "blocks": blocks}) == []
    section = blocks[-1]["text"]["text"]
    assert "… and 15 more team(s)" in section
    assert "team-000" in section and f"team-{MAX_TTR:03d}" not in section


def printed(draw: Any) -> str:
    out = io.StringIO()
    draw(Console(file=out, width=200, color_system=None))
    return out.getvalue()


def test_the_printed_digest_shows_the_same_lines_or_none() -> None:
    shown = printed(lambda c: print_digest(c, team(FIVE), "now"))
    assert "Incident times (median) · this week · 4 weeks before:" in shown
    assert "  detect 7 min · 12 min, 9 min, —, 15 min" in shown
    assert "  resolve 2 h 5 min · 45 min, —, —, 1 d 1 h" in shown
    assert "Incident times" not in printed(lambda c: print_digest(c, team(), "now"))


def test_the_printed_ranking_lists_teams_by_time_to_resolve() -> None:
    ranked = [platform_team("quiet"), platform_team("slow", 300), platform_team("fast", 20)]
    shown = printed(lambda c: print_ranking(c, ranked, "now"))
    assert "Teams by time to resolve" in shown
    below = shown[shown.index("Teams by time to resolve") :]
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in below.split("\n")]
    assert [r for r in rows if r and r[0] != "#"] == [
        ["1", "fast", "20 min", "1"],
        ["2", "slow", "5 h", "1"],
        ["", "quiet", "—", "0"],
    ]
