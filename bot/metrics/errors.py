"""What can go wrong reading Prometheus, as the metrics port's own error types. Pure."""

from urllib.parse import urlsplit, urlunsplit

__all__ = ["PrometheusError", "PrometheusUnreachable", "QueryRejected", "mask_password"]


class PrometheusError(Exception):
    """Prometheus could not answer: the whole evaluation is unusable."""


class PrometheusUnreachable(PrometheusError):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"Prometheus at {mask_password(url)} is unreachable: {detail}")
        self.url = mask_password(url)


def mask_password(url: str) -> str:
    """The URL with any password in its user-info replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class QueryRejected(Exception):
    """Prometheus refused a query (bad PromQL, too many samples): only its terms fail."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
