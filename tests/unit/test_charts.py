"""The digest chart (bot/charts.py): a readable PNG drawn with matplotlib's object API."""

import ast
import inspect
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D

from bot import chart_parts, chart_style, charts
from bot.chart_parts import date_num as _date_num
from bot.chart_style import OKABE_ITO
from bot.charts import BudgetChart, BudgetSeries, _figure, budget_chart

START = datetime(2026, 2, 1, tzinfo=UTC)
DAYS = 30
BLUE = (0x00, 0x72, 0xB2)  # the first Okabe-Ito colour: the first series
SHADE = (214, 214, 214)  # an incident span over the white background


def moments() -> list[datetime]:
    return [START + timedelta(hours=6 * i) for i in range(DAYS * 4 + 1)]


def series(slo: str, value: Any) -> BudgetSeries:
    """`value(i)` for the i-th point (6-hourly over 30 days), or a constant."""
    return BudgetSeries(
        slo, tuple((t, value(i) if callable(value) else value) for i, t in enumerate(moments()))
    )


def chart(*drawn: BudgetSeries, **fields: Any) -> BudgetChart:
    defaults: dict[str, Any] = {
        "title": "payments: error budget remaining, last 30 days",
        "caution": 0.25,
        "freeze": 0.0,
    }
    return BudgetChart(series=drawn, **(defaults | fields))


def decode(png: bytes) -> np.ndarray[Any, Any]:
    """RGB as 0-255 integers."""
    pixels = np.asarray(imread(io.BytesIO(png), format="png"), dtype=float)
    rgb: np.ndarray[Any, Any] = np.rint(pixels[..., :3] * 255).astype(int)
    return rgb


def matches(pixels: np.ndarray[Any, Any], rgb: tuple[int, int, int], tolerance: int = 6) -> Any:
    return (np.abs(pixels[..., :3].astype(int) - np.array(rgb)) <= tolerance).all(axis=-1)


def axes_of(figure: Figure) -> Axes:
    (ax,) = figure.axes
    return ax


def series_lines(figure: Figure) -> list[Line2D]:
    """The lines drawing data (not the thresholds' horizontal lines)."""
    return [line for line in axes_of(figure).lines if np.size(line.get_xdata()) > 2]


def legend_texts(figure: Figure) -> list[str]:
    return [text.get_text() for legend in figure.legends for text in legend.get_texts()]


ONE = chart(series("checkout", lambda i: 1 - i / 200), series("search", 0.4))


@pytest.fixture(scope="module")
def one_png() -> bytes:
    return budget_chart(ONE)


def test_a_png_big_enough_for_slack(one_png: bytes) -> None:
    png = one_png
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _ = decode(png).shape
    assert width >= 900
    assert height >= 500


def test_a_series_is_drawn_in_the_first_okabe_ito_colour_and_no_data_draws_nothing(
    one_png: bytes,
) -> None:
    drawn = decode(one_png)
    assert matches(drawn, BLUE).sum() > 500

    empty = chart(series("checkout", None))
    assert matches(decode(budget_chart(empty)), BLUE).sum() == 0
    figure = _figure(empty)
    assert series_lines(figure) == []
    assert "no data for this period" in [text.get_text() for text in axes_of(figure).texts]


def test_no_series_at_all_still_makes_a_png() -> None:
    png = budget_chart(chart())
    assert decode(png).shape[1] >= 900
    assert "no data for this period" in [
        text.get_text() for text in axes_of(_figure(chart())).texts
    ]


def shade_in_plot(figure: Figure) -> Any:
    """Where the incident shade is, in the middle rows of the plot area (clear of any text)."""
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())  # type: ignore[attr-defined]
    box = axes_of(figure).get_window_extent()
    top = pixels.shape[0] - int(box.y1)  # image rows run top-down, display y bottom-up
    rows = slice(top + int(box.height * 0.3), top + int(box.height * 0.7))
    shade = matches(pixels[rows], SHADE, tolerance=4)
    shade[:, : int(box.x0) + 1] = shade[:, int(box.x1) :] = False  # tick labels are outside
    return shade


def test_an_incident_is_shaded_where_it_happened_and_labelled() -> None:
    start, end = START + timedelta(days=20), START + timedelta(days=22)
    figure = _figure(chart(series("checkout", 0.6), incidents=(("INC-3", start, end),)))
    shade = shade_in_plot(figure)
    ax = axes_of(figure)
    left, right = ax.transData.transform([(x, 0.0) for x in ax.get_xlim()])[:, 0]
    first, last = ax.transData.transform([(_date_num(start), 0.0), (_date_num(end), 0.0)])[:, 0]
    assert left + (right - left) / 2 < first < last < right  # in the right half
    inside = shade[:, int(first) + 2 : int(last) - 1]
    outside = shade[:, int(left) + 1 : int(first) - 2]
    assert inside.mean() > 0.8
    assert outside.sum() == 0
    assert "INC-3" in [text.get_text() for text in ax.texts]
    assert "incident" in legend_texts(figure)


def test_without_an_incident_there_is_no_shade() -> None:
    assert shade_in_plot(_figure(chart(series("checkout", 0.6)))).sum() == 0


