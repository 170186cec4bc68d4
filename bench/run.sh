#!/usr/bin/env bash
# npm run bench [-- --profile]: sets up (idempotent), starts the local broker
# when none is running (unless KAFKA_BROKERS points at a cluster), compiles the
# harness to dist/bench and runs it. Stops the broker afterwards only if this
# script started it, like deploy/local/run.sh.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# BENCH_SKIP_SETUP=1 skips it when dist/ is known to be current (e.g. npx nest build
# city-node was just run): setup reinstalls node_modules whenever package-lock.json
# changed, which must not happen under someone else's running tests.
if [ "${BENCH_SKIP_SETUP:-}" != 1 ]; then
  bash deploy/local/setup.sh
fi

echo "bench: compiling the harness (bench/tsconfig.json -> dist/bench)"
rm -rf dist/bench
npx tsc -p bench/tsconfig.json

# The harness imports the libs through the @yipanqi/* aliases of tsconfig.json;
# tsconfig-paths maps them onto the compiled copies in dist/bench.
TS_NODE_PROJECT="$repo/bench/tsconfig.json" TS_NODE_BASEURL="$repo/dist/bench" \
  bash deploy/kafka/with-broker.sh node -r tsconfig-paths/register dist/bench/bench/src/main.js "$@"
