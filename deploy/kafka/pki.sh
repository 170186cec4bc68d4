#!/usr/bin/env bash
# The local certificate authority of a Kafka network and the certificates it issues
# (mutual TLS: the certificate's CN is the Kafka principal, docs/operations.md "Kafka security").
#
#   pki.sh ca                         create the CA if missing (ca.key stays in the PKI folder)
#   pki.sh broker <dir>               a broker's keystore: <dir>/broker.p12 + broker.password
#   pki.sh client <principal> <dir>   a client's credentials: <dir>/key.pem, cert.pem, ca.pem
#
# Settings (environment):
#   KAFKA_PKI_DIR    the CA's folder (default <repo>/.local/kafka-pki)
#   KAFKA_CERT_DAYS  validity of issued certificates (default 825)
#   KAFKA_BROKER_SANS  the broker certificate's names (default IP:127.0.0.1,DNS:localhost)
#   KAFKA_KEYSTORE_PASSWORD  the broker keystore's password (default: random, kept beside it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
pki=${KAFKA_PKI_DIR:-$repo/.local/kafka-pki}
days=${KAFKA_CERT_DAYS:-825}

log() { printf 'pki: %s\n' "$*" >&2; }

ca() {
  [ -f "$pki/ca.pem" ] && [ -f "$pki/ca.key" ] && return 0
  command -v openssl >/dev/null || { log "openssl is required"; exit 1; }
  mkdir -p "$pki"
  chmod 700 "$pki"
  # written under temporary names: parallel callers either see the whole CA or none
  local tmp
  tmp=$(mktemp -d "$pki/.ca-XXXXXX")
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key" 2>/dev/null
  chmod 600 "$tmp/ca.key"
  openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 -subj "/CN=yipanqi-kafka-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/ca.pem" 2>/dev/null
  if [ ! -f "$pki/ca.pem" ]; then
    mv "$tmp/ca.key" "$pki/ca.key"
    mv "$tmp/ca.pem" "$pki/ca.pem"
    log "created the CA in $pki"
  fi
  rm -rf "$tmp"
}

# issue <cn> <key out> <cert out> <extensions>
issue() {
  local cn=$1 key=$2 cert=$3 ext=$4 csr
  csr=$(mktemp)
  openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$key"
  chmod 600 "$key"
  openssl req -new -key "$key" -subj "/CN=$cn" -out "$csr" 2>/dev/null
  # a random serial: several processes may issue at once without a shared serial file
  openssl x509 -req -in "$csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -sha256 -days "$days" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile <(printf '%s\n' "$ext") -out "$cert" 2>/dev/null
  rm -f "$csr"
}

broker() {
  local dir=$1
  ca
  mkdir -p "$dir"
  [ -f "$dir/broker.p12" ] && [ -f "$dir/broker.password" ] && return 0
  issue broker "$dir/broker.key" "$dir/broker.pem" \
    "$(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth' "${KAFKA_BROKER_SANS:-IP:127.0.0.1,DNS:localhost}")"
  if [ -n "${KAFKA_KEYSTORE_PASSWORD:-}" ]; then
    printf '%s\n' "$KAFKA_KEYSTORE_PASSWORD" >"$dir/broker.password"
  else
    openssl rand -hex 24 >"$dir/broker.password"
  fi
  chmod 600 "$dir/broker.password"
  openssl pkcs12 -export -inkey "$dir/broker.key" -in "$dir/broker.pem" -certfile "$pki/ca.pem" \
    -name broker -passout "file:$dir/broker.password" -out "$dir/broker.p12"
  chmod 600 "$dir/broker.p12"
  rm -f "$dir/broker.key"
  cp "$pki/ca.pem" "$dir/ca.pem"
}

client() {
  local principal=$1 dir=$2
  [[ $principal =~ ^[A-Za-z0-9._-]+$ ]] || { log "principal must be [A-Za-z0-9._-]+: $principal"; exit 2; }
  ca
  mkdir -p "$dir"
  chmod 700 "$dir"
  issue "$principal" "$dir/key.pem.tmp" "$dir/cert.pem.tmp" "extendedKeyUsage=clientAuth"
  cp "$pki/ca.pem" "$dir/ca.pem"
  mv "$dir/key.pem.tmp" "$dir/key.pem"
  mv "$dir/cert.pem.tmp" "$dir/cert.pem"
}

cmd=${1:-}
case $cmd in
ca) ca ;;
broker) broker "${2:?broker <dir>}" ;;
client) client "${2:?client <principal> <dir>}" "${3:?client <principal> <dir>}" ;;
*)
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
