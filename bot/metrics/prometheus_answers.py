"""How bot/metrics/prometheus.py reads what the HTTP client gives back.

The result checked for shape, Prometheus's own error text recovered from the client's
exception, and a network failure told in words a person can act on.
"""

import ast
import json
import re

import requests
from prometheus_api_client.exceptions import PrometheusApiClientException

from bot.metrics.promql import MalformedResult

_STATUS = re.compile(r"HTTP Status Code (\d+) \((b'.*'|b\".*\")\)$", re.DOTALL)


def api_error(exc: PrometheusApiClientException) -> tuple[int, str]:
    """(HTTP status, Prometheus's error text) from the client's exception message.

    The client only keeps `HTTP Status Code N (b'<body>')`; the body is Prometheus's JSON.
    """
    found = _STATUS.search(str(exc))
    if not found:
        return 0, str(exc)
    try:
        body = json.loads(ast.literal_eval(found.group(2)))
        return int(found.group(1)), f"{body['errorType']}: {body['error']}"
    except (ValueError, SyntaxError, KeyError, TypeError):
        return int(found.group(1)), found.group(2)[:300]


def checked(result: object) -> list[dict[str, object]]:
    """The result if it is a list of series (their samples are checked as they are parsed)."""
    if not isinstance(result, list):
        raise MalformedResult(f"a result that is not a list of series ({type(result).__name__})")
    return result


def unreachable_reason(exc: Exception, timeout: float) -> str:
    """What went wrong, in words a person can act on (never the URL-encoded query)."""
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused"
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        return f"no answer within {timeout:g} s"
    if "NameResolutionError" in text or "Name or service not known" in text:
        return "its host name does not resolve"
    if "Connection reset" in text or "RemoteDisconnected" in text:
        return "the connection was closed before an answer"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return type(exc).__name__