def test_a_short_incident_stays_visible() -> None:
    start = START + timedelta(days=10)
    figure = _figure(
        chart(series("checkout", 0.6), incidents=(("INC-9", start, start + timedelta(minutes=1)),))
    )
    ax = axes_of(figure)
    (span,) = ax.patches
    assert span.get_window_extent().width >= ax.get_window_extent().width / 200 - 0.5
    assert span.get_window_extent().width > 3  # pixels


def test_incidents_outside_the_period_are_left_out() -> None:
    long_ago = START - timedelta(days=90)
    figure = _figure(
        chart(
            series("checkout", 0.6),
            incidents=(("INC-1", long_ago, long_ago + timedelta(hours=2)),),
        )
    )
    assert len(axes_of(figure).patches) == 0
    assert "incident" not in legend_texts(figure)


def test_at_most_eight_series_the_ones_with_least_budget_left() -> None:
    finals = [0.9, 0.1, 0.5, 0.95, -0.2, 0.3, 0.7, 0.05, 0.8, 0.6]  # 0.95 and 0.9 are dropped
    many = [
        series(f"slo-{k}", lambda i, f=final: 1 - (1 - f) * i / (DAYS * 4))
        for k, final in enumerate(finals)
    ]
    figure = _figure(chart(*many))
    lines = series_lines(figure)
    assert [line.get_label() for line in lines] == [
        f"slo-{k}" for k in range(10) if k not in (0, 3)
    ]  # in the given order
    assert [line.get_color() for line in lines] == list(OKABE_ITO)
    dashes = [line._dash_pattern for line in lines]  # type: ignore[attr-defined]
    assert len(set(map(repr, dashes))) == 8  # grey scale: every line style differs
    assert "+2 more not shown" in legend_texts(figure)


def test_eight_series_are_all_drawn_without_a_note() -> None:
    figure = _figure(chart(*(series(f"slo-{k}", 1 - k / 10) for k in range(8))))
    assert len(series_lines(figure)) == 8
    assert not [text for text in legend_texts(figure) if "not shown" in text]


def test_a_series_without_data_is_named_in_the_legend() -> None:
    figure = _figure(chart(series("checkout", 0.5), series("search", None)))
    assert [line.get_label() for line in series_lines(figure)] == ["checkout"]
    assert "no data: search" in legend_texts(figure)


def test_negative_remaining_extends_the_y_axis_below_zero_in_percent() -> None:
    figure = _figure(chart(series("checkout", lambda i: 1 - i / 80)))  # ends at -50 %
    ax = axes_of(figure)
    low, high = ax.get_ylim()
    assert low < -0.5
    assert high > 1.0
    assert ax.get_ylabel() == "Error budget remaining (%)"
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"


def test_without_overspending_the_y_axis_still_shows_the_freeze_line() -> None:
    low, high = axes_of(_figure(chart(series("checkout", 0.9)))).get_ylim()
    assert low < 0.0 < 1.0 < high


def test_thresholds_are_lines_named_with_their_values() -> None:
    figure = _figure(chart(series("checkout", 0.5), caution=0.125, freeze=0.0))
    assert {"caution (12.5 %)", "freeze (0 %)"} <= set(legend_texts(figure))
    levels = {
        line.get_label(): float(np.asarray(line.get_ydata(), dtype=float)[0])
        for line in axes_of(figure).lines
        if str(line.get_label()).startswith(("caution", "freeze"))
    }
    assert levels == {"caution (12.5 %)": 0.125, "freeze (0 %)": 0.0}


def test_gaps_break_the_line() -> None:
    values = [0.9, 0.8, None, None, 0.7, None, 0.6, 0.5]
    points = tuple((START + timedelta(days=i), v) for i, v in enumerate(values))
    figure = _figure(chart(BudgetSeries("checkout", points)))
    (line,) = series_lines(figure)
    gaps = np.isnan(np.asarray(line.get_ydata(), dtype=float))
    assert list(gaps) == [v is None for v in values]
    assert line.get_markevery() == [4]  # the lone point between gaps is marked


def test_the_x_axis_is_in_the_teams_time_zone() -> None:
    # 2026-02-01 12:00 UTC is already 2 February in Auckland (UTC+13)
    points = tuple((START + timedelta(hours=12 + 24 * i), 0.5) for i in range(3))
    figure = _figure(chart(BudgetSeries("checkout", points), timezone="Pacific/Auckland"))
    ax = axes_of(figure)
    assert ax.get_xlabel() == "Date (Pacific/Auckland)"
    formatter = ax.xaxis.get_major_formatter()
    first = ax.get_xlim()[0]
    assert formatter.format_ticks([first, first + 1]) == ["Feb 02", "Feb 03"]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        budget_chart(chart(BudgetSeries("checkout", ((datetime(2026, 2, 1), 0.5),))))


def test_charts_can_be_drawn_in_parallel_threads(one_png: bytes) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(budget_chart, [ONE, ONE])
    assert first == second == one_png


@pytest.mark.parametrize("module", [charts, chart_parts, chart_style])
def test_pyplot_is_never_imported(module: ModuleType) -> None:
    tree = ast.parse(inspect.getsource(module))
    imported = {
        alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not [name for name in imported if "pyplot" in name]
