#!/usr/bin/env bash
# Makes sure Debian's victoria-metrics is installed (the tests run their truth tests on a
# real VictoriaMetrics beside Prometheus); installs it when permitted.
set -euo pipefail
if command -v victoria-metrics >/dev/null; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "budgetbot's tests need VictoriaMetrics (victoria-metrics)." >&2
  echo "Install it with:  sudo apt-get install victoria-metrics" >&2
  exit 1
fi
echo "Installing Debian's victoria-metrics package..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends victoria-metrics >/dev/null
command -v victoria-metrics >/dev/null || {
  echo "victoria-metrics was installed but is not on PATH" >&2
  exit 1
}
