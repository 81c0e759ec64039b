#!/usr/bin/env bash
# Makes a large benchmark perf.data without a KVM guest: the tracepoint samples of a real
# `perf record -e 'kvm:*' -a` file (default the shared kvm-all.perf.data, 8 004 samples) repeated
# until EVENTS, raw payloads unchanged, spread over CPUS CPUs as perf record writes them (each
# CPU's buffer in turn, then FINISHED_ROUND), with the input's attributes, tracing data and other
# feature sections (src/test/java/io/exitscope/bench/PerfDataGenerator.java). When perf is
# installed, checks that `perf script` reads every sample of the result.
# Usage: bench/make-large-perf-data.sh OUT.perf.data [EVENTS=5000000] [CPUS=4] [IN.perf.data]
#   5 M events on 4 CPUs: 468 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(readlink -f "${1:?usage: bench/make-large-perf-data.sh OUT.perf.data [EVENTS] [CPUS] [IN.perf.data]}")
events=${2:-5000000}
cpus=${3:-4}
in=$(readlink -f "${4:-../shared/traces/external/x86-pvm-linux-6.18/perf/kvm-all.perf.data}")
mvn -q test-compile
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mvn -q dependency:build-classpath -Dmdep.outputFile="$tmp/cp" >/dev/null
java -cp "target/test-classes:target/classes:$(cat "$tmp/cp")" io.exitscope.bench.PerfDataGenerator "$in" "$out" "$events" "$cpus"
if command -v perf >/dev/null; then
  n=$(perf script -i "$out" -F event 2>/dev/null | wc -l)
  [ "$n" = "$events" ] || { echo "perf script read $n samples of $events" >&2; exit 1; }
  echo "perf script reads all $n samples"
fi
