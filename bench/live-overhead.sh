#!/usr/bin/env bash
# What `exitscope live --batch` costs: (a) the highest exerciser event rate it follows with zero lost
# events at the default buffer size, and exitscope's own CPU time per million events; (b) the
# exerciser's exit rate untraced, traced into an instance nothing reads, and traced by exitscope
# live — the ratio of the last two is exitscope's own overhead on the guest; (c) catch-up: how
# fast exitscope drains a backlog (it is stopped while the exerciser fills its buffer, then
# resumed) — the rate it can follow, beyond what the exerciser can produce here.
#
# The vCPU (the exerciser) is pinned to one CPU, exitscope (or nothing) to another. Each measurement
# runs the exerciser twice in a row under the same tracing: a warm-up run (exitscope's JIT compiles
# its hot paths), then the measured run. Everything is filtered to the exerciser (set_event_pid on
# a parent shell, with event-fork; live -p), so other VMs on the host stay out of the figures; the
# shell is stopped until tracing is on, so no event is missed. Needs root, tracefs, /dev/kvm, and
# the jar and exerciser built (mvn package). Figures measured here: bench/README.md.
# exitscope runs with bin/exitscope's JVM options (tiered: C2's code); to compare others (e.g. C1
# only, the launcher's choice until 2026-12-05, see bench/README.md), set EXITSCOPE_JAVA_OPTS, e.g.
#   EXITSCOPE_JAVA_OPTS="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" bench/live-overhead.sh --only a
set -euo pipefail

prog=$(basename "$0")
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
Usage: $prog [options]

  --modes "M ..."     exerciser modes for (a) (default "pio mixed mmio hlt pio-ioeventfd")
  --ab-mode M         exerciser mode for (b) (default pio-ioeventfd: the most events per second)
  --warmup S          warm-up run before each measured run, seconds (default 3)
  --seconds S         measured run, seconds (default 4)
  --rounds N          repetitions; medians are printed (default 5)
  --vcpu-cpu C        CPU of the exerciser's vCPU (default 0)
  --tool-cpu C        CPU of exitscope (default 1)
  --buffer-kb KB      buffer of exitscope's instance (default: exitscope's default, 8192)
  --only a|b|c        run one part only
  --catchup-kb KB     (c) buffer per CPU for the backlog (default 131072)
  --control           (b) also: the unread instance while a busy loop runs on the tool CPU (what
                      merely keeping that CPU busy costs the vCPU on this host, e.g. shared cores)
  -h, --help          this help

Exit status 0 ok, 1 failure, 2 missing needs (root, tracefs, /dev/kvm, build).
EOF
}

modes="pio mixed mmio hlt pio-ioeventfd" ab_mode=pio-ioeventfd warmup=3 seconds=4 rounds=5 vcpu_cpu=0 tool_cpu=1
buffer_kb="" only="" control=0 catchup_kb=131072
while [ $# -gt 0 ]; do
  case "$1" in
    --modes) modes=$2; shift 2 ;;
    --ab-mode) ab_mode=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --vcpu-cpu) vcpu_cpu=$2; shift 2 ;;
    --tool-cpu) tool_cpu=$2; shift 2 ;;
    --buffer-kb) buffer_kb=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --catchup-kb) catchup_kb=$2; shift 2 ;;
    --control) control=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown option $1" >&2; usage >&2; exit 1 ;;
  esac
done

