"""Test support: fixtures and stand-ins shared by the test suites."""
