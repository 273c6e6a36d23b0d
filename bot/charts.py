"""Draws the weekly digest's chart: error budget remaining over time, as a PNG.

Headless and thread-safe by construction: only matplotlib's object API is used (a
`matplotlib.figure.Figure` with its own `FigureCanvasAgg`, saved into a BytesIO), never
`matplotlib.pyplot`, whose global figure registry and state are not thread-safe, because the
chart is drawn in scheduler threads. For the same reason no global `rcParams` are touched:
every font size and colour is set on the artist that uses it.

The chart is read in Slack at preview size (roughly 360-500 px wide), so fonts are large,
colours come from the colour-blind-safe Okabe-Ito palette and every series also has its own
line style so that it reads in grey scale too.
"""

import math
import textwrap
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from matplotlib import dates as mdates
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from bot.chart_parts import (
    date_num,
    draw_legend,
    percent,
    shade_exclusions,
    shade_incidents,
    short,
    x_limits,
    y_limits,
)
from bot.chart_style import (
    CAUTION_COLOUR,
    DPI,
    EXCLUSION_COLOUR,
    FIGSIZE,
    FREEZE_COLOUR,
    GRID_COLOUR,
    INCIDENT_ALPHA,
    INCIDENT_COLOUR,
    LABEL_SIZE,
    LINE_STYLES,
    MAX_SERIES,
    NOTE_COLOUR,
    OKABE_ITO,
    TICK_SIZE,
    TITLE_SIZE,
)


@dataclass(frozen=True)
class BudgetSeries:
    """One SLO's remaining error budget over time.

    Each point is (aware instant, remaining budget ratio): 1.0 means the whole budget is left,
    a negative ratio means it is overspent, and None means there was no data (a gap).
    """

    slo: str
    points: tuple[tuple[datetime, float | None], ...]


@dataclass(frozen=True)
class BudgetChart:
    """Everything the chart shows, as plain data; thresholds are ratios like the points."""

    title: str  # e.g. "payments: error budget remaining, last 30 days"
    series: tuple[BudgetSeries, ...]
    caution: float  # e.g. 0.25: the caution threshold line
    freeze: float  # e.g. 0.0: the freeze threshold line
    incidents: tuple[tuple[str, datetime, datetime], ...] = ()  # (label, start, end): shaded
    timezone: str = "UTC"  # dates on the x axis are shown in this zone
    exclusions: tuple[tuple[str, datetime, datetime], ...] = ()  # (name, start, end): hatched


