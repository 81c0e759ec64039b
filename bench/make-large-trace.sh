#!/usr/bin/env bash
# Makes a large benchmark trace.dat without a KVM guest: the events of a real recording (default
# the bundled traces/pvm-ioeventfd-ab.dat, 43 998 events) repeated N times back to back, payloads
# unchanged, re-paged with the recording's formats and metadata
# (src/test/java/io/exitscope/bench/LargeTraceGenerator.java), then compressed by trace-cmd itself
# (`trace-cmd convert --compression zstd`: libzstd, frames without checksums, as `trace-cmd record`
# writes them) so that decoding costs what it costs on a real file. Without trace-cmd the generator
# compresses with aircompressor, whose frames carry checksums (slower to read: 1.10 s against 1.04 s
# for `dump --count` of 8.8 M events here).
# Usage: bench/make-large-trace.sh OUT.dat [REPETITIONS=200] [IN.dat]
#   200 repetitions of the bundled trace: 8 799 600 events, 19.6 MB (276 MB uncompressed).
# Where /dev/kvm works, bench/record-exerciser-trace.sh records a real one of any size instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(readlink -f "${1:?usage: bench/make-large-trace.sh OUT.dat [REPETITIONS] [IN.dat]}")
reps=${2:-200}
in=$(readlink -f "${3:-traces/pvm-ioeventfd-ab.dat}")
mvn -q test-compile
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mvn -q dependency:build-classpath -Dmdep.outputFile="$tmp/cp" >/dev/null
java_cp() { java -Xmx2g -cp "target/test-classes:target/classes:$(cat "$tmp/cp")" "$@"; }
gen() { java_cp io.exitscope.bench.LargeTraceGenerator "$in" "$1" "$reps" "$2"; }
total() { java_cp io.exitscope.cli.Main dump --count "$1" | awk '$1=="total"{print $2}'; }
if command -v trace-cmd >/dev/null; then
  gen "$tmp/plain.dat" none
  trace-cmd convert -i "$tmp/plain.dat" -o "$out" --file-version 7 --compression zstd >"$tmp/log" 2>&1 \
    || { cat "$tmp/log" >&2; exit 1; }
  # trace-cmd convert is known to drop a CPU's data on some files (shared/traces/external/README.md)
  a=$(total "$tmp/plain.dat"); b=$(total "$out")
  [ "$a" = "$b" ] || { echo "trace-cmd convert lost events: $a -> $b" >&2; rm -f "$out"; exit 1; }
  echo "$out: $b events, compressed by trace-cmd $(trace-cmd --version 2>/dev/null | awk '/version/{print $3; exit}'), $(stat -c %s "$out") bytes"
else
  echo "trace-cmd not installed: compressing with aircompressor (frames with checksums)" >&2
  gen "$out" zstd
fi