ex=$repo/target/native/kvm-exerciser
exitscope=$repo/bin/exitscope
tfs=/sys/kernel/tracing
[ "$(id -u)" = 0 ] || { echo "$prog: needs root" >&2; exit 2; }
[ -f "$tfs/trace_clock" ] || { echo "$prog: no tracefs at $tfs" >&2; exit 2; }
[ -x "$ex" ] || { echo "$prog: $ex not built: mvn package" >&2; exit 2; }
[ -f "$repo/target/exitscope.jar" ] || { echo "$prog: target/exitscope.jar not built: mvn package" >&2; exit 2; }
tmp=$(mktemp -d)
inst=""
cleanup() {
  # our own unread instance, if any (exitscope removes its own)
  if [ -n "$inst" ] && [ -d "$tfs/instances/$inst" ]; then
    echo 0 > "$tfs/instances/$inst/tracing_on" 2>/dev/null || true
    rmdir "$tfs/instances/$inst" 2>/dev/null || true
  fi
  # children: exitscope first gets SIGCONT + SIGTERM so it removes its own instance, then KILL
  local p
  for p in $(jobs -p); do kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 30); do [ -z "$(jobs -pr)" ] && break; sleep 0.1; done
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
"$ex" --iterations 1 >/dev/null 2>"$tmp/probe.err" || { echo "$prog: /dev/kvm not usable: $(cat "$tmp/probe.err")" >&2; exit 2; }
hz=$(getconf CLK_TCK)

# the events exitscope enables (TracefsInstance.KVM_EVENTS) that this kernel has
events=""
for e in kvm_exit kvm_entry kvm_pio kvm_mmio kvm_fast_mmio kvm_msr kvm_cr kvm_hypercall kvm_userspace_exit kvm_fpu; do
  [ -d "$tfs/events/kvm/$e" ] && events="$events $e"
done

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "nan"; else print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2 }'; }
jnum() { grep -o "\"$2\":[-0-9.]*" "$1" | tail -1 | cut -d: -f2; }      # last occurrence of a numeric field
jsum() { grep -o "\"$2\":{[^}]*}" "$1" | grep -o ':[0-9]*' | tr -d : | awk '{s+=$1} END{print s+0}'; }  # sum of an object's values
cputicks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU ticks of a JVM's threads except its JIT compiler threads (a one-off cost of the first seconds)
cputicks_nojit() {
  local t s=0 c
  for t in /proc/"$1"/task/*; do
    c=$(cat "$t/comm" 2>/dev/null || true)
    case "$c" in C1\ CompilerThre*|C2\ CompilerThre*) continue ;; esac
    s=$(( s + $(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0) ))
  done
  echo "$s"
}

# exits the guest caused (out + mmio write + hlt) per second, from an exerciser JSON file
rate_of() {
  awk -v w="$(jsum "$1" guest_writes_by_port)" -v m="$(jnum "$1" guest_mmio_writes)" -v h="$(jnum "$1" guest_hlts)" \
      -v ns="$(jnum "$1" elapsed_ns)" 'BEGIN{ printf "%.0f", (w+m+h)/(ns/1e9) }'
}
# kvm events of one run where kvm_exit/kvm_entry never fire (as here, KVM on PVM): one kvm_pio per
# out, one kvm_mmio per mmio write, and per return from KVM_RUN one kvm_userspace_exit + a kvm_fpu pair
events_of() {
  awk -v w="$(jsum "$1" guest_writes_by_port)" -v m="$(jnum "$1" guest_mmio_writes)" -v u="$(jnum "$1" userspace_exits)" \
      'BEGIN{ printf "%.0f", w+m+3*u }'
}

# a shell, stopped, that then runs the exerciser twice (warm-up, measured): sets shpid
start_pair() { # mode
  rm -f "$tmp/warm.json" "$tmp/meas.json"
  sh -c 'kill -STOP $$ && "$0" --mode "$1" --seconds "$2" --cpu "$3" > "$4" && "$0" --mode "$1" --seconds "$5" --cpu "$3" > "$6"' \
    "$ex" "$1" "$warmup" "$vcpu_cpu" "$tmp/warm.json" "$seconds" "$tmp/meas.json" 2> "$tmp/ex.err" &
  shpid=$!
  for _ in $(seq 500); do
    [ "$(awk '{print $3}' /proc/$shpid/stat 2>/dev/null)" = T ] && return 0
    sleep 0.01
  done
  echo "$prog: the exerciser shell did not stop" >&2; exit 1
}

# waits until instance $1 traces: the last event exitscope enables reads 1, then tracing_on reads 1
# (a new instance starts with tracing_on 1 before exitscope switches it off to configure it)
await_tracing() {
  local d=$tfs/instances/$1 last
  last=$(echo $events | awk '{print $NF}')
  for _ in $(seq 2000); do
    if [ "$(cat "$d/events/kvm/$last/enable" 2>/dev/null)" = 1 ] && [ "$(cat "$d/tracing_on" 2>/dev/null)" = 1 ]; then return 0; fi
    sleep 0.005
  done
  return 1
}

# each run_* sets "result"; they run in this shell (not in $(...)) so that they can wait for their children
run_untraced() { # mode
  start_pair "$1"
  kill -CONT "$shpid"; wait "$shpid"
  result=$(rate_of "$tmp/meas.json")
}

run_unread() { # mode: a private instance with the same events, read by nothing; removed afterwards
  start_pair "$1"
  inst=exitscope-bench-$$
  local d=$tfs/instances/$inst
  mkdir "$d"
  echo 0 > "$d/tracing_on"
  if grep -qw mono "$d/trace_clock"; then echo mono > "$d/trace_clock"; fi
  echo 0 > "$d/options/overwrite"
  # big enough that nothing is dropped: dropping is cheaper than recording and would flatter tracing
  echo $(( (warmup + seconds + 2) * 16 * 1024 )) > "$d/buffer_size_kb"
  [ -e "$d/options/event-fork" ] && echo 1 > "$d/options/event-fork"
  echo "$shpid" > "$d/set_event_pid"
  for e in $events; do echo 1 > "$d/events/kvm/$e/enable"; done
  echo 1 > "$d/tracing_on"
  kill -CONT "$shpid"; wait "$shpid"
  echo 0 > "$d/tracing_on"
  local dropped
  dropped=$(awk -F': *' '$1=="dropped events"{s+=$2} END{print s+0}' "$d"/per_cpu/cpu*/stats)
  rmdir "$d"; inst=""
  [ "$dropped" = 0 ] || echo "$prog: warning: the unread instance dropped $dropped events" >&2
  result=$(rate_of "$tmp/meas.json")
}

