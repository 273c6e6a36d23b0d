"""The `budgetbot` command line: the entry point (main.py), the subcommands, one function
each, (args, settings) -> exit code (budgets, records, running, digest), and the terminal
output for people (console, console_digest). The parts come from bot/bootstrap.py."""

from bot.cli.main import main

__all__ = ["main"]
