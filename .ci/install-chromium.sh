#!/bin/sh
# Installs Debian's headless Chromium and its WebDriver where missing: the chat page's browser test
# (crs ChatPageBrowserTest) needs both. Runs as root (CI) or through sudo (a developer's machine).
set -eu
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
echo "installing chromium and chromium-driver (for the chat page's browser test)"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver
command -v chromium >/dev/null && command -v chromedriver >/dev/null
