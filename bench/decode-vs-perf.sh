#!/usr/bin/env bash
# Times exitscope against perf script on the same perf.data, whole process, and prints medians
# and ratios. Usage: bench/decode-vs-perf.sh FILE [RUNS]
#   exitscope dump --count FILE            decode only (every sample decoded to its format, in perf's order)
#   exitscope report --format json FILE    decode + exit analysis + report
#   perf script -i FILE > /dev/null        perf's own decode of the same samples (default fields)
# exitscope runs through bin/exitscope, as a user runs it: its JVM options (-Xmx256m, so finishing
# at all shows the heap stays under 256 MB). Max RSS of each process is printed too. The machine is
# noisy: runs are interleaved and medians quoted. A large file: bench/make-large-perf-data.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$(readlink -f "${1:?usage: bench/decode-vs-perf.sh FILE [RUNS]}")
runs=${2:-5}
[ -f target/exitscope.jar ] || mvn -q package -DskipTests
command -v perf >/dev/null || { echo "perf not installed (apt-get install linux-perf)" >&2; exit 1; }
es=bin/exitscope

measure() { # label, command... -> appends "seconds maxrss_kb" to /tmp/bench.$$.$label
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "/tmp/bench.$$.one" "$@" >/dev/null 2>/tmp/bench.$$.err || { cat /tmp/bench.$$.err >&2; exit 1; }
  cat "/tmp/bench.$$.one" >> "/tmp/bench.$$.$label"
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
rm -f /tmp/bench.$$.*
events=$($es dump --count "$file" | awk '$1=="total"{print $2}')
for i in $(seq "$runs"); do
  measure count $es dump --count "$file"
  measure report $es report --format json "$file"
  measure perf perf script -i "$file"
done
c=$(cut -d' ' -f1 /tmp/bench.$$.count | median)
r=$(cut -d' ' -f1 /tmp/bench.$$.report | median)
t=$(cut -d' ' -f1 /tmp/bench.$$.perf | median)
crss=$(cut -d' ' -f2 /tmp/bench.$$.count | sort -n | tail -1)
rrss=$(cut -d' ' -f2 /tmp/bench.$$.report | sort -n | tail -1)
prss=$(cut -d' ' -f2 /tmp/bench.$$.perf | sort -n | tail -1)
echo "file: $file ($(stat -c %s "$file") bytes, $events events), $runs runs each, medians of wall time"
awk -v e="$events" -v c="$c" -v r="$r" -v t="$t" -v crss="$crss" -v rrss="$rrss" -v prss="$prss" 'BEGIN{
  printf "perf script > /dev/null          %7.2f s  %6.2f M events/s              (max RSS %d MB)\n", t, e/t/1e6, prss/1024;
  printf "exitscope dump --count           %7.2f s  %6.2f M events/s  %5.1fx perf  (max RSS %d MB)\n", c, e/c/1e6, t/c, crss/1024;
  printf "exitscope report --format json   %7.2f s  %6.2f M events/s  %5.1fx perf  (max RSS %d MB)\n", r, e/r/1e6, t/r, rrss/1024;
}'
rm -f /tmp/bench.$$.*
