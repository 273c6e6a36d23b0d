"""Mutated catalogs load or fail with CatalogError naming a file: never any other exception
(which the command would report as an internal error, exit 4)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import CatalogError, load_catalog

GOOD: dict[str, Any] = {
    "teams": {"payments": {"channel": "C0PAY", "timezone": "Europe/Berlin"}},
    "services": {"checkout": {"team": "payments"}},
    "slos": [
        {
            "name": "checkout-availability",
            "service": "checkout",
            "objective": 99.9,
            "sli": {
                "events": {
                    "error_query": 'sum(rate(x{code="500"}[{{.window}}]))',
                    "total_query": "sum(increase(x[{{.window}}]))",
                }
            },
        }
    ],
    "include": [{"path": "sloth.yml", "team": "payments", "window": "28d"}],
}
SLOTH: dict[str, Any] = {
    "version": "prometheus/v1",
    "service": "search",
    "labels": {"owner": "payments"},
    "slos": [
        {"name": "a", "objective": 99, "sli": {"raw": {"error_ratio_query": "x[{{.window}}]"}}}
    ],
}

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "30d", "99999999999d", "{{.window}}", "sum(", "team", "[]", "0"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the document a value can be replaced."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += paths(value, (*prefix, index))
    return found


def replaced(doc: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[where[0]] = replaced(doc[where[0]], where[1:], value)
    return copy


def load_mutated(root: Any, sloth: Any) -> None:
    with tempfile.TemporaryDirectory() as directory:
        for name, doc in (("budgetbot.yaml", root), ("sloth.yml", sloth)):
            with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
                yaml.safe_dump(doc, handle, allow_unicode=True)
        try:
            load_catalog(os.path.join(directory, "budgetbot.yaml"))
        except CatalogError as exc:
            assert exc.problems and all(p.file and p.message for p in exc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_catalog_is_loaded_or_refused_with_problems(data: st.DataObject) -> None:
    root_where = data.draw(st.sampled_from(paths(GOOD)))
    sloth_where = data.draw(st.sampled_from(paths(SLOTH)))
    root = replaced(GOOD, root_where, data.draw(VALUES))
    sloth = replaced(SLOTH, sloth_where, data.draw(VALUES))
    load_mutated(root, sloth)
