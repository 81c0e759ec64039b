#!/usr/bin/env bash
# Times exitscope against trace-cmd on the same trace.dat, whole process, and prints medians
# and ratios. Usage: bench/decode-vs-tracecmd.sh FILE [RUNS]
#   exitscope dump --count FILE            decode only (every event decoded to its format)
#   exitscope report --format json FILE    decode + exit analysis + report
#   trace-cmd report FILE > /dev/null      trace-cmd's full report (its cheapest full read)
# exitscope runs through bin/exitscope, as a user runs it: its JVM options (-Xmx256m, so finishing
# at all shows the heap stays under 256 MB; EXITSCOPE_JAVA_OPTS overrides them). Max RSS of the
# whole process is printed too. The machine is noisy: runs are interleaved and medians quoted.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$(readlink -f "${1:?usage: bench/decode-vs-tracecmd.sh FILE [RUNS]}")
runs=${2:-5}
[ -f target/exitscope.jar ] || mvn -q package -DskipTests
command -v trace-cmd >/dev/null || { echo "trace-cmd not installed (apt-get install trace-cmd)" >&2; exit 1; }
es=bin/exitscope

measure() { # label, command... -> appends "seconds maxrss_kb" to /tmp/bench.$label
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
  measure tracecmd trace-cmd report "$file"
done
c=$(cut -d' ' -f1 /tmp/bench.$$.count | median)
r=$(cut -d' ' -f1 /tmp/bench.$$.report | median)
t=$(cut -d' ' -f1 /tmp/bench.$$.tracecmd | median)
crss=$(cut -d' ' -f2 /tmp/bench.$$.count | sort -n | tail -1)
rrss=$(cut -d' ' -f2 /tmp/bench.$$.report | sort -n | tail -1)
echo "file: $file ($(stat -c %s "$file") bytes, $events events), $runs runs each, medians of wall time"
awk -v e="$events" -v c="$c" -v r="$r" -v t="$t" -v crss="$crss" -v rrss="$rrss" 'BEGIN{
  printf "trace-cmd report > /dev/null     %7.2f s  %6.2f M events/s\n", t, e/t/1e6;
  printf "exitscope dump --count           %7.2f s  %6.2f M events/s  %5.1fx trace-cmd  (max RSS %d MB)\n", c, e/c/1e6, t/c, crss/1024;
  printf "exitscope report --format json   %7.2f s  %6.2f M events/s  %5.1fx trace-cmd  (max RSS %d MB)\n", r, e/r/1e6, t/r, rrss/1024;
}'
rm -f /tmp/bench.$$.*
