"""Catalog files for the tests that read the session's real Prometheus (tests.support.scenarios):
one writer, `write_catalog`, and the catalogs several suites share, built with it.

The queries count `http_requests_total` of a scenario service; every value is written
single-quoted, so that a test may still edit a query in the file's text.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml

Function = Literal["rate", "increase"]  # per-second rates, or counts of events

# A Sloth prometheus/v1 file and an OpenSLO file next to a native one (`mixed_catalog`).
NATIVE_SLOS = {  # service: (objective, window) of its native `<service>-availability` SLO
    "steady": (99.9, "30d"),
    "incident": (99.9, "30d"),
    "fastburn": (99.9, "30d"),
    "overspent": (99.9, "30d"),
    "quiet": (99.9, "30d"),
    "short": (99.9, "28d"),
}
OPENSLO = """
apiVersion: openslo/v1
kind: SLO
metadata:
  name: overspent-openslo
  labels: {team: payments}
spec:
  service: overspent
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{target: 0.999}]
  indicator:
    metadata: {name: overspent-errors}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec: {query: 'http_requests_total{service="overspent",code="500"}'}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'http_requests_total{service="overspent"}'}
"""

# Two teams with two services each (`digest_catalog`).
DIGEST_TEAMS = {"payments": ("steady", "incident"), "search": ("slowburn", "overspent")}

# Each SLI in both forms (`both_forms_catalog`).
FORM_SERVICES = ("steady", "incident", "slowburn", "quiet")
FORMS: Mapping[str, Function] = {"rate": "rate", "count": "increase"}


def events_query(service: str, *, bad: bool, function: Function = "rate") -> str:
    """The service's failed (`bad`) or all requests over the SLO's `{{.window}}`."""
    code = ',code="500"' if bad else ""
    return f'sum({function}(http_requests_total{{service="{service}"{code}}}[{{{{.window}}}}]))'


def events_sli(service: str, function: Function = "rate") -> dict[str, Any]:
    return {
        "events": {
            "error_query": events_query(service, bad=True, function=function),
            "total_query": events_query(service, bad=False, function=function),
        }
    }


def events_slo(
    service: str,
    *,
    name: str | None = None,
    objective: float = 99.9,
    window: str | None = None,
    function: Function = "rate",
) -> dict[str, Any]:
    """A native SLO over the service's requests, `<service>-availability` unless named."""
    slo: dict[str, Any] = {
        "name": name or f"{service}-availability",
        "service": service,
        "objective": objective,
    }
    if window is not None:
        slo["window"] = window
    slo["sli"] = events_sli(service, function)
    return slo


def write_catalog(
    directory: Path,
    prometheus_url: str,
    *,
    teams: Mapping[str, Mapping[str, Any]],
    services: Mapping[str, str],
    slos: Sequence[Mapping[str, Any]],
    include: Sequence[str | Mapping[str, Any]] = (),
    files: Mapping[str, str | Mapping[str, Any]] | None = None,
    name: str = "budgetbot.yaml",
    extra: str = "",
) -> Path:
    """Write the native catalog `name` in `directory` and its path: Prometheus at
    `prometheus_url`, the teams, `services` (service: its team), the SLOs, the `include`
    list; `files` (name: text or a document) are written next to it, and `extra` is
    appended to the catalog's text as it is."""
    document: dict[str, Any] = {
        "prometheus": {"url": prometheus_url},
        "teams": {team: dict(settings) for team, settings in teams.items()},
        "services": {service: {"team": team} for service, team in services.items()},
        "slos": [dict(slo) for slo in slos],
    }
    if include:
        document["include"] = [item if isinstance(item, str) else dict(item) for item in include]
    for filename, content in (files or {}).items():
        text = content if isinstance(content, str) else _dump(dict(content))
        (directory / filename).write_text(text)
    path = directory / name
    path.write_text(_dump(document) + extra)
    return path


# -- the shared catalogs ---------------------------------------------------------------------


def alerting_catalog(
    directory: Path, prometheus_url: str, services: tuple[str, ...], digest: str = "off"
) -> Path:
    """One team, sre, owning the services (pages to C0PAGE, the rest to C0SRE); its weekly
    digest `off` unless a crontab is given."""
    return write_catalog(
        directory,
        prometheus_url,
        teams={"sre": {"channel": "C0SRE", "channels": {"page": "C0PAGE"}, "digest": digest}},
        services=dict.fromkeys(services, "sre"),
        slos=[events_slo(s) for s in services],
        name="alerts.yaml",
    )


def digest_catalog(
    directory: Path, prometheus_url: str, extra: str = "", function: Function = "rate"
) -> Path:
    """DIGEST_TEAMS: payments (C0PAY, Europe/Berlin) and search (C0SRCH, UTC), an
    availability SLO per service whose SLIs use `function`; `extra` appended as it is."""
    services = {s: team for team, names in DIGEST_TEAMS.items() for s in names}
    return write_catalog(
        directory,
        prometheus_url,
        teams={
            "payments": {"channel": "C0PAY", "timezone": "Europe/Berlin"},
            "search": {"channel": "C0SRCH"},
        },
        services=services,
        slos=[events_slo(s, function=function) for s in services],
        name="digest.yaml",
        extra=extra,
    )


def mixed_catalog(directory: Path, prometheus_url: str) -> Path:
    """A native file (NATIVE_SLOS, team payments) including a Sloth prometheus/v1 file
    (slowburn of team search: an events SLI and a raw ratio SLI) and an OpenSLO file
    (overspent-openslo, counters)."""
    ratio = f"({events_query('slowburn', bad=True)}) / ({events_query('slowburn', bad=False)})"
    sloth = {
        "version": "prometheus/v1",
        "service": "slowburn",
        "labels": {"team": "search"},
        "slos": [
            {"name": "availability", "objective": 99.9, "sli": events_sli("slowburn")},
            {"name": "ratio", "objective": 99.9, "sli": {"raw": {"error_ratio_query": ratio}}},
        ],
    }
    return write_catalog(
        directory,
        prometheus_url,
        teams={"payments": {"channel": "C0PAY"}, "search": {"channel": "C0SRCH"}},
        services=dict.fromkeys(NATIVE_SLOS, "payments"),
        slos=[events_slo(s, objective=o, window=w) for s, (o, w) in NATIVE_SLOS.items()],
        include=["sloth.yml", "openslo.yml"],
        files={"sloth.yml": sloth, "openslo.yml": OPENSLO},
    )


def both_forms_catalog(directory: Path, prometheus_url: str) -> Path:
    """Native SLOs `<service>-rate` and `<service>-count` of FORM_SERVICES (rate() and
    increase()), and an included Sloth file (team payments, 28 days) counting with
    increase()."""
    sloth = {
        "version": "prometheus/v1",
        "service": "incident",
        "slos": [{"name": "counted", "objective": 99.9, "sli": events_sli("incident", "increase")}],
    }
    return write_catalog(
        directory,
        prometheus_url,
        teams={"payments": {"channel": "C0PAY"}},
        services=dict.fromkeys(FORM_SERVICES, "payments"),
        slos=[
            events_slo(s, name=f"{s}-{form}", window="30d", function=function)
            for s in FORM_SERVICES
            for form, function in FORMS.items()
        ],
        include=[{"path": "sloth.yml", "team": "payments", "window": "28d"}],
        files={"sloth.yml": sloth},
    )


class _Dumper(yaml.SafeDumper):
    """Block style; every string that is not a plain word single-quoted, never folded."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain = value.replace("-", "").replace("_", "").replace(".", "").isalnum()
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else "'")


_Dumper.add_representer(str, _string)


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=1_000_000)
