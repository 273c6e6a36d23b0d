"""The shipped examples load, and odd shapes of YAML give CatalogError, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import CatalogError, load_catalog
from bot.domain.slo import EventsSLI, RatioSLI, Tier

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_example_catalog_loads() -> None:
    catalog = load_catalog(EXAMPLES / "budgetbot.yaml")
    assert catalog.prometheus_url == "http://127.0.0.1:9090"
    assert {name: (t.channel, t.timezone) for name, t in catalog.teams.items()} == {
        "payments": ("C0123PAY", "Europe/Berlin"),
        "search": ("C0456SRCH", "America/New_York"),
        "platform": ("C0789PLAT", "UTC"),
    }
    assert {name: (s.team, s.tier) for name, s in catalog.services.items()} == {
        "checkout": ("payments", Tier.PRODUCTION),
        "payments-api": ("payments", Tier.PRODUCTION),
        "search": ("search", Tier.PRODUCTION),
        "export": ("platform", Tier.STAGING),
        "gateway": ("platform", Tier.PRODUCTION),  # from the Pyrra file, team from its include
    }
    sources = {slo.name: Path(slo.source).name for slo in catalog.slos}
    assert sources == {
        "checkout-availability": "budgetbot.yaml",
        "checkout-latency": "budgetbot.yaml",
        "payments-api-availability": "budgetbot.yaml",
        "payments-api-throttling": "budgetbot.yaml",
        "search-availability": "search-sloth.yml",
        "search-served": "search-sloth.yml",
        "export-availability": "export-openslo.yml",
        "export-success-nearly-all": "export-openslo.yml",
        "export-success-most": "export-openslo.yml",
        "gateway-latency": "gateway-pyrra.yml",
    }
    assert [Path(f).name for f in catalog.files] == [
        "budgetbot.yaml",
        "search-sloth.yml",
        "export-openslo.yml",
        "gateway-pyrra.yml",
    ]
    for slo in catalog.slos:
        queries = (
            [slo.sli.error_query, slo.sli.total_query]
            if isinstance(slo.sli, EventsSLI)
            else [slo.sli.error_ratio_query]
        )
        assert all("{{.window}}" in q and "http_request" in q for q in queries), slo.name
    assert isinstance(catalog.slo("search-served").sli, RatioSLI)  # type: ignore[union-attr]


def test_example_availability_slos_use_the_shared_counter() -> None:
    catalog = load_catalog(EXAMPLES / "budgetbot.yaml")
    for slo in catalog.slos:
        if slo.name.endswith("-availability"):
            assert isinstance(slo.sli, EventsSLI)
            assert slo.sli.total_query == (
                f'sum(rate(http_requests_total{{service="{slo.service}"}}[{{{{.window}}}}]))'
            )


ODD_SHAPES = [
    "just a string\n",
    "42\n",
    "[]\n",
    "teams: [payments]\n",
    "teams: {payments: 5}\n",
    "teams: {1: {channel: C1}}\n",
    "services: {a: [b]}\n",
    "slos: [1, null, x]\n",
    "slos: [{name: 5, service: [], objective: {}, sli: 7}]\n",
    "slos: [{name: a, service: b, objective: .nan, sli: {events: {}}}]\n",
    "incidents: {severity: [1, 2]}\n",
    "gate: {staging: 5}\n",
    "include: [5]\n",
    "prometheus: http://x\n",
    "version: 5\n",
    "version: prometheus/v1\nslos: 5\n",
    "apiVersion: openslo/v1\n",
    "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: 5\n",
    "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: x}\n",
    "key: &a [*a]\n",
    "a: !!python/object:os.system echo\n",
    "\t- tab\n",
]


@pytest.mark.parametrize("text", ODD_SHAPES)
def test_odd_shapes_give_catalog_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "budgetbot.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert caught.value.problems
    assert all(p.file == str(path) for p in caught.value.problems)


KEYS = st.sampled_from(
    [
        "teams",
        "services",
        "slos",
        "include",
        "gate",
        "incidents",
        "prometheus",
        "sli",
        "events",
        "raw",
        "name",
        "service",
        "objective",
        "window",
        "team",
        "channel",
        "digest",
        "timezone",
        "tier",
        "error_query",
        "total_query",
        "version",
        "apiVersion",
        "kind",
        "spec",
        "metadata",
    ]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=True),
    st.sampled_from(["", "x", "30d", "openslo/v1", "prometheus/v1", "SLO", "a[{{.window}}]"]),
)
DOCS = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=DOCS)
def test_any_yaml_document_loads_or_gives_catalog_error(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_catalog(path)
    except CatalogError as exc:
        assert exc.problems
