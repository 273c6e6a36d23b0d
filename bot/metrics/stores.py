"""Which Prometheus-compatible store answers, and the parameters sent to it on purpose.

Every events term is a count of events (rate queries are evaluated as `increase()`), so
the figures are the same on every store; what differs is how each store refuses a
partial answer, which must never pass for a whole one.
"""

from __future__ import annotations

import requests

FLAVORS = ("prometheus", "victoriametrics", "thanos", "mimir")

# Query parameters by store: what makes it refuse an incomplete answer.
STORE_PARAMS: dict[str, dict[str, str]] = {
    "prometheus": {},
    "mimir": {},
    "thanos": {"partial_response": "false"},
    "victoriametrics": {"deny_partial_response": "1"},  # the cluster's; single node: no-op
}
# A store not known (yet): both refusals, which the stores that do not use them ignore.
UNKNOWN_PARAMS = {**STORE_PARAMS["thanos"], **STORE_PARAMS["victoriametrics"]}


def store_params(flavor: str | None) -> dict[str, str]:
    """The parameters sent to every query of the store `flavor` (None: not known)."""
    return STORE_PARAMS.get(flavor or "", UNKNOWN_PARAMS)


def detect_flavor(url: str, timeout: float = 1.0) -> str | None:
    """The store at `url` when its own answers name it; None when they do not (yet)."""
    if "/select/" in url:  # the VictoriaMetrics cluster's vmselect path
        return "victoriametrics"
    try:
        info = requests.get(f"{url}/api/v1/status/buildinfo", timeout=timeout)
        data = info.json().get("data") if info.ok else None
        application = str((data or {}).get("application", "")).lower()
        if "mimir" in application:
            return "mimir"
        healthy = requests.get(f"{url}/-/healthy", timeout=timeout)
    except (requests.RequestException, ValueError, AttributeError):
        return None
    if healthy.status_code != 200:
        return None  # unhealthy, or a proxy in between: ask again later
    text = healthy.text.lower()
    for flavor in ("victoriametrics", "thanos", "prometheus"):
        if flavor in text:
            return flavor
    return None
