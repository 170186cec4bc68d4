#!/usr/bin/env bash
# npm run bench:scale: compiles the harness into a folder of its own
# (dist/bench-scale, so that it never replaces dist/bench under a running
# `npm run bench`) and runs the scale simulation against the broker
# (KAFKA_BROKERS, else the local one, started if none runs). See docs/scale.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$repo"
out=dist/bench-scale
rm -rf "$out"
npx tsc -p bench/tsconfig.json --outDir "$out"
TS_NODE_PROJECT="$repo/bench/tsconfig.json" TS_NODE_BASEURL="$repo/$out" \
  bash deploy/kafka/with-broker.sh node --max-old-space-size=3072 --expose-gc -r tsconfig-paths/register \
  "$out/bench/src/scale/main.js" "$@"
