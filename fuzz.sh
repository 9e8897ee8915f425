#!/usr/bin/env bash
# Fuzzes a live rpc-boot server with mutated frames and prints the figures: rpc-core's FrameFuzzer
# runs a server and a normal client in one JVM and sends the frames over raw sockets. A problem (a
# frame neither answered nor closing its connection within 5 s, a double answer, a leaked buffer,
# a failure reaching an event loop) is printed with the frame's bytes and makes the exit status 1.
# Usage: ./fuzz.sh [frames, default 1000000] [seed, default 1]
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -pl rpc-core test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/fuzz.classpath
exec java -Xmx512m -cp "rpc-core/target/test-classes:rpc-core/target/classes:$(cat rpc-core/target/fuzz.classpath)" \
  io.rpcboot.core.rpc.FrameFuzzer "${1:-1000000}" "${2:-1}"
