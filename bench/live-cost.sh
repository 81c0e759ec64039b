#!/usr/bin/env bash
# CPU cost of the live path from a cold start, without a KVM guest (where bench/live-overhead.sh
# cannot run): recorded ring-buffer pages of the kvm events `exitscope live` enables go through
# LiveSource's readers (trace_pipe_raw as FIFOs), its merge, the live analysis and a JSON interval
# report per second, in a fresh JVM, paced at RATE events/s for SECONDS
# (src/test/java/io/exitscope/source/live/LiveCostHarness.java). Prints, per JVM option set, the
# medians of CPU seconds per million events over the whole session (JVM start included; the
# pacer thread, which plays the kernel, left out) and without the JIT compiler threads.
# What it leaves out: the real tracefs reads (splice from the ring buffer instead of a pipe), the
# kernel's wake-ups, picocli start-up of the `live` command, and the guest: bench/live-overhead.sh
# on a host with /dev/kvm measures those.
# Usage: bench/live-cost.sh [RATE=850000] [SECONDS=10] [ROUNDS=3] [TRACE=traces/pvm-ioeventfd-ab.dat]
#   JVM option sets: LIVE_COST_OPTS, sets separated by '|'
#   (default: the launcher's options, then C1 only, then no tiered compilation)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-850000}
seconds=${2:-10}
rounds=${3:-3}
trace=$(readlink -f "${4:-traces/pvm-ioeventfd-ab.dat}")
formats=../shared/traces/external/tracefs-formats-linux-6.18
[ -d "$formats" ] || { echo "needs the kernel's format files in $formats (the recording's kernel)" >&2; exit 2; }
command -v mkfifo >/dev/null || { echo "needs mkfifo" >&2; exit 2; }
base="-Xmx256m -XX:+UseSerialGC"
IFS='|' read -r -a sets <<< "${LIVE_COST_OPTS:-$base -XX:TieredStopAtLevel=4|$base -XX:TieredStopAtLevel=1|$base -XX:-TieredCompilation}"
mvn -q test-compile
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mvn -q dependency:build-classpath -Dmdep.outputFile="$tmp/cp" >/dev/null
cp="target/test-classes:target/classes:$(cat "$tmp/cp")"
java -cp "$cp" io.exitscope.source.live.LiveCostHarness prepare "$trace" "$formats" "$tmp/prepared"
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
echo "# $rate events/s for $seconds s, $rounds rounds interleaved; $(nproc) CPUs, load average before $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for i in "${!sets[@]}"; do
    # shellcheck disable=SC2086
    out=$(java ${sets[$i]} -cp "$cp" io.exitscope.source.live.LiveCostHarness run "$tmp/prepared" "$rate" "$seconds")
    echo "round $r [${sets[$i]}] $(echo "$out" | tr '\n' ' ')"
    echo "$out" | awk '/^cpu_s/{print $8, $10, $4}' >> "$tmp/set$i"
    echo "$out" | awk '/^events/{print $8}' >> "$tmp/lost$i"
  done
done
echo
echo "medians: CPU-s per million events (whole session | without JIT threads), JIT CPU-s, worst lost"
for i in "${!sets[@]}"; do
  printf "  %-60s %s | %s   jit %s s   lost %s\n" "${sets[$i]}" "$(cut -d' ' -f1 "$tmp/set$i" | median)" \
    "$(cut -d' ' -f2 "$tmp/set$i" | median)" "$(cut -d' ' -f3 "$tmp/set$i" | median)" "$(sort -g "$tmp/lost$i" | tail -1)"
done
echo "load average after $(cut -d' ' -f1-3 /proc/loadavg)"
