#!/usr/bin/env bash
# The README's run command: sets up, starts the local Kafka broker when needed
# (unless KAFKA_BROKERS points at a cluster) and the default network of
# deploy/local/network.json. Ctrl-C stops everything it started.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

bash deploy/local/setup.sh

bash deploy/kafka/with-broker.sh node deploy/local/network.js deploy/local/network.json
