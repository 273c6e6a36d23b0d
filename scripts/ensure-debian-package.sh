#!/usr/bin/env bash
# ensure-debian-package.sh PACKAGE COMMAND... : makes sure Debian's PACKAGE provides every
# COMMAND on PATH; installs it when permitted (root, or password-less sudo), else says how.
set -euo pipefail
package=$1; shift
missing=0
for command in "$@"; do command -v "$command" >/dev/null || missing=1; done
[[ $missing -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "budgetbot needs $* (Debian's $package package)." >&2
  echo "Install it with:  sudo apt-get install $package" >&2
  exit 1
fi
echo "Installing Debian's $package package ($*)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null
for command in "$@"; do
  command -v "$command" >/dev/null || { echo "$package was installed but $command is not on PATH" >&2; exit 1; }
done
