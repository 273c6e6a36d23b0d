"""The digest chart's parts around its budget lines (bot/charts.py draws the lines).

Date numbers and axis ranges, the shaded incident windows with their labels, the legend
below the plot and the label texts. Like bot/charts.py, only matplotlib's object API.
"""

from datetime import datetime, timedelta

from matplotlib import dates as mdates
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.chart_style import (
    EXCLUSION_COLOUR,
    INCIDENT_ALPHA,
    INCIDENT_COLOUR,
    LEGEND_SIZE,
    MAX_LABEL,
    MIN_SPAN,
    NOTE_COLOUR,
    NOTE_SIZE,
)


def date_num(moment: datetime) -> float:
    """An aware instant as a matplotlib date number (days since matplotlib's epoch, UTC)."""
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def x_limits(moments: list[datetime]) -> tuple[float, float] | None:
    """The x limits (matplotlib date numbers) spanning every point, data or not."""
    if not moments:
        return None
    low, high = min(moments), max(moments)
    if low == high:  # one instant: show the day around it
        low, high = low - timedelta(hours=12), high + timedelta(hours=12)
    return date_num(low), date_num(high)


def y_limits(
    values: list[float], freeze: float, caution: float, headroom: bool
) -> tuple[float, float]:
    """From below the lowest of the values and thresholds to above 100 % (and above that
    room for incident labels if `headroom`)."""
    low = min([freeze, caution, *values])
    high = max([1.0, caution, *values])
    margin = max(0.05, 0.06 * (high - low))
    return low - margin, high + margin + (0.1 * (high - low) if headroom else 0.0)


def shade_exclusions(
    ax: Axes,
    exclusions: tuple[tuple[str, datetime, datetime], ...],
    x_range: tuple[float, float],
) -> bool:
    """Hatch each excluded stretch within the x range (its events cost no budget); True if
    any is shown."""
    low, high = x_range
    shown = False
    for _, start, end in exclusions:
        first, last = date_num(start), date_num(end)
        if last < low or first > high:
            continue
        if last - first < MIN_SPAN * (high - low):
            middle = (first + last) / 2
            first, last = middle - MIN_SPAN * (high - low) / 2, middle + MIN_SPAN * (high - low) / 2
        ax.axvspan(
            max(first, low), min(last, high), facecolor="none", edgecolor=EXCLUSION_COLOUR,
            hatch="//", linewidth=0, zorder=1,
        )  # fmt: skip
        shown = True
    return shown


def shade_incidents(
    ax: Axes,
    incidents: tuple[tuple[str, datetime, datetime], ...],
    x_range: tuple[float, float],
) -> bool:
    """Shade each incident window within the x range, its label on top; True if any shown."""
    low, high = x_range
    width = high - low
    spans = []
    for label, start, end in incidents:
        first, last = sorted((date_num(start), date_num(end)))
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
            short(label, 16),
            transform=ax.get_xaxis_transform(),
            ha=align,
            va="top",
            fontsize=NOTE_SIZE,
            color=NOTE_COLOUR,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "lw": 0},
        )
    return bool(spans)


def percent(ratio: float) -> str:
    """25 for 0.25, 12.5 for 0.125, 0 for 0.0 (and -0.0)."""
    return f"{ratio * 100 + 0.0:.4g}"


def short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw_legend(figure: Figure, handles: list[Artist]) -> None:
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
