#!/usr/bin/env bash
# Optional: GraalVM native images of the samples (profile native, on top of the aot profile's
# processing). Needs a GraalVM JDK with native-image on the PATH (or JAVA_HOME); CI does not run this.
# Then: ./sample-provider/target/sample-provider --server.port=0 --rpc.server.port=7070 ... as demo.sh does.
set -euo pipefail
cd "$(dirname "$0")"
command -v native-image >/dev/null || { echo "native-image not found: install a GraalVM JDK (see docs/aot.md)"; exit 1; }
mvn -B -DskipTests -Paot,native package native:compile -pl sample-provider,sample-consumer -am
ls -l sample-provider/target/sample-provider sample-consumer/target/sample-consumer
