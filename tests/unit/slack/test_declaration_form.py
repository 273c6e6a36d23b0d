"""Reading the declaration form as Slack sends it, garbage included: the bot's clock for a
missing start, field errors (never exceptions) for values no picker sends."""

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.incidents import check_draft
from bot.slack.forms.incidents import read_declaration

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)  # BUDGETBOT_NOW in a replay, not the real clock


def view(start: object = None, severity: str | None = None, metadata: str = "{}") -> Any:
    values: dict[str, Any] = {
        "title": {"value": {"value": "db down"}},
        "services": {"value": {"selected_options": [{"value": "checkout"}]}},
    }
    if start is not None:
        values["start"] = {"value": {"selected_date_time": start}}
    if severity is not None:
        values["severity"] = {"value": {"selected_option": {"value": severity}}}
    return {"state": {"values": values}, "private_metadata": metadata}


def test_no_start_is_the_bot_s_now() -> None:
    assert read_declaration(view(), "U1", NOW).started_at == NOW


def test_a_start_of_zero_is_1970_and_refused() -> None:
    draft = read_declaration(view(start=0), "U1", NOW)
    assert draft.started_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert (
        check_draft(draft, NOW, ["checkout"])["start"] == "The start must be within the last year."
    )


def test_a_real_start_is_read() -> None:
    stamp = int((NOW - timedelta(hours=2)).timestamp())
    assert read_declaration(view(start=stamp), "U1", NOW).started_at == NOW - timedelta(hours=2)


def test_garbage_values_are_field_errors_never_exceptions() -> None:
    draft = read_declaration(view(start="abc", severity="SEV9", metadata="{bad"), "U1", NOW)
    assert draft.severity_override is None and draft.declared_in == ""
    assert "start" in check_draft(draft, NOW, ["checkout"])
    huge = read_declaration(view(start=10**40), "U1", NOW)
    assert "start" in check_draft(huge, NOW, ["checkout"])
