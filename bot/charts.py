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
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from matplotlib import dates as mdates
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from matplotlib.typing import LineStyleType

MAX_SERIES = 8  # more than this and the chart stops being readable at preview size

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Yellow (#F0E442) is weak on white, so it comes late.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)
# One line style per palette slot, all different, so the chart also reads in grey scale.
LINE_STYLES: tuple[LineStyleType, ...] = (
    "-",  # solid
    (0, (6.0, 3.0)),  # dashed
    (0, (6.0, 2.0, 1.5, 2.0)),  # dash-dot
    (0, (1.5, 2.0)),  # dotted
    (0, (12.0, 3.0)),  # long dash
    (0, (6.0, 2.0, 1.5, 2.0, 1.5, 2.0)),  # dash-dot-dot
    (0, (12.0, 2.5, 2.0, 2.5)),  # long dash-dot
    (0, (3.0, 1.2, 1.0, 1.2)),  # dense dash-dot
)

FIGSIZE = (8.2, 4.6)  # inches: small enough that the text stays legible in a preview
DPI = 110  # 902 x 506 px
TITLE_SIZE = 15.0
LABEL_SIZE = 13.0
TICK_SIZE = 13.0
LEGEND_SIZE = 12.5
NOTE_SIZE = 12.0

CAUTION_COLOUR = "#5A5A5A"
FREEZE_COLOUR = "#1A1A1A"
INCIDENT_COLOUR = "#777777"
INCIDENT_ALPHA = 0.3  # over white: (214, 214, 214)
GRID_COLOUR = "#E8E8E8"
NOTE_COLOUR = "#444444"
MIN_SPAN = 1 / 200  # of the x range: shorter incidents are widened to stay visible
MAX_LABEL = 28  # characters of an SLO name in the legend


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
    x_range = _x_range(moments)
    if x_range is not None:
        ax.set_xlim(*x_range)
    else:
        ax.tick_params(axis="x", labelbottom=False)

    with_data = [s for s in chart.series if any(v is not None for _, v in s.points)]
    if not with_data:
        ax.set_ylim(*_y_range([], chart.freeze, chart.caution, headroom=False))
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
        xs = [_date_num(moment) for moment, _ in points]
        ys = [math.nan if value is None else value for _, value in points]
        values.extend(y for y in ys if not math.isnan(y))
        ax.plot(
            xs,
            ys,
            label=_short(series.slo),
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
                label=_short(series.slo),
                color=OKABE_ITO[slot],
                linestyle=LINE_STYLES[slot],
                linewidth=2.2,
            )
        )

    ax.set_ylim(*_y_range(values, chart.freeze, chart.caution, headroom=bool(chart.incidents)))
    handles.append(
        ax.axhline(
            chart.caution,
            color=CAUTION_COLOUR,
            linestyle=(0, (5.0, 3.0)),
            linewidth=1.6,
            label=f"caution ({_percent(chart.caution)} %)",
            zorder=2,
        )
    )
    handles.append(
        ax.axhline(
            chart.freeze,
            color=FREEZE_COLOUR,
            linestyle="-",
            linewidth=2.0,
            label=f"freeze ({_percent(chart.freeze)} %)",
            zorder=2,
        )
    )
    if x_range is not None and _shade_incidents(ax, chart.incidents, x_range):
        handles.append(Patch(color=INCIDENT_COLOUR, alpha=INCIDENT_ALPHA, label="incident"))

    notes = []
    hidden = len(with_data) - len(shown)
    if hidden:
        notes.append(f"+{hidden} more not shown")
    empty = [s.slo for s in chart.series if all(v is None for _, v in s.points)]
    if empty:
        names = ", ".join(_short(name) for name in empty[:2])
        notes.append(f"no data: {names}" + (f" +{len(empty) - 2}" if len(empty) > 2 else ""))
    handles.extend(Line2D([], [], linestyle="none", label=note) for note in notes)

    _legend(figure, handles)
    return figure


def _check_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} ({moment.isoformat()}) has no time zone")


def _date_num(moment: datetime) -> float:
    """An aware instant as a matplotlib date number (days since matplotlib's epoch, UTC)."""
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def _x_range(moments: list[datetime]) -> tuple[float, float] | None:
    """The x limits (matplotlib date numbers) spanning every point, data or not."""
    if not moments:
        return None
    low, high = min(moments), max(moments)
    if low == high:  # one instant: show the day around it
        low, high = low - timedelta(hours=12), high + timedelta(hours=12)
    return _date_num(low), _date_num(high)


def _y_range(
    values: list[float], freeze: float, caution: float, headroom: bool
) -> tuple[float, float]:
    """From below the lowest of the values and thresholds to above 100 % (and above that
    room for incident labels if `headroom`)."""
    low = min([freeze, caution, *values])
    high = max([1.0, caution, *values])
    margin = max(0.05, 0.06 * (high - low))
    return low - margin, high + margin + (0.1 * (high - low) if headroom else 0.0)


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


def _shade_incidents(
    ax: Axes,
    incidents: tuple[tuple[str, datetime, datetime], ...],
    x_range: tuple[float, float],
) -> bool:
    """Shade each incident window within the x range, its label on top; True if any shown."""
    low, high = x_range
    width = high - low
    spans = []
    for label, start, end in incidents:
        first, last = sorted((_date_num(start), _date_num(end)))
        if last < low or first > high:
            continue
        if last - first < MIN_SPAN * width:  # too short to see: widen around its middle
            middle = (first + last) / 2
            first, last = middle - MIN_SPAN * width / 2, middle + MIN_SPAN * width / 2
        spans.append((max(first, low), min(last, high), label))

    previous: list[float] = []  # label x positions on each row, to stack close labels
    for first, last, label in sorted(spans):
        ax.axvspan(first, last, color=INCIDENT_COLOUR, alpha=INCIDENT_ALPHA, linewidth=0, zorder=1)
        middle = (first + last) / 2
        row = next(
            (r for r, x in enumerate(previous) if middle - x > 0.08 * width),
            len(previous),
        )
        if row == len(previous):
            previous.append(middle)
        else:
            previous[row] = middle
        align = "center"
        if middle - low < 0.03 * width:
            align, middle = "left", first
        elif high - middle < 0.03 * width:
            align, middle = "right", last
        ax.text(
            middle,
            0.985 - 0.075 * (row % 4),
            _short(label, 16),
            transform=ax.get_xaxis_transform(),
            ha=align,
            va="top",
            fontsize=NOTE_SIZE,
            color=NOTE_COLOUR,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "lw": 0},
        )
    return bool(spans)


def _percent(ratio: float) -> str:
    """25 for 0.25, 12.5 for 0.125, 0 for 0.0 (and -0.0)."""
    return f"{ratio * 100 + 0.0:.4g}"


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(figure: Figure, handles: list[Artist]) -> None:
    """The legend below the plot, in as many columns (at most 5) as fit the figure's width."""
    for columns in range(min(len(handles), 5), 0, -1):
        legend = figure.legend(
            handles=handles,
            labels=[str(handle.get_label()) for handle in handles],
            loc="outside lower center",
            ncols=columns,
            fontsize=LEGEND_SIZE,
            frameon=False,
            handlelength=3.2,
            columnspacing=1.6,
        )
        if columns == 1 or legend.get_window_extent().width <= 0.97 * figure.bbox.width:
            return
        legend.remove()
