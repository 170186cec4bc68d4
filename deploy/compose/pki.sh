#!/usr/bin/env bash
# The compose network's CA, broker keystore and operator certificate, in the kafka-pki
# volume (first run only; deploy/kafka/pki.sh does the work, as kafka.sh does locally).
set -euo pipefail
pki=${KAFKA_PKI_DIR:?}
script=deploy/kafka/pki.sh
bash "$script" ca
bash "$script" broker "$pki/broker"
[ -f "$pki/operator/cert.pem" ] || bash "$script" client operator "$pki/operator"
# the broker runs as another user: it reads the keystore and the CA, nothing else
chmod 755 "$pki" "$pki/broker"
chmod 644 "$pki/ca.pem" "$pki/broker/broker.p12"
