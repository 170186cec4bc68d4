#!/usr/bin/env bash
# The README's run command: sets up, starts the local Kafka broker when needed
# (unless KAFKA_BROKERS points at a cluster) and the default network of
# deploy/local/network.json. Ctrl-C stops everything it started.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

bash deploy/local/setup.sh

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

node deploy/local/network.js deploy/local/network.json
