"""Shared fixtures; add yours as modules under tests/support and list them here."""

pytest_plugins = [
    "tests.support.prometheus",
    "tests.support.victoria",
    "tests.support.database",
    "tests.support.slack_api",
    "tests.support.histograms",
    "tests.support.stores",
]
