"""The catalog's policies: incident classes, release gates and burn alerts per tier."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from bot.catalog.checks import parse_window
from bot.catalog.errors import Problems, StrictModel, join
from bot.domain.slo import (
    DEFAULT_ALERT_POLICIES,
    AlertPolicy,
    GatePolicy,
    Severity,
    SeverityThresholds,
    Tier,
)

SeverityName = Literal["ticket", "page"]
TierName = Literal["production", "staging", "development"]


class AlertTierModel(StrictModel):
    max_severity: SeverityName | None = None


class AlertsModel(StrictModel):
    hysteresis: str = "10m"  # quiet this long before an alert resolves
    data_missing_after: str = "15m"  # without usable data this long: one warning
    min_events: float = 0  # a burn rule fires only with this many events in its long window
    production: AlertTierModel | None = None
    staging: AlertTierModel | None = None
    development: AlertTierModel | None = None


class SeverityModel(StrictModel):
    sev1: float = Field(20.0, alias="SEV1")  # percent of the error budget
    sev2: float = Field(5.0, alias="SEV2")
    sev3: float = Field(1.0, alias="SEV3")


ClassName = Literal["SEV1", "SEV2", "SEV3", "SEV4"]


class IncidentsModel(StrictModel):
    severity: SeverityModel | None = None
    # Response deadlines: acknowledged within this long after declaration, by tier and class.
    respond: dict[TierName, dict[ClassName, str]] | None = None


class GateTierModel(StrictModel):
    caution_below: float = 25.0  # percent of the budget remaining
    freeze_below: float = 0.0  # percent of the budget remaining
    caution_on_page: bool = True
    may_freeze: bool = True


class GateModel(StrictModel):
    production: GateTierModel | None = None
    staging: GateTierModel | None = None
    development: GateTierModel | None = None


def severity(file: str, model: SeverityModel, problems: Problems) -> SeverityThresholds:
    """Incident classes: percent of the budget in the file, ratios (0.2 = 20 %) in the result."""
    path = "incidents.severity"
    values = {"SEV1": model.sev1, "SEV2": model.sev2, "SEV3": model.sev3}
    for key, value in values.items():
        if not 0 < value <= 100:
            problems.add(file, join(path, key), "must be a percentage above 0 and at most 100")
    if not model.sev1 > model.sev2 > model.sev3:
        shown = ", ".join(f"{k}: {v:g}" for k, v in values.items())
        problems.add(file, path, f"must be descending (SEV1 > SEV2 > SEV3), got {shown}")
    return SeverityThresholds(sev1=model.sev1 / 100, sev2=model.sev2 / 100, sev3=model.sev3 / 100)


def respond(
    file: str, model: dict[TierName, dict[ClassName, str]], problems: Problems
) -> dict[Tier, dict[str, int]]:
    """Response deadlines: durations in the file ("15m"), seconds in the result."""
    deadlines: dict[Tier, dict[str, int]] = {}
    for tier, classes in model.items():
        for name, text in classes.items():
            seconds, error = parse_window(text)
            if error:
                problems.add(file, join(join("incidents.respond", tier), name), error)
                continue
            deadlines.setdefault(Tier(tier), {})[name] = seconds
    return deadlines


_MENTION = re.compile(r"^<(@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!here|!channel)>$")


def escalation(
    file: str, path: str, mentions: list[str] | None, problems: Problems
) -> tuple[str, ...]:
    """A team's escalation mentions, each a Slack user or group mention as Slack writes it."""
    for index, mention in enumerate(mentions or ()):
        if not _MENTION.match(mention):
            problems.add(
                file,
                join(path, index),
                f"{mention!r} is not a Slack mention such as <@U0123> or <!subteam^S0123>",
            )
    return tuple(mentions or ())


def gate(file: str, model: GateModel, problems: Problems) -> dict[Tier, GatePolicy]:
    """Per-tier gate policies: percent of the budget remaining in the file, ratios in the result."""
    policies: dict[Tier, GatePolicy] = {}
    for tier in Tier:
        spec: GateTierModel | None = getattr(model, tier.value)
        if spec is None:
            continue
        path = join("gate", tier.value)
        for key in ("caution_below", "freeze_below"):
            if not 0 <= getattr(spec, key) <= 100:
                problems.add(file, join(path, key), "must be a percentage from 0 to 100")
        if spec.freeze_below > spec.caution_below:
            problems.add(
                file,
                join(path, "freeze_below"),
                f"must not be above caution_below ({spec.caution_below:g})",
            )
        policies[tier] = GatePolicy(
            caution_below=spec.caution_below / 100,
            freeze_below=spec.freeze_below / 100,
            caution_on_page=spec.caution_on_page,
            may_freeze=spec.may_freeze,
        )
    return policies


def alerts(file: str, model: AlertsModel, problems: Problems) -> dict[Tier, AlertPolicy]:
    """Alert policies per tier; durations in the file, seconds in the result."""
    timing = {}
    for key in ("hysteresis", "data_missing_after"):
        seconds, error = parse_window(getattr(model, key))
        if error:
            problems.add(file, join("alerts", key), error)
        timing[key] = seconds
    if model.min_events < 0:
        problems.add(file, join("alerts", "min_events"), "must be 0 or more events")
    policies = {}
    for tier in Tier:
        spec: AlertTierModel | None = getattr(model, tier.value)
        default = DEFAULT_ALERT_POLICIES[tier]
        highest = (
            Severity(spec.max_severity) if spec and spec.max_severity else default.max_severity
        )
        policies[tier] = AlertPolicy(
            hysteresis=timing["hysteresis"],
            data_missing_after=timing["data_missing_after"],
            max_severity=highest,
            min_events=max(0.0, model.min_events),
        )
    return policies
