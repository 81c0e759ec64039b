#!/usr/bin/env bash
# Times exitscope against trace-cmd on the same trace.dat, whole process, and prints medians
# and ratios. Usage: bench/decode-vs-tracecmd.sh FILE [RUNS] [THREADS...]
#   exitscope dump --count --threads N FILE           decode only (every event decoded to its format)
#   exitscope report --format json --threads N FILE   decode + exit analysis + report
# for each N of THREADS (default: 1 and the cores available, the default of --threads)
#   trace-cmd report FILE > /dev/null      trace-cmd's full report (its cheapest full read)
# exitscope runs through bin/exitscope, as a user runs it: its JVM options (-Xmx256m, so finishing
# at all shows the heap stays under 256 MB; EXITSCOPE_JAVA_OPTS overrides them). Max RSS of the
# whole process is printed too. The machine is noisy: runs are interleaved and medians quoted.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$(readlink -f "${1:?usage: bench/decode-vs-tracecmd.sh FILE [RUNS]}")
runs=${2:-5}
shift $(( $# < 2 ? $# : 2 ))
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 $(nproc))
[ "${threads[0]}" = "${threads[-1]}" ] && threads=("${threads[0]}")
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
load=$(cut -d' ' -f1-3 /proc/loadavg)
events=$($es dump --count "$file" | awk '$1=="total"{print $2}')
for i in $(seq "$runs"); do
  for n in "${threads[@]}"; do
    measure "count$n" $es dump --count --threads "$n" "$file"
    measure "report$n" $es report --format json --threads "$n" "$file"
  done
  measure tracecmd trace-cmd report "$file"
done
t=$(cut -d' ' -f1 /tmp/bench.$$.tracecmd | median)
echo "file: $file ($(stat -c %s "$file") bytes, $events events), $runs runs each, medians of wall time; load before: $load"
awk -v e="$events" -v t="$t" 'BEGIN{ printf "trace-cmd report > /dev/null                 %7.2f s  %6.2f M events/s\n", t, e/t/1e6 }'
for n in "${threads[@]}"; do
  c=$(cut -d' ' -f1 /tmp/bench.$$.count$n | median)
  r=$(cut -d' ' -f1 /tmp/bench.$$.report$n | median)
  crss=$(cut -d' ' -f2 /tmp/bench.$$.count$n | sort -n | tail -1)
  rrss=$(cut -d' ' -f2 /tmp/bench.$$.report$n | sort -n | tail -1)
  awk -v e="$events" -v c="$c" -v r="$r" -v t="$t" -v crss="$crss" -v rrss="$rrss" -v n="$n" 'BEGIN{
    printf "exitscope dump --count --threads %-2s        %7.2f s  %6.2f M events/s  %5.1fx trace-cmd  (max RSS %d MB)\n", n, c, e/c/1e6, t/c, crss/1024;
    printf "exitscope report --format json --threads %-2s%7.2f s  %6.2f M events/s  %5.1fx trace-cmd  (max RSS %d MB)\n", n, r, e/r/1e6, t/r, rrss/1024;
  }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f /tmp/bench.$$.*
