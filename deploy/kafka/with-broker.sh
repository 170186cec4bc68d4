#!/usr/bin/env bash
# with-broker.sh <command …>: runs the command with a Kafka broker available.
# Starts the local broker when none is running (unless KAFKA_BROKERS points at
# a cluster) and stops it afterwards only if it started it; Ctrl-C too.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

started_kafka=0
if [ -z "${KAFKA_BROKERS:-}" ] && ! bash "$here/kafka.sh" status >/dev/null 2>&1; then
  bash "$here/kafka.sh" up
  started_kafka=1
fi
stop_kafka() {
  if [ "$started_kafka" = 1 ]; then
    started_kafka=0
    bash "$here/kafka.sh" down
  fi
}
trap stop_kafka EXIT
trap 'exit 130' INT TERM

"$@"
