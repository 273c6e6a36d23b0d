"""The native latency SLI: `sli.latency: {metric, selector, threshold}` over a classic
Prometheus histogram.

Good events are the requests in the bucket at the threshold (`<metric>_bucket{..., le=
threshold}`), all events its `<metric>_count`; bad = total - good. The bucket's `le` is
matched by value, however the client library wrote it ("1", "1.0", "0.30"). A threshold
that is no bucket boundary is found at evaluation (`data: error`, naming the boundaries
that exist) and by `check-config --live`.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import promql_parser as pp

from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.pyrra_selectors import counted, render_selector
from bot.catalog.queries import checked_events
from bot.domain.slo import WINDOW_PLACEHOLDER, Bucket, EventsSLI

_METRIC = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_SUFFIXES = ("_bucket", "_count", "_sum")


class LatencyModel(StrictModel):
    metric: str  # the histogram's name, e.g. http_request_duration_seconds
    selector: str = ""  # its matchers, e.g. '{service="checkout"}'
    threshold: float  # seconds (the histogram's unit): a bucket boundary


def latency_sli(
    model: LatencyModel, file: str, path: str, subject: str, problems: Problems
) -> EventsSLI | None:
    """The events SLI of a latency SLI; None after recording a problem."""
    metric = model.metric.strip()
    if not _METRIC.fullmatch(metric) or metric.endswith(_SUFFIXES):
        problems.add(
            file,
            join(path, "metric"),
            f"{subject}: name the histogram itself, such as http_request_duration_seconds "
            f"(budgetbot reads its _bucket and _count series), got {model.metric!r}",
        )
        return None
    if not (math.isfinite(model.threshold) and model.threshold > 0):
        message = f"{subject}: must be a bucket boundary above 0, got {model.threshold:g}"
        problems.add(file, join(path, "threshold"), message)
        return None
    selector = _selector(f"{metric}_count{model.selector.strip()}", file, path, subject, problems)
    if selector is None:
        return None
    total = counted("increase", selector)
    matchers = render_selector(selector).removeprefix(f"{metric}_count")
    bucket = Bucket(f"{metric}_bucket{matchers}", model.threshold)
    good = f"sum(increase({bucket.selector}[{WINDOW_PLACEHOLDER}]))"
    where = (file, join(path, "threshold"), join(path, "metric"))
    sli = checked_events(f"{total} - {good}", total, where, subject, problems)
    return replace(sli, bucket=bucket) if sli is not None else None


def _selector(
    text: str, file: str, path: str, subject: str, problems: Problems
) -> pp.VectorSelector | None:
    where = join(path, "selector")
    try:
        expr = pp.parse(text)
    except (ValueError, TypeError) as exc:
        problems.add(file, where, f"{subject}: invalid matchers {text!r}: {exc}")
        return None
    if not isinstance(expr, pp.VectorSelector) or expr.offset is not None or expr.at:
        message = f'{subject}: must be matchers such as {{service="checkout"}}, got {text!r}'
        problems.add(file, where, message)
        return None
    if expr.matchers.or_matchers:
        problems.add(file, where, f"{subject}: `or` between matchers is not supported here")
        return None
    if any(m.name in ("le", "__name__") for m in expr.matchers.matchers):
        problems.add(file, where, f"{subject}: le and __name__ are budgetbot's to choose")
        return None
    return expr
