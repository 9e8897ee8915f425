#!/usr/bin/env bash
# Runs the tutorial's two applications as the tutorial does and makes its calls: build with
# `mvn -B verify` here first (after `mvn -B install -DskipTests` at the repository's root).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
java -jar order-provider/target/order-provider-1.0.0.jar > "$work/provider.log" 2>&1 & pids+=($!)
java -jar order-consumer/target/order-consumer-1.0.0.jar > "$work/consumer.log" 2>&1 & pids+=($!)
for port in 8081 8080; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null || { cat "$work"/*.log; echo "port $port never came up"; exit 1; }
done
# tag::calls[]
curl -s -w '\n' -X POST localhost:8080/orders -H 'Content-Type: application/json' \
     -d '{"customer":"ada","lines":[{"sku":"pen","quantity":2,"unitPrice":1.50}]}'
curl -s -w '\n' localhost:8080/orders/1
curl -s -w '\n' localhost:8080/orders/42      # {"error":"no order 42","orderId":42}, status 404
curl -s localhost:8080/actuator/prometheus | grep '^rpc_client_requests_seconds_count'
# the provider's rpc port answers HTTP/JSON too, no consumer in between (arguments by name or as an array)
curl -s -w '\n' localhost:7070/com.example.orders.api.OrderService/find -H 'Content-Type: application/json' -d '{"id":1}'
# end::calls[]
echo
