#!/usr/bin/env bash
# The README's test command: sets everything up, then type-checks, lints and
# runs every test (unit + integration against a real Kafka broker).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

bash deploy/local/setup.sh

# Integration tests also run against PostgreSQL (TEST_POSTGRES_URL, default the
# local server with trust auth). Start the machine's cluster if it is down.
if [ -z "${TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "check: starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi
# The dashboard tests drive headless Chromium: Debian's package, installed when
# missing (CHROMIUM_PATH points at another build), with Debian's Noto CJK fonts
# so that pages and screenshots show Chinese rather than boxes.
chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
has_cjk_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; }
missing=()
[ -x "$chromium_path" ] || missing+=(chromium)
has_cjk_font || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt=(sudo -n env DEBIAN_FRONTEND=noninteractive apt-get)
  else
    echo "check: ${missing[*]} missing and no root (or password-less sudo) to install: apt-get install ${missing[*]} (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
  echo "check: installing Debian's ${missing[*]} for the dashboard tests"
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
echo "check: typecheck"
npm run -s typecheck
echo "check: lint"
npm run -s lint
npm run -s format:check
echo "check: tests"
# The three-broker fault suite (3–5 min, two restarts of a cluster of its own)
# runs after the rest, alone: three JVMs restarting next to the other test
# workers on two cores start too slowly to judge recovery times.
# --forceExit: after a broker is SIGKILLed under them, kafkajs consumers of the test
# process can restart after they were disconnected (its crash-restart timer) and keep
# Jest from exiting once every test has passed; see docs/decisions.md.
npm test -- --ci --forceExit --testPathIgnorePatterns cluster-faults
echo "check: fault suite"
npm run -s test:faults -- --ci --forceExit