def budget_chart(chart: BudgetChart) -> bytes:
    """The chart as PNG bytes (about 900 x 500 px)."""
    figure = _figure(chart)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _figure(chart: BudgetChart) -> Figure:
    """The chart as a matplotlib Figure (not yet rendered)."""
    zone = ZoneInfo(chart.timezone)
    for series in chart.series:
        for moment, _ in series.points:
            _check_aware(moment, f"a point of {series.slo!r}")
    for label, start, end in chart.incidents:
        _check_aware(start, f"the start of {label!r}")
        _check_aware(end, f"the end of {label!r}")

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself to the figure: no global backend involved
    ax = figure.add_subplot()
    ax.set_title(
        textwrap.shorten(chart.title, width=100, placeholder="…"),
        fontsize=TITLE_SIZE,
        loc="left",
    )
    ax.set_ylabel("Error budget remaining (%)", fontsize=LABEL_SIZE)
    ax.set_xlabel(f"Date ({chart.timezone})", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    # matplotlib.dates ships no type hints (unlike most of matplotlib since 3.8)
    locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=9)  # type: ignore[no-untyped-call]
    formatter = mdates.ConciseDateFormatter(locator, tz=zone)  # type: ignore[no-untyped-call]
    # day ticks as "Feb 05" (not a bare "05"), and only the year as the offset
    formatter.formats[2] = formatter.zero_formats[2] = "%b %d"
    formatter.offset_formats[2] = "%Y"
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.get_offset_text().set_fontsize(TICK_SIZE)
    ax.grid(True, color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    moments = [moment for series in chart.series for moment, _ in series.points]
    x_range = x_limits(moments)
    if x_range is not None:
        ax.set_xlim(*x_range)
    else:
        ax.tick_params(axis="x", labelbottom=False)

    with_data = [s for s in chart.series if any(v is not None for _, v in s.points)]
    if not with_data:
        ax.set_ylim(*y_limits([], chart.freeze, chart.caution, headroom=False))
        ax.text(
            0.5,
            0.5,
            "no data for this period",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=TITLE_SIZE,
            color=NOTE_COLOUR,
        )
        return figure

    shown = _shown(with_data)
    handles: list[Artist] = []
    values: list[float] = []
    for slot, series in enumerate(with_data[index] for index in shown):
        points = sorted(series.points, key=lambda point: point[0])
        xs = [date_num(moment) for moment, _ in points]
        ys = [math.nan if value is None else value for _, value in points]
        values.extend(y for y in ys if not math.isnan(y))
        ax.plot(
            xs,
            ys,
            label=short(series.slo),
            color=OKABE_ITO[slot],
            linestyle=LINE_STYLES[slot],
            linewidth=2.2,
            marker="o",
            markersize=4.5,
            markevery=_isolated(ys),  # a lone point between gaps draws no line: mark it
            zorder=3,
        )
        # the legend's own handle: the line's markevery would put a marker in it
        handles.append(
            Line2D(
                [],
                [],
                label=short(series.slo),
                color=OKABE_ITO[slot],
                linestyle=LINE_STYLES[slot],
                linewidth=2.2,
            )
        )

    ax.set_ylim(*y_limits(values, chart.freeze, chart.caution, headroom=bool(chart.incidents)))
    handles.append(
        ax.axhline(
            chart.caution,
            color=CAUTION_COLOUR,
            linestyle=(0, (5.0, 3.0)),
            linewidth=1.6,
            label=f"caution ({percent(chart.caution)} %)",
            zorder=2,
        )
    )
    handles.append(
        ax.axhline(
            chart.freeze,
            color=FREEZE_COLOUR,
            linestyle="-",
            linewidth=2.0,
            label=f"freeze ({percent(chart.freeze)} %)",
            zorder=2,
        )
    )
    if x_range is not None and shade_incidents(ax, chart.incidents, x_range):
        handles.append(Patch(color=INCIDENT_COLOUR, alpha=INCIDENT_ALPHA, label="incident"))
    if x_range is not None and shade_exclusions(ax, chart.exclusions, x_range):
        handles.append(
            Patch(facecolor="none", edgecolor=EXCLUSION_COLOUR, hatch="//", label="excluded")
        )

    notes = []
    hidden = len(with_data) - len(shown)
    if hidden:
        notes.append(f"+{hidden} more not shown")
    empty = [s.slo for s in chart.series if all(v is None for _, v in s.points)]
    if empty:
        names = ", ".join(short(name) for name in empty[:2])
        notes.append(f"no data: {names}" + (f" +{len(empty) - 2}" if len(empty) > 2 else ""))
    handles.extend(Line2D([], [], linestyle="none", label=note) for note in notes)

    draw_legend(figure, handles)
    return figure


def _check_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} ({moment.isoformat()}) has no time zone")


def _shown(with_data: list[BudgetSeries]) -> list[int]:
    """Indices, in order, of at most MAX_SERIES series: the lowest final remaining budgets."""
    if len(with_data) <= MAX_SERIES:
        return list(range(len(with_data)))

    def final(index: int) -> float:
        points = sorted(with_data[index].points, key=lambda point: point[0])
        return next(v for _, v in reversed(points) if v is not None)

    return sorted(sorted(range(len(with_data)), key=final)[:MAX_SERIES])


def _isolated(ys: list[float]) -> list[int]:
    """Indices of values with no value on either side: no line segment would show them."""

    def missing(index: int) -> bool:
        return index < 0 or index >= len(ys) or math.isnan(ys[index])

    return [
        index
        for index in range(len(ys))
        if not missing(index) and missing(index - 1) and missing(index + 1)
    ]
