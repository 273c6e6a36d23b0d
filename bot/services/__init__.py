"""Use cases: gather (Prometheus, database) -> decide (bot.domain) -> act (print, save, post)."""