run_busy() { # mode: the unread instance while a busy loop runs on the tool CPU
  taskset -c "$tool_cpu" sh -c 'while :; do :; done' &
  local burner=$!
  run_unread "$1"
  kill "$burner"; wait "$burner" 2>/dev/null || true
}

# exitscope live --batch (bin/exitscope, its default JVM options) on the tool CPU, filtered to the
# exerciser shell and its children; result:
#   exits/s events/s live_events expected_events lost cpu_s_measured events_measured cpu_s_all cpu_s_measured_nojit cpu_s_start cpu_s_jit
# cpu_s_all is the JVM's CPU time since its exec (bin/exitscope execs it under this pid), start-up
# included; cpu_s_start the part spent before tracing was on; cpu_s_jit the JIT compiler threads'
# part. (Until 2026-12-06 cpu_s_all counted from tracing on and left start-up out: 0.30-0.47 CPU-s,
# 0.06-0.09 per million events of a session here.)
run_live() { # mode
  local lpid
  start_pair "$1"
  local args=(live --batch --duration "$((warmup + seconds + 4))" --format json -p "$shpid")
  [ -n "$buffer_kb" ] && args+=(--buffer-kb "$buffer_kb")
  taskset -c "$tool_cpu" "$exitscope" "${args[@]}" > "$tmp/live.json" 2> "$tmp/live.err" &
  lpid=$!   # taskset and bin/exitscope exec: this is the JVM's pid
  for _ in $(seq 1000); do [ -d "$tfs/instances/exitscope-$lpid" ] && break; sleep 0.01; done
  await_tracing "exitscope-$lpid" || { echo "$prog: exitscope did not start tracing: $(cat "$tmp/live.err")" >&2; exit 1; }
  local c0 c1 c2 c3 j1 j2 j3
  c0=$(cputicks "$lpid")
  kill -CONT "$shpid"
  while [ ! -s "$tmp/warm.json" ] && kill -0 "$shpid" 2>/dev/null; do sleep 0.01; done
  c1=$(cputicks "$lpid"); j1=$(cputicks_nojit "$lpid")
  wait "$shpid"
  c2=$(cputicks "$lpid"); j2=$(cputicks_nojit "$lpid")
  sleep 0.3   # the consumer's last events (merge slack 50 ms)
  c3=$(cputicks "$lpid"); j3=$(cputicks_nojit "$lpid")
  wait "$lpid" || { echo "$prog: exitscope failed: $(cat "$tmp/live.err")" >&2; exit 1; }
  local ev lost expw expm
  ev=$(jnum "$tmp/live.json" events)
  lost=$(jnum "$tmp/live.json" lost_events)
  expw=$(events_of "$tmp/warm.json"); expm=$(events_of "$tmp/meas.json")
  result=$(awk -v r="$(rate_of "$tmp/meas.json")" -v em="$expm" -v ns="$(jnum "$tmp/meas.json" elapsed_ns)" -v ev="$ev" \
      -v expt="$((expw + expm))" -v lost="$lost" -v c0="$c0" -v c1="$c1" -v c2="$c2" -v c3="$c3" -v j1="$j1" -v j2="$j2" -v j3="$j3" -v hz="$hz" 'BEGIN{
    printf "%s %.0f %s %s %s %.2f %s %.2f %.2f %.2f %.2f\n", r, em/(ns/1e9), ev, expt, lost, (c2-c1)/hz, em, c3/hz, (j2-j1)/hz, c0/hz, (c3-j3)/hz }')
}

