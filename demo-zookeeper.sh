#!/usr/bin/env bash
# rpc-boot with ZooKeeper: two providers and one consumer find each other through ZooKeeper, and the
# consumer's calls go round-robin across both providers. Uses the ZooKeeper at $ZK_ADDRESS if set
# (e.g. Debian's zookeeperd: ZK_ADDRESS=127.0.0.1:2181), else starts a throw-away in-process one
# (Curator's test server). Needs Java 17+, Maven and curl.
set -euo pipefail
cd "$(dirname "$0")"

echo "== building the samples"
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt -pl sample-provider,sample-consumer,rpc-registry-zookeeper -am

mkdir -p logs
work=$(mktemp -d)
pids=()
stop() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # FILE REGEX: prints the last number of the first matching line (60 s at most)
  for _ in $(seq 1 120); do
    if m=$(grep -m1 -oE "$2" "$1" 2>/dev/null); then echo "$m" | grep -oE '[0-9]+$'; return 0; fi
    sleep 0.5
  done
  echo "timed out waiting for '$2' in $1:" >&2; tail -n 40 "$1" >&2; return 1
}

if [ -z "${ZK_ADDRESS:-}" ]; then
  echo "== starting a throw-away ZooKeeper"
  zk=rpc-registry-zookeeper
  java -cp "$zk/target/test-classes:$zk/target/classes:$(cat $zk/target/test-classpath.txt)" \
    io.rpcboot.registry.zookeeper.LocalZooKeeper > "$work/zk.out" 2>&1 &
  pids+=($!)
  ZK_ADDRESS="127.0.0.1:$(wait_for "$work/zk.out" 'ZOOKEEPER [0-9.]+:[0-9]+')"
fi
echo "   ZooKeeper at $ZK_ADDRESS"
export ZK_ADDRESS

for n in 1 2; do
  echo "== starting provider-$n"
  java -jar sample-provider/target/sample-provider-exec.jar --spring.profiles.active=zookeeper --server.port=0 \
    --rpc.server.port=0 --rpc.server.host=127.0.0.1 --sample.instance=provider-$n \
    --logging.file.name=logs/sample-provider-$n.log > "$work/provider-$n.out" 2>&1 &
  pids+=($!)
  echo "   rpc on port $(wait_for "$work/provider-$n.out" 'rpc server listening on [0-9.]+:[0-9]+')"
done

echo "== starting the consumer"
java -jar sample-consumer/target/sample-consumer.jar --spring.profiles.active=zookeeper --server.port=0 \
  > "$work/consumer.out" 2>&1 &
pids+=($!)
http=$(wait_for "$work/consumer.out" 'Tomcat started on port [0-9]+')

echo
echo "== ten calls through the consumer (round-robin across the two providers)"
for i in $(seq 1 10); do
  curl -sS "http://127.0.0.1:$http/greet?name=call-$i"; echo
done | tee "$work/answers.txt"
echo
echo "== answers per provider"
grep -oE 'provider-[0-9]+' "$work/answers.txt" | sort | uniq -c
[ "$(grep -oE 'provider-[0-9]+' "$work/answers.txt" | sort -u | wc -l)" = 2 ] || { echo "both providers should answer"; exit 1; }

echo
echo "== consumer /actuator/rpc: registry"
curl -sS "http://127.0.0.1:$http/actuator/rpc" | grep -oE '"registry":\{[^}]*\}'
echo "== stopping"
stop
echo "demo finished"
