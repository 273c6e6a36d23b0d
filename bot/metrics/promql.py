"""PromQL building and result parsing for batched SLI queries. Pure: no I/O here.

Many SLO expressions are evaluated in one query: each is tagged with a label by
`label_replace` and the tagged vectors are joined with `or`, so one HTTP round trip
answers dozens of (SLO, window) terms.
"""

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.durations import format_duration
from bot.domain.slo import OPEN_WINDOW, WINDOW_PATTERN

TERM_LABEL = "budgetbot_term"


def render(template: str, window: int) -> str:
    """Replace Sloth's {{.window}} placeholder with a Prometheus duration (seconds in),
    and budgetbot's {{.window_open}} with the window less one millisecond."""
    return render_ms(template, window * 1000)


def render_ms(template: str, window: int) -> str:
    """`render` with the window in milliseconds."""
    opened = template.replace(OPEN_WINDOW, format_millis(window - 1) if window > 1 else "1ms")
    return WINDOW_PATTERN.sub(format_millis(window), opened)


def format_millis(ms: int) -> str:
    """A Prometheus duration of whole milliseconds ("1h2m3s", "59m59s999ms")."""
    seconds, rest = divmod(ms, 1000)
    whole = format_duration(seconds) if seconds else ""
    return f"{whole}{rest}ms" if rest else whole


@dataclass(frozen=True)
class Term:
    """One expression to evaluate; `key` says what it is to the caller."""

    key: Hashable
    expr: str


@dataclass(frozen=True)
class TermError:
    message: str


TermValue = float | None | TermError  # None: the expression returned no series


class MalformedResult(ValueError):
    """A query result whose shape or values are not Prometheus's (e.g. a value "abc")."""


def sample(pair: Any) -> tuple[float, float]:
    """(time, value) of one [time, "value"] sample; MalformedResult if it is not one."""
    try:
        stamp, value = float(pair[0]), float(pair[1])  # "NaN", "+Inf": the source judges them
        if len(pair) != 2 or not math.isfinite(stamp):
            raise ValueError(pair)
        return stamp, value
    except (TypeError, ValueError, IndexError, KeyError):
        raise MalformedResult(f"a sample that is not [time, number]: {str(pair)[:60]}") from None


def _label(series: Any) -> str | None:
    """The series' TERM_LABEL; MalformedResult if it has no label set."""
    if not isinstance(series, dict) or not isinstance(series.get("metric"), dict):
        raise MalformedResult("a series without a label set (no metric)")
    label = series["metric"].get(TERM_LABEL)
    return label if isinstance(label, str) else None


def tag(expr: str, index: int) -> str:
    return f'label_replace({expr}, "{TERM_LABEL}", "{index}", "", "")'


def batch_query(terms: Sequence[Term]) -> str:
    """One PromQL query whose result carries every term, told apart by TERM_LABEL."""
    return " or ".join(tag(t.expr, i) for i, t in enumerate(terms))


def batches(terms: Sequence[Term], max_chars: int) -> list[list[Term]]:
    """Split terms into batches whose joined query stays under max_chars characters."""
    out: list[list[Term]] = []
    current: list[Term] = []
    size = 0
    for term in terms:
        cost = len(tag(term.expr, len(current))) + 4
        if current and size + cost > max_chars:
            out.append(current)
            current, size = [], 0
        current.append(term)
        size += cost
    if current:
        out.append(current)
    return out


def parse_batch(
    result: Sequence[dict[str, Any]], terms: Sequence[Term]
) -> dict[Hashable, TermValue]:
    """Map each term's key to its value, None when absent, TermError for several series."""
    found: dict[int, list[float]] = {}
    for series in result:
        label = _label(series)
        if label is None or not label.isdigit() or int(label) >= len(terms):
            continue
        found.setdefault(int(label), []).append(sample(series.get("value"))[1])
    values: dict[Hashable, TermValue] = {}
    for i, term in enumerate(terms):
        samples = found.get(i)
        if samples is None:
            values[term.key] = None
        elif len(samples) > 1:
            values[term.key] = TermError(
                f"the query returns {len(samples)} series, an SLI query must return one "
                f"(wrap it in sum()): {term.expr}"
            )
        else:
            values[term.key] = samples[0]
    return values


def parse_range(
    result: Sequence[dict[str, Any]], terms: Sequence[Term], stamps: range
) -> dict[Hashable, list[float] | TermError]:
    """Each term's values at the instants `stamps` (Unix seconds); NaN where it had none."""
    position = {t: i for i, t in enumerate(stamps)}
    values: dict[Hashable, list[float] | TermError] = {}
    seen: set[int] = set()
    for series in result:
        label = _label(series)
        if label is None or not label.isdigit() or int(label) >= len(terms):
            continue
        term = terms[int(label)]
        if int(label) in seen:
            values[term.key] = TermError(
                f"the query returns several series, an SLI query must return one "
                f"(wrap it in sum()): {term.expr}"
            )
            continue
        seen.add(int(label))
        row = [math.nan] * len(stamps)
        samples = series.get("values")
        if not isinstance(samples, list):
            raise MalformedResult("a range series without a list of values")
        for pair in samples:
            stamp, value = sample(pair)
            if math.isnan(value):  # NaN below stands for "no sample": a NaN answer is no count
                values[term.key] = TermError(
                    "an hour of the window returned NaN, no count of events"
                )
                break
            i = position.get(round(stamp))
            if i is not None:
                row[i] = value
        else:
            values[term.key] = row
    for term in terms:
        values.setdefault(term.key, [math.nan] * len(stamps))
    return values
