"""The `budgetbot` subcommands, one function each: (args, settings) -> exit code."""