echo "# $prog: vCPU (exerciser) on CPU $vcpu_cpu, exitscope on CPU $tool_cpu; warm-up $warmup s + measured $seconds s; $rounds rounds"
echo "# events:$events; $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# exitscope JVM options: ${EXITSCOPE_JAVA_OPTS:-the defaults of bin/exitscope}"

if [ -z "$only" ] || [ "$only" = a ]; then
  echo
  echo "(a) exitscope live --batch following the exerciser at full speed (buffer ${buffer_kb:-default})"
  echo "cpu-s/M: exitscope's CPU seconds per million events in the measured run; no-JIT: without its JIT compiler"
  echo "threads (still compiling after the warm-up; a one-off cost); session: the whole run from the JVM's exec,"
  echo "start-up included, per event it saw; start-s: CPU seconds before tracing was on (JVM, command line, tracefs);"
  echo "jit-s: CPU seconds of the JIT compiler threads over the session"
  printf "%-14s %5s %10s %10s %10s %10s %6s %8s %8s %8s %7s %7s\n" mode round exits/s events/s "events" "expected" lost "cpu-s/M" "no-JIT" "session" "start-s" "jit-s"
  declare -A med_rate med_lost med_cpu med_cpu_all med_cpu_nojit
  for m in $modes; do
    rates=() losts=() cpus=() alls=() nojits=()
    for r in $(seq "$rounds"); do
      run_live "$m"
      read -r xr evs ev exp lost cm em call cnj cst cjit <<< "$result"
      per=$(awk -v c="$cm" -v e="$em" 'BEGIN{ printf "%.3f", (e>0 ? c/e*1e6 : 0) }')
      pernj=$(awk -v c="$cnj" -v e="$em" 'BEGIN{ printf "%.3f", (e>0 ? c/e*1e6 : 0) }')
      perall=$(awk -v c="$call" -v e="$ev" 'BEGIN{ printf "%.3f", (e>0 ? c/e*1e6 : 0) }')
      printf "%-14s %5s %10s %10s %10s %10s %6s %8s %8s %8s %7s %7s\n" "$m" "$r" "$xr" "$evs" "$ev" "$exp" "$lost" "$per" "$pernj" "$perall" "$cst" "$cjit"
      rates+=("$evs"); losts+=("$lost"); cpus+=("$per"); alls+=("$perall"); nojits+=("$pernj")
    done
    med_rate[$m]=$(printf "%s\n" "${rates[@]}" | median)
    med_cpu[$m]=$(printf "%s\n" "${cpus[@]}" | median)
    med_cpu_nojit[$m]=$(printf "%s\n" "${nojits[@]}" | median)
    med_cpu_all[$m]=$(printf "%s\n" "${alls[@]}" | median)
    med_lost[$m]=$(printf "%s\n" "${losts[@]}" | sort -g | tail -1)
  done
  echo
  echo "medians per mode: events/s of the measured run, worst lost events, exitscope CPU-s per million events"
  echo "(measured run | without JIT compiler threads | whole session including JVM start-up)"
  top=0 topm=""
  for m in $modes; do
    printf "  %-14s %10.0f events/s  lost %-6s  %s | %s | %s CPU-s/M\n" "$m" "${med_rate[$m]}" "${med_lost[$m]}" "${med_cpu[$m]}" "${med_cpu_nojit[$m]}" "${med_cpu_all[$m]}"
    if [ "${med_lost[$m]}" = 0 ] && awk -v a="${med_rate[$m]}" -v b="$top" 'BEGIN{exit !(a>b)}'; then top=${med_rate[$m]}; topm=$m; fi
  done
  echo "highest event rate followed with zero lost events: $(printf %.0f "$top") events/s ($topm)"
