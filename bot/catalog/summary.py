"""What check-config prints about a loaded catalog: teams, services, every SLO it derived."""

from __future__ import annotations

from typing import Any

from bot.domain.slo import SLO, Catalog, EventsSLI


def slo_queries(slo: SLO) -> dict[str, str]:
    """The SLO's queries by their role: error_query and total_query, or error_ratio_query."""
    if isinstance(slo.sli, EventsSLI):
        return {"error_query": slo.sli.error_query, "total_query": slo.sli.total_query}
    return {"error_ratio_query": slo.sli.error_ratio_query}


def slo_summary(slo: SLO) -> dict[str, Any]:
    """One SLO as `check-config --format json` lists it."""
    return {
        "name": slo.name,
        "service": slo.service,
        "team": slo.team,
        "tier": str(slo.tier),
        "objective": slo.objective,
        "window": slo.window_label,
        "file": slo.source,
        "sli_kind": slo.sli.kind_label,
        "notes": list(slo.notes),
    }


def catalog_summary(catalog: Catalog) -> dict[str, Any]:
    """The `check-config --format json` contract (docs/catalog.md)."""
    return {
        "teams": [
            {"name": t.name, "channel": t.channel, "digest": t.digest, "timezone": t.timezone}
            for t in catalog.teams.values()
        ],
        "services": [
            {"name": s.name, "team": s.team, "tier": str(s.tier)} for s in catalog.services.values()
        ],
        "slos": [slo_summary(s) for s in catalog.slos],
        "files": list(catalog.files),
    }
