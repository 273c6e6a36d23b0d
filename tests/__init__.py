"""budgetbot's tests; a package so that tests.support is importable everywhere."""
