#!/usr/bin/env bash
# npm run bench:audit: compiles the harness to dist/bench and streams a synthetic
# signed log through `auditor replay --archive` (bench/src/audit.ts). Needs no
# broker. BENCH_SKIP_SETUP=1 skips the setup step, as for npm run bench.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

if [ "${BENCH_SKIP_SETUP:-}" != 1 ]; then
  bash deploy/local/setup.sh
fi

echo "bench:audit: compiling the harness (bench/tsconfig.json -> dist/bench)"
rm -rf dist/bench
npx tsc -p bench/tsconfig.json

# the replay child is started with -r tsconfig-paths/register and these, like the harness
export TS_NODE_PROJECT="$repo/bench/tsconfig.json" TS_NODE_BASEURL="$repo/dist/bench"
node -r tsconfig-paths/register dist/bench/bench/src/audit.js "$@"
