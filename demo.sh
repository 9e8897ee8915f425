#!/usr/bin/env bash
# rpc-boot demo: builds the samples, starts the provider and the consumer (the consumer finds the
# provider through its in-memory registry, seeded with the provider's address), calls the consumer's
# HTTP endpoints (each makes remote calls), prints the answers and some rpc_* metrics, then stops both.
# Needs Java 17+, Maven and curl. Ports are picked by the OS; logs go to logs/.
# ./demo.sh --tls does the same over mutual TLS (the samples' tls profile), with a CA and certificates
# made here by openssl, and prints the TLS handshake counts.
# ./demo.sh --aot builds the samples with Spring AOT processing (profile aot) and runs them with
# -Dspring.aot.enabled=true: bean definitions and rpc-boot's hints come from build time.
set -euo pipefail
cd "$(dirname "$0")"
tls=false
aot=false
if [ "${1:-}" = "--tls" ]; then tls=true; fi
if [ "${1:-}" = "--aot" ]; then aot=true; fi

echo "== building the samples"
jvm=()
if $aot; then
  mvn -B -q -DskipTests -Paot package -pl sample-provider,sample-consumer -am
  jvm=(-Dspring.aot.enabled=true)
else
  mvn -B -q -DskipTests package -pl sample-provider,sample-consumer -am
fi

mkdir -p logs
work=$(mktemp -d)
provider_pid=""
consumer_pid=""
stop() {
  for pid in $consumer_pid $provider_pid; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
  done
  for pid in $consumer_pid $provider_pid; do wait "$pid" 2>/dev/null || true; done
  consumer_pid=""
  provider_pid=""
}
cleanup() {
  stop
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE REGEX: prints the first capture group of the first matching line (60 s at most)
wait_for() {
  for _ in $(seq 1 120); do
    if m=$(grep -m1 -oE "$2" "$1" 2>/dev/null); then
      echo "$m" | grep -oE '[0-9]+$'
      return 0
    fi
    sleep 0.5
  done
  echo "timed out waiting for '$2' in $1:" >&2
  tail -n 40 "$1" >&2
  return 1
}

profile=()
if $tls; then
  echo "== making a CA and certificates in $work/certs (openssl)"
  certs="$work/certs"
  mkdir -p "$certs"
  # make_cert NAME CN EXTENSIONS: a P-256 key (PKCS#8) and a certificate signed by the demo CA
  make_cert() {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$certs/$1.key" \
      -subj "/CN=$2" -out "$certs/$1.csr" 2>/dev/null
    printf '%s\n' "$3" > "$certs/$1.ext"
    openssl x509 -req -in "$certs/$1.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
      -days 2 -sha256 -extfile "$certs/$1.ext" -out "$certs/$1.crt" 2>/dev/null
  }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$certs/ca.key" \
    -subj "/CN=rpc-boot demo CA" -days 2 -out "$certs/ca.crt" 2>/dev/null
  make_cert provider sample-provider "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
  make_cert consumer sample-consumer "extendedKeyUsage=clientAuth"
  profile=(--spring.profiles.active=tls "--sample.certs=$certs")
fi

echo "== starting sample-provider"
java "${jvm[@]}" -jar sample-provider/target/sample-provider-exec.jar --server.port=0 --rpc.server.port=0 \
  --rpc.server.host=127.0.0.1 "${profile[@]}" > "$work/provider.out" 2>&1 &
provider_pid=$!
rpc_port=$(wait_for "$work/provider.out" 'rpc server listening on [0-9.]+:[0-9]+')
provider_http=$(wait_for "$work/provider.out" 'Tomcat started on port [0-9]+')
echo "   rpc on 127.0.0.1:$rpc_port, http on $provider_http"

echo "== starting sample-consumer"
java "${jvm[@]}" -jar sample-consumer/target/sample-consumer.jar --server.port=0 \
  "--rpc.registry.instances.[io.rpcboot.sample.api.GreetingService]=127.0.0.1:$rpc_port" \
  "--rpc.registry.instances.[io.rpcboot.sample.api.OrderService]=127.0.0.1:$rpc_port" \
  "${profile[@]}" > "$work/consumer.out" 2>&1 &
consumer_pid=$!
consumer_http=$(wait_for "$work/consumer.out" 'Tomcat started on port [0-9]+')
echo "   http on $consumer_http"

call() { # METHOD PATH
  printf '\n%s %s\n   ' "$1" "$2"
  curl -sS -X "$1" "http://127.0.0.1:$consumer_http$2"
  echo
}
if $aot; then
  echo "== started from AOT-processed bean definitions:"
  grep -h -m1 -oE 'Starting AOT-processed [A-Za-z]+' "$work/provider.out" "$work/consumer.out" | sed 's/^/   /'
fi
echo
echo "== calls through the consumer (each one is a remote call to the provider)"
call GET "/greet?name=rpc-boot"
order=$(curl -sS -X POST "http://127.0.0.1:$consumer_http/orders?customer=ada")
printf '\nPOST /orders?customer=ada\n   %s\n' "$order"
id=$(echo "$order" | grep -oE '"id":"[^"]+"' | head -1 | cut -d'"' -f4)
call GET "/orders/$id"
call POST "/orders/$id/cancel"
call POST "/orders/o-404/cancel"
call GET "/orders/statistics"

echo
echo "== the provider's rpc port answers HTTP/JSON too: curl, no rpc-boot client (docs/http.md)"
rpc_curl=(curl -sS -H 'Content-Type: application/json')
rpc_url="http://127.0.0.1:$rpc_port"
if $tls; then # HTTPS with the consumer's certificate: the same mutual TLS as rpc-boot clients
  rpc_curl+=(--cacert "$certs/ca.crt" --cert "$certs/consumer.crt" --key "$certs/consumer.key")
  rpc_url="https://127.0.0.1:$rpc_port"
fi
printf '\nPOST %s/io.rpcboot.sample.api.GreetingService/greet ["curl"]\n   ' "$rpc_url"
"${rpc_curl[@]}" -d '["curl"]' "$rpc_url/io.rpcboot.sample.api.GreetingService/greet"
echo

echo
echo "== provider /actuator/prometheus (rpc_* lines)"
curl -sS "http://127.0.0.1:$provider_http/actuator/prometheus" \
  | grep -E '^rpc_(server_requests_seconds_count|server_connections|server_inflight|buffer_pool_used|bytes_received_total)' | head -12
echo
echo "== consumer /actuator/prometheus (rpc_* lines)"
curl -sS "http://127.0.0.1:$consumer_http/actuator/prometheus" \
  | grep -E '^rpc_(client_requests_seconds_count|client_connections|client_inflight)' | head -12
if $tls; then
  echo
  echo "== TLS handshakes (provider, then consumer)"
  curl -sS "http://127.0.0.1:$provider_http/actuator/prometheus" | grep -E '^rpc_tls_handshakes_total' || true
  curl -sS "http://127.0.0.1:$consumer_http/actuator/prometheus" | grep -E '^rpc_tls_handshakes_total' || true
fi
echo
echo "== consumer /actuator/health (rpc component)"
curl -sS "http://127.0.0.1:$consumer_http/actuator/health" | grep -oE '"rpc":\{"details":\{[^}]*\},"status":"[A-Z]+"'

echo
echo "== stopping (provider drains gracefully)"
stop
echo "demo finished"
