#!/usr/bin/env bash
# Installs everything a fresh clone needs: npm packages (only when the lockfile
# changed), the Kafka broker jars (Maven Central) and a build of the apps.
# Safe to run again; it skips what is already in place.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

need() { command -v "$1" >/dev/null || { echo "setup: $1 is required ($2)" >&2; exit 1; }; }
need node "Node.js 20.19+"
need npm "comes with Node.js"
need java "Java 17+ runs the Kafka broker"
need mvn "Maven fetches the Kafka broker jars"
need openssl "issues the Kafka network's TLS certificates"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "setup: Node.js 20.19 or newer is required (found $(node --version))" >&2; exit 1; }

stamp=node_modules/.yipanqi-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi

bash deploy/kafka/kafka.sh fetch

echo "setup: building apps"
npm run -s build
