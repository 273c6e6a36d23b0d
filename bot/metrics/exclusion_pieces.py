"""Events inside exclusions taken out of every window they fall in. Pure.

Each excluded stretch (a, b] of a term's window is one small piece, the term's query over
b - a evaluated at b (bot.metrics.promql.render_ms), read in the same batches as the rest
at few instants. The term's events less its pieces' events are its value again, in its
query's kind; never below zero.
"""

import math
from collections.abc import Hashable, Mapping, Sequence

from bot.domain.slo import QueryKind
from bot.metrics.composition import Windowed
from bot.metrics.promql import Term, TermError, TermValue, render_ms
from bot.metrics.source import NOISE


def whole(item: Windowed) -> bool:
    """Exclusions cover the whole window (to the second): nothing of it counts."""
    return sum(b - a for a, b in item.excluded) >= item.seconds * 1000 - 1000


def plan_excluded(items: Sequence[Windowed]) -> dict[int, list[Term]]:
    """The pieces to take out, by the instant (Unix ms) they are read at."""
    out: dict[int, list[Term]] = {}
    for item in items:
        if item.query is None or not item.excluded or whole(item):
            continue
        for i, (start, end) in enumerate(item.excluded):
            key = ("excluded", item.term.key, i)
            out.setdefault(end, []).append(Term(key, render_ms(item.query.text, end - start)))
    return out


def take_out(
    items: Sequence[Windowed], values: Mapping[Hashable, TermValue]
) -> dict[Hashable, TermValue]:
    """Each term with excluded stretches: its value less their events. A value that is no
    count of events (NaN, infinite, negative) is left as it is, to be reported; a piece
    that is none is the term's error; a window excluded whole counts nothing."""
    out: dict[Hashable, TermValue] = {}
    for item in items:
        value = values.get(item.term.key)
        if not item.excluded or item.query is None or not isinstance(value, float):
            continue
        if not math.isfinite(value) or value < -NOISE:
            continue
        if whole(item):
            out[item.term.key] = 0.0
            continue
        kind = item.query.kind
        events = kind.events(value, item.seconds)
        for i, (start, end) in enumerate(item.excluded):
            piece = values.get(("excluded", item.term.key, i))
            if isinstance(piece, float) and (not math.isfinite(piece) or piece < -NOISE):
                piece = TermError(f"an excluded stretch of the window returned {piece:g}")
            if isinstance(piece, TermError):
                out[item.term.key] = piece
                break
            if isinstance(piece, float):
                events -= kind.events(piece, (end - start) / 1000)
        else:
            events = max(0.0, events)  # the pieces' own edges: never below nothing
            out[item.term.key] = events / item.seconds if kind is QueryKind.RATE else events
    return out
