#!/usr/bin/env bash
# rpc-boot before and after a change, side by side in one run: ./bench-compare.sh <git-ref> [-Dbench.* ...]
# Builds <git-ref> in a throw-away worktree (target/bench-before) and this checkout, then alternates
# the two on the same cells (default: 64 B and 16 KiB at 64 callers, 5 rounds) and prints medians and
# ratios. About ten minutes on two cores; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")"
ref=${1:?usage: ./bench-compare.sh <git-ref> [-Dbench.repeats=5 ...]}
shift
before=target/bench-before
rm -rf "$before"; git worktree prune
git worktree add -q --detach "$before" "$ref"
trap 'git worktree remove --force "$before"' EXIT
(cd "$before" && mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -pl rpc-benchmark -am)
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -pl rpc-benchmark -am
before_cp="$PWD/$before/rpc-benchmark/target/classes:$(cat "$before/rpc-benchmark/target/classpath.txt")"
java -Xmx512m "$@" -Dbench.before.cp="$before_cp" \
  -cp "rpc-benchmark/target/classes:$(cat rpc-benchmark/target/classpath.txt)" io.rpcboot.benchmark.BeforeAfter
