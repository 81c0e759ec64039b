#!/usr/bin/env bash
# Makes a large benchmark trace.dat without a KVM guest: the events of a real recording (default
# the bundled traces/pvm-ioeventfd-ab.dat, 43 998 events) repeated N times back to back, payloads
# unchanged, re-paged and written as trace.dat v7 zstd with the recording's formats and metadata
# (src/test/java/io/exitscope/bench/LargeTraceGenerator.java). trace-cmd reads the result.
# Usage: bench/make-large-trace.sh OUT.dat [REPETITIONS=200] [IN.dat] [zstd|zlib|none]
#   200 repetitions of the bundled trace: 8 799 600 events, 19.6 MB.
# Where /dev/kvm works, bench/record-exerciser-trace.sh records a real one of any size instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(readlink -f "${1:?usage: bench/make-large-trace.sh OUT.dat [REPETITIONS] [IN.dat]}")
reps=${2:-200}
in=$(readlink -f "${3:-traces/pvm-ioeventfd-ab.dat}")
mvn -q test-compile
cp=$(mktemp); trap 'rm -f "$cp"' EXIT
mvn -q dependency:build-classpath -Dmdep.outputFile="$cp" >/dev/null
java -Xmx2g -cp "target/test-classes:target/classes:$(cat "$cp")" io.exitscope.bench.LargeTraceGenerator "$in" "$out" "$reps" "${4:-zstd}"
