#!/usr/bin/env bash
# Makes sure Debian's victoria-metrics is installed (the tests run their truth tests on a
# real VictoriaMetrics beside Prometheus).
exec "$(dirname "$0")/ensure-debian-package.sh" victoria-metrics victoria-metrics
