"""The events/raw SLI shape of Sloth (snake_case, shared by native catalogs) and of its resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.catalog.checks import normalize_query
from bot.catalog.errors import Problems, StrictModel, join
from bot.catalog.queries import checked_events, checked_ratio
from bot.domain.slo import SLI


@dataclass(frozen=True)
class SLIKeys:
    """How one form spells the query keys, so that problems name the key the file holds."""

    error_query: str
    total_query: str
    error_ratio_query: str


SNAKE = SLIKeys("error_query", "total_query", "error_ratio_query")  # prometheus/v1, native
CAMEL = SLIKeys("errorQuery", "totalQuery", "errorRatioQuery")  # PrometheusServiceLevel


class EventsModel(StrictModel):
    error_query: str
    total_query: str


class RawModel(StrictModel):
    error_ratio_query: str


class SLIModel(StrictModel):
    events: EventsModel | None = None
    raw: RawModel | None = None
    plugin: dict[str, Any] | None = None  # refused: see convert_sli


class CamelEventsModel(StrictModel):
    errorQuery: str
    totalQuery: str


class CamelRawModel(StrictModel):
    errorRatioQuery: str


class CamelSLIModel(StrictModel):
    """The SLI of a PrometheusServiceLevel resource: the same kinds, keys in camelCase."""

    events: CamelEventsModel | None = None
    raw: CamelRawModel | None = None
    plugin: dict[str, Any] | None = None

    def snake(self) -> SLIModel:
        """The same SLI in the snake_case model that convert_sli reads."""
        events = raw = None
        if self.events is not None:
            events = EventsModel(
                error_query=self.events.errorQuery, total_query=self.events.totalQuery
            )
        if self.raw is not None:
            raw = RawModel(error_ratio_query=self.raw.errorRatioQuery)
        return SLIModel(events=events, raw=raw, plugin=self.plugin)


def convert_sli(
    model: SLIModel,
    file: str,
    path: str,
    subject: str,
    problems: Problems,
    keys: SLIKeys = SNAKE,
) -> SLI | None:
    """An SLI from its events or raw form, its queries checked; None after recording a problem."""
    # subject names the SLO in messages about its queries ("SLO checkout-availability");
    # keys spells the query keys as the file does (CAMEL for the Kubernetes resource).
    if model.plugin is not None:
        problems.add(file, join(path, "plugin"), _plugin_message(model.plugin, keys))
        return None
    if (model.events is None) == (model.raw is None):
        problems.add(file, path, "needs exactly one of events or raw")
        return None
    if model.events is not None:
        error_path = join(path, "events." + keys.error_query)
        total_path = join(path, "events." + keys.total_query)
        error = _query(model.events.error_query, file, error_path, problems)
        total = _query(model.events.total_query, file, total_path, problems)
        if error is None or total is None:
            return None
        return checked_events(error, total, (file, error_path, total_path), subject, problems)
    assert model.raw is not None
    ratio_path = join(path, "raw." + keys.error_ratio_query)
    ratio = _query(model.raw.error_ratio_query, file, ratio_path, problems)
    return checked_ratio(ratio, file, ratio_path, subject, problems) if ratio is not None else None


def _plugin_message(plugin: dict[str, Any], keys: SLIKeys) -> str:
    """Why an SLI plugin is refused, and what to write instead."""
    named = f" (plugin {plugin['id']!r})" if isinstance(plugin.get("id"), str) else ""
    return (
        f"SLI plugins are not supported{named}: budgetbot needs the queries themselves; "
        f"write them out as events ({keys.error_query}, {keys.total_query}) or raw "
        f"({keys.error_ratio_query}). `sloth generate` shows the plugin's query: the expr of "
        "its slo:sli_error:ratio_rate5m rule, with [5m] written as [{{.window}}]"
    )


def _query(query: str, file: str, path: str, problems: Problems) -> str | None:
    """The query normalized, or None after recording why it is unusable."""
    query, error = normalize_query(query)
    if error:
        problems.add(file, path, error)
        return None
    return query
