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

started_kafka=0
if [ -z "${KAFKA_BROKERS:-}" ] && ! bash deploy/kafka/kafka.sh status >/dev/null 2>&1; then
  bash deploy/kafka/kafka.sh up
  started_kafka=1
fi
stop_kafka() {
  if [ "$started_kafka" = 1 ]; then
    started_kafka=0
    bash deploy/kafka/kafka.sh down
  fi
}
trap stop_kafka EXIT
trap 'exit 130' INT TERM

echo "bench: compiling the harness (bench/tsconfig.json -> dist/bench)"
rm -rf dist/bench
npx tsc -p bench/tsconfig.json

# The harness imports the libs through the @yipanqi/* aliases of tsconfig.json;
# tsconfig-paths maps them onto the compiled copies in dist/bench.
TS_NODE_PROJECT="$repo/bench/tsconfig.json" TS_NODE_BASEURL="$repo/dist/bench" \
  node -r tsconfig-paths/register dist/bench/bench/src/main.js "$@"
