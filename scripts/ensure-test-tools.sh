#!/usr/bin/env bash
# Installs the system tools the tests use, when they are missing: Chromium
# for browser tests, poppler and zbar to render and scan printed PDFs, and
# the PostgreSQL server binaries.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} ..." >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; then
    $SUDO apt-get update >/dev/null
    $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