fi

if [ -z "$only" ] || [ "$only" = b ]; then
  echo
  echo "(b) exerciser exits/s in mode $ab_mode (measured run): untraced, traced into an unread instance, traced by exitscope live"
  printf "%5s %12s %12s %12s %12s\n" round untraced unread live "$( [ "$control" = 1 ] && echo unread+busy || true)"
  u=() t=() l=() bz=()
  for r in $(seq "$rounds"); do
    # rotate the order so drift in the host's load does not favour one variant
    case $(( r % 3 )) in
      1) order="untraced unread live" ;;
      2) order="unread live untraced" ;;
      0) order="live untraced unread" ;;
    esac
    [ "$control" = 1 ] && order="$order busy"
    a="" b="" c="" d=""
    for v in $order; do
      "run_$v" "$ab_mode"
      case $v in untraced) a=$result ;; unread) b=$result ;; live) c=${result%% *} ;; busy) d=$result ;; esac
    done
    printf "%5s %12s %12s %12s %12s\n" "$r" "$a" "$b" "$c" "$d"
    u+=("$a"); t+=("$b"); l+=("$c"); [ -n "$d" ] && bz+=("$d")
  done
  mu=$(printf "%s\n" "${u[@]}" | median); mt=$(printf "%s\n" "${t[@]}" | median); ml=$(printf "%s\n" "${l[@]}" | median)
  echo
  awk -v u="$mu" -v t="$mt" -v l="$ml" 'BEGIN{
    printf "medians: untraced %.0f, unread instance %.0f, exitscope live %.0f exits/s\n", u, t, l
    printf "ratios: unread/untraced %.3f, live/untraced %.3f, live/unread %.3f (exitscope'"'"'s own extra cost to the guest: %.1f%%)\n",
      t/u, l/u, l/t, (t/l-1)*100 }'
  if [ "$control" = 1 ]; then
    mb=$(printf "%s\n" "${bz[@]}" | median)
    awk -v t="$mt" -v b="$mb" -v l="$ml" 'BEGIN{ printf "control: unread instance + busy loop on the tool CPU %.0f exits/s (%.3f of unread; live/control %.3f)\n", b, b/t, l/b }'
  fi
fi

