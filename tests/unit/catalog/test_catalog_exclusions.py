"""The catalog's exclusions (DESIGN 9.3): attached to the SLOs they cover; each mistake
named with its file, its path and what is wrong."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

RATIO = """\
  - name: checkout-ratio
    service: checkout
    objective: 99
    sli: {raw: {error_ratio_query: 'avg_over_time(checkout_error_ratio[{{.window}}])'}}
"""
GOOD = """\
exclusions:
  - name: db-failover
    start: '2026-03-01T02:00:00+01:00'
    duration: 2h
    recurrence: FREQ=WEEKLY;BYDAY=SU
    timezone: Europe/Berlin
    services: [checkout]
    reason: planned failover test
  - name: load-test
    start: '2026-03-10T10:00:00Z'
    end: '2026-03-10T12:30:00Z'
    reason: agreed with the product owner
"""


def catalog_with(exclusions: str, slos: str = SLO) -> Files:
    return {"budgetbot.yaml": BASE + slos + exclusions}


def test_exclusions_cover_the_slos_their_filters_name(load: Callable[[Files], Catalog]) -> None:
    catalog = load(catalog_with(GOOD, SLO + RATIO))
    assert [e.name for e in catalog.exclusions] == ["db-failover", "load-test"]
    availability, ratio = catalog.slos
    assert [e.name for e in availability.exclusions] == ["db-failover", "load-test"]
    assert ratio.exclusions == ()  # an error ratio has no events to leave out
    failover, load_test = catalog.exclusions
    assert failover.start == datetime(2026, 3, 1, 1, tzinfo=UTC) and failover.duration == 7200
    assert load_test.duration == 9000 and load_test.recurrence is None


def test_team_owners(load: Callable[[Files], Catalog]) -> None:
    base = BASE.replace("timezone: Europe/Berlin}", "timezone: Europe/Berlin, owners: [U0ALICE]}")
    catalog = load({"budgetbot.yaml": base + SLO})
    assert catalog.teams["payments"].owners == frozenset({"U0ALICE"})


ONE = """\
exclusions:
  - name: drill
    start: '2026-03-10T10:00:00Z'
    duration: 1h
    reason: agreed
"""


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        ("duration: 1h", "end: '2026-03-10T09:00:00Z'", "exclusions[0].end",
         "must come after the start"),
        ("duration: 1h", "duration: 1h\n    end: '2026-03-10T11:00:00Z'", "exclusions[0].end",
         "exactly one of end or duration"),
        ("duration: 1h", "duration: soon", "exclusions[0].duration", "is not a duration"),
        ("duration: 1h", "duration: 1h\n    recurrence: FREQ=FORTNIGHTLY",
         "exclusions[0].recurrence", "is not an RFC 5545 RRULE"),
        ("reason: agreed", "reason: ' '", "exclusions[0].reason", "must say why"),
        ("duration: 1h",
         "duration: 1h\n    recurrence: \"DTSTART:20250101T020000\\nRRULE:FREQ=DAILY\"",
         "exclusions[0].recurrence", "give the RRULE alone"),
        ("duration: 1h", "duration: 1h\n    recurrence: FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
         "exclusions[0].recurrence", "never occurs"),
        ("start: '2026-03-10T10:00:00Z'", "start: next tuesday", "exclusions[0].start", ""),
        ("reason: agreed", "reason: agreed\n    slos: [checkout-latency]", "exclusions[0].slos",
         "no slo named 'checkout-latency'"),
        ("reason: agreed", "reason: agreed\n    teams: [search]", "exclusions[0].teams",
         "no team named 'search'"),
        ("name: drill", "name: 'drill test'", "exclusions[0].name", ""),
        ("duration: 1h", "duration: 1h\n    timezone: Mars/Olympus", "exclusions[0].timezone", ""),
    ],
)  # fmt: skip
def test_wrong_exclusions_are_refused(
    problems: Callable[[Files], list[Problem]], old: str, new: str, path: str, fragment: str
) -> None:
    assert old in ONE
    find(problems(catalog_with(ONE.replace(old, new))), "budgetbot.yaml", path, fragment)


def test_duplicates_and_ratio_slos_named_are_refused(
    problems: Callable[[Files], list[Problem]],
) -> None:
    twice = ONE + ONE.removeprefix("exclusions:\n").replace("reason: agreed", "reason: again")
    find(problems(catalog_with(twice)), "budgetbot.yaml", "exclusions[1].name", "duplicate")
    ratio = ONE.replace("reason: agreed", "reason: agreed\n    slos: [checkout-ratio]")
    found = problems(catalog_with(ratio, SLO + RATIO))
    find(found, "budgetbot.yaml", "exclusions[0].slos", "no events to leave out")
