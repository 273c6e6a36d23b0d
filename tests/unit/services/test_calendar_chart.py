"""The digest's chart of a calendar SLO starts at its period's start (its budget resets
there), beside a rolling SLO's full window."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.windows import Calendar
from bot.services.digest_data import DigestData
from storage.unit_of_work import UnitOfWork
from tests.support.fakes import CHECKOUT, FakeSource, payments_catalog

AT = datetime(2026, 3, 20, 9, tzinfo=UTC)


def test_a_calendar_line_starts_at_the_period_and_a_rolling_one_spans_its_window(
    uow: UnitOfWork,
) -> None:
    monthly = replace(
        CHECKOUT, name="checkout-monthly", window=Calendar.MONTH.nominal, calendar=Calendar.MONTH
    )
    catalog = payments_catalog(CHECKOUT, monthly)
    chart = DigestData(catalog, FakeSource(spent=0.3), uow).chart("payments", AT)
    lines = {s.slo: s.points for s in chart.series}
    rolling, calendar = lines["checkout-availability"], lines["checkout-monthly"]
    assert rolling[0][0] == AT - timedelta(days=30) and rolling[-1][0] == AT
    assert calendar[0][0] >= datetime(2026, 3, 1, tzinfo=UTC) > rolling[0][0]
    assert calendar[-1][0] == AT and len(calendar) < len(rolling)
