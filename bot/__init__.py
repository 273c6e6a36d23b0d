"""budgetbot: error budgets as a daily working tool in Slack."""

__version__ = "0.1.0"
