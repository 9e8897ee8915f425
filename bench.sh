#!/usr/bin/env bash
# Runs the benchmark matrix (rpc-boot vs gRPC-java vs a raw NIO floor; payloads 64 B, 1 KiB, 16 KiB;
# 1, 16, 64, 256 concurrent callers; 3 runs each) and the JMH micro-benchmarks, then writes
# docs/benchmarks.md and docs/benchmarks/*.png. About ten minutes on two cores; run it on a quiet
# machine. Settings can be changed with -Dbench.* options, e.g. ./bench.sh -Dbench.repeats=5
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v fc-list >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -q && apt-get install -y -q fontconfig fonts-dejavu-core # the charts need a font
fi
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -pl rpc-benchmark -am
exec java -Xmx512m -Djava.awt.headless=true "$@" \
  -cp "rpc-benchmark/target/classes:$(cat rpc-benchmark/target/classpath.txt)" io.rpcboot.benchmark.Matrix
