"""The demo's data: synthetic request counters with a known truth, and a local Prometheus."""
