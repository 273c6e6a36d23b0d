"""The declaration form refuses garbage times: the future, and starts over a year ago."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.incidents import IncidentDraft, check_draft

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def draft(started: datetime) -> IncidentDraft:
    return IncidentDraft("db down", ("checkout",), started, None, "", "U1", "C1")


@pytest.mark.parametrize(
    ("started", "problem"),
    [
        (NOW - timedelta(days=365), None),
        (NOW - timedelta(days=367), "The start must be within the last year."),
        (datetime(1900, 1, 1, tzinfo=UTC), "The start must be within the last year."),
        (NOW + timedelta(minutes=1), "The start cannot be in the future."),
    ],
)
def test_incident_starts_are_bounded(started: datetime, problem: str | None) -> None:
    assert check_draft(draft(started), NOW, ["checkout"]).get("start") == problem
