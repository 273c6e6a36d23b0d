"""`store`: each store budgetbot supports in turn, a real Prometheus and a real
VictoriaMetrics holding the same SCENARIOS counters (its `.url` and the `.truth` behind)."""

from typing import Any

import pytest

STORES = {"prometheus": "prom", "victoriametrics": "victoria"}


@pytest.fixture(params=sorted(STORES), scope="module")
def store_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def store(store_name: str, request: pytest.FixtureRequest) -> Any:
    """The running store and the truth behind its data."""
    return request.getfixturevalue(STORES[store_name])
