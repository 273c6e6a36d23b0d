"""Reading SLIs from Prometheus: pure PromQL building and parsing, and the HTTP client."""
