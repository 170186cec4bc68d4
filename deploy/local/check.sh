#!/usr/bin/env bash
# The README's test command: sets everything up, then type-checks, lints and
# runs every test (unit + integration against a real Kafka broker).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

bash deploy/local/setup.sh
echo "check: typecheck"
npm run -s typecheck
echo "check: lint"
npm run -s lint
npm run -s format:check
echo "check: tests"
npm test -- --ci
