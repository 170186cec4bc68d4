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
echo "check: typecheck"
npm run -s typecheck
echo "check: lint"
npm run -s lint
npm run -s format:check
echo "check: tests"
npm test -- --ci
