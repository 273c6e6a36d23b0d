#!/usr/bin/env bash
# Makes sure Debian's prometheus and promtool are installed; installs them when permitted.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "budgetbot needs Prometheus (prometheus and promtool) for the demo and the tests." >&2
  echo "Install them with:  sudo apt-get install prometheus" >&2
  exit 1
fi
echo "Installing Debian's prometheus package (prometheus, promtool)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null && command -v promtool >/dev/null || {
  echo "prometheus was installed but prometheus/promtool are not on PATH" >&2
  exit 1
}
