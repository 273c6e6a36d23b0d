#!/usr/bin/env bash
# Makes sure Debian's prometheus and promtool are installed (the demo and the tests).
exec "$(dirname "$0")/ensure-debian-package.sh" prometheus prometheus promtool