# (c) exitscope follows a warm-up run live (its JIT compiles), is stopped (SIGSTOP: readers and
# consumer alike) while the measured run fills its buffer, then resumed: the 100 ms intervals
# while it drains the backlog give the rate it sustains when there is always work.
run_catchup() { # mode -> result: "backlog_events drain_events drain_seconds lost expected counted"
  local lpid
  rm -f "$tmp/warm.json" "$tmp/meas.json"
  sh -c 'kill -STOP $$ && "$0" --mode "$1" --seconds "$2" --cpu "$3" > "$4" && kill -STOP $$ && "$0" --mode "$1" --seconds "$5" --cpu "$3" > "$6"' \
    "$ex" "$1" "$warmup" "$vcpu_cpu" "$tmp/warm.json" "$seconds" "$tmp/meas.json" 2> "$tmp/ex.err" &
  shpid=$!
  stopped() { [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" = T ]; }
  for _ in $(seq 500); do stopped "$shpid" && break; sleep 0.01; done
  taskset -c "$tool_cpu" "$exitscope" live --batch --interval 100ms --duration "$((warmup + seconds + 12))" --format json \
    --buffer-kb "$catchup_kb" -p "$shpid" > "$tmp/live.json" 2> "$tmp/live.err" &
  lpid=$!
  for _ in $(seq 1000); do [ -d "$tfs/instances/exitscope-$lpid" ] && break; sleep 0.01; done
  await_tracing "exitscope-$lpid" || { echo "$prog: exitscope did not start tracing: $(cat "$tmp/live.err")" >&2; exit 1; }
  kill -CONT "$shpid"
  while [ ! -s "$tmp/warm.json" ] || ! stopped "$shpid"; do kill -0 "$shpid" 2>/dev/null || break; sleep 0.01; done
  sleep 0.5                       # exitscope takes the warm-up run's last events
  kill -STOP "$lpid"
  kill -CONT "$shpid"; wait "$shpid"
  kill -CONT "$lpid"
  wait "$lpid" || { echo "$prog: exitscope failed: $(cat "$tmp/live.err")" >&2; exit 1; }
  local expm
  expm=$(events_of "$tmp/meas.json")
  # interval lines: wall start/end (ns) and events; the drain starts after the one long interval
  # that spans the stop, and its last interval with events is partial: both are left out
  result=$(grep -o '"interval_start_ns":[0-9]*,"interval_end_ns":[0-9]*,"events":[0-9]*' "$tmp/live.json" | tr -c '0-9\n' ' ' |
    awk -v expm="$expm" -v lost="$(jnum "$tmp/live.json" lost_events)" -v total="$(jnum "$tmp/live.json" events)" -v expw="$(events_of "$tmp/warm.json")" '
      { s[NR]=$1; e[NR]=$2; n[NR]=$3 }
      END {
        gap = 0; for (i = 1; i <= NR; i++) if (e[i] - s[i] > 400000000) gap = i
        last = 0; for (i = gap + 1; i <= NR; i++) if (n[i] > 0) last = i
        ev = 0; ns = 0; for (i = gap + 1; i < last; i++) { ev += n[i]; ns += e[i] - s[i] }
        printf "%d %d %.3f %s %d %s\n", expm, ev, ns / 1e9, lost, expm + expw, total }')
}

if [ -z "$only" ] || [ "$only" = c ]; then
  echo
  echo "(c) catch-up: exitscope stopped during the measured run ($ab_mode, $seconds s), then resumed; buffer $catchup_kb KiB per CPU"
  printf "%5s %12s %12s %9s %14s %6s %10s %10s\n" round backlog drained seconds "events/s" lost expected counted
  rates=()
  for r in $(seq "$rounds"); do
    run_catchup "$ab_mode"
    read -r backlog ev secs lost exp counted <<< "$result"
    rate=$(awk -v e="$ev" -v s="$secs" 'BEGIN{ printf "%.0f", (s > 0 ? e/s : 0) }')
    printf "%5s %12s %12s %9s %14s %6s %10s %10s\n" "$r" "$backlog" "$ev" "$secs" "$rate" "$lost" "$exp" "$counted"
    rates+=("$rate")
  done
  echo "median catch-up rate: $(printf "%s\n" "${rates[@]}" | median | xargs printf %.0f) events/s (full 100 ms intervals while the backlog drained)"
fi
