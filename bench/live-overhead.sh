#!/usr/bin/env bash
# What `exitscope live --batch` costs: (a) the highest exerciser event rate it follows with zero lost
# events at the default buffer size, and exitscope's own CPU time per million events; (b) the
# exerciser's exit rate untraced, traced into an instance nothing reads, and traced by exitscope
# live — the ratio of the last two is exitscope's own overhead on the guest.
#
# The vCPU (the exerciser) is pinned to one CPU, exitscope (or nothing) to another. Everything is
# filtered to the exerciser's pid (set_event_pid / live -p), so other VMs on the host stay out of
# the figures; the exerciser is exec'd stopped and continued once tracing is on, so no event of it
# is missed. Needs root, tracefs, /dev/kvm, a built jar and exerciser (mvn package).
# See bench/README.md ("live-overhead.sh") for the figures measured on the development machine.
set -euo pipefail

prog=$(basename "$0")
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
Usage: $prog [options]

  --modes "M ..."     exerciser modes for (a) (default "pio mixed mmio hlt pio-ioeventfd")
  --ab-mode M         exerciser mode for (b) (default pio-ioeventfd: the most events per second)
  --seconds S         exerciser run time per measurement (default 4)
  --rounds N          repetitions; medians are printed (default 5)
  --vcpu-cpu C        CPU of the exerciser's vCPU (default 0)
  --tool-cpu C        CPU of exitscope (default 1)
  --buffer-kb KB      buffer of exitscope's instance (default: exitscope's default, 8192)
  --only a|b          run one part only
  --control           (b) also: the unread instance with a busy loop on the tool CPU (what merely
                      keeping that CPU busy costs the vCPU on this host, e.g. shared cores)
  -h, --help          this help

Prints one line per measurement and the medians. Exit status 0 ok, 1 failure, 2 missing needs.
EOF
}

modes="pio mixed mmio hlt pio-ioeventfd" ab_mode=pio-ioeventfd seconds=4 rounds=5 vcpu_cpu=0 tool_cpu=1 buffer_kb="" only="" control=0
while [ $# -gt 0 ]; do
  case "$1" in
    --modes) modes=$2; shift 2 ;;
    --ab-mode) ab_mode=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --vcpu-cpu) vcpu_cpu=$2; shift 2 ;;
    --tool-cpu) tool_cpu=$2; shift 2 ;;
    --buffer-kb) buffer_kb=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
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
"$ex" --iterations 1 >/dev/null 2>/tmp/$prog.$$.err || { echo "$prog: /dev/kvm not usable: $(cat /tmp/$prog.$$.err)" >&2; rm -f /tmp/$prog.$$.err; exit 2; }
rm -f /tmp/$prog.$$.err
hz=$(getconf CLK_TCK)
tmp=$(mktemp -d)
inst=""
cleanup() {
  # our own unread instance, if any; exitscope removes its own
  if [ -n "$inst" ] && [ -d "$tfs/instances/$inst" ]; then
    echo 0 > "$tfs/instances/$inst/tracing_on" 2>/dev/null || true
    rmdir "$tfs/instances/$inst" 2>/dev/null || true
  fi
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# the events exitscope enables (TracefsInstance.KVM_EVENTS) that this kernel has
events=""
for e in kvm_exit kvm_entry kvm_pio kvm_mmio kvm_fast_mmio kvm_msr kvm_cr kvm_hypercall kvm_userspace_exit kvm_fpu; do
  [ -d "$tfs/events/kvm/$e" ] && events="$events $e"
done

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "nan"; else print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2 }'; }
jnum() { grep -o "\"$2\":[-0-9.]*" "$1" | tail -1 | cut -d: -f2; }   # last occurrence of a numeric field
cputicks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# starts the exerciser exec'd but stopped (SIGSTOP before exec), in this shell (so it can be
# waited for): sets expid
start_stopped() {
  sh -c 'kill -STOP $$ && exec "$0" "$@"' "$ex" "$@" > "$tmp/ex.json" 2> "$tmp/ex.err" &
  expid=$!
  for _ in $(seq 500); do
    [ "$(awk '{print $3}' /proc/$expid/stat 2>/dev/null)" = T ] && break
    sleep 0.01
  done
}

# exits per second: the guest's exit-causing instructions (out, mmio write, hlt) per second
ex_rate() {
  awk -v it="$(jnum "$tmp/ex.json" iterations)" -v ns="$(jnum "$tmp/ex.json" elapsed_ns)" -v per="$1" \
    'BEGIN{ printf "%.0f", it*per/(ns/1e9) }'
}
exits_per_pass() {
  case "$1" in pio|mmio|hlt) echo 1 ;; mixed|pio-ioeventfd) echo 5 ;; *) echo 1 ;; esac
}

# waits until instance $1 traces: the last event exitscope enables reads 1, then tracing_on reads 1
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
  "$ex" --mode "$1" --seconds "$seconds" --cpu "$vcpu_cpu" > "$tmp/ex.json"
  result=$(ex_rate "$(exits_per_pass "$1")")
}

run_unread() { # mode: a private instance with the same events, read by nothing; removed afterwards
  local pid kb
  start_stopped --mode "$1" --seconds "$seconds" --cpu "$vcpu_cpu"; pid=$expid
  inst=exitscope-bench-$$
  # big enough that nothing is dropped: dropping is cheaper than recording and would flatter tracing
  kb=$(( (seconds + 1) * 20 * 1024 ))
  mkdir "$tfs/instances/$inst"
  local d=$tfs/instances/$inst
  echo 0 > "$d/tracing_on"
  if grep -qw mono "$d/trace_clock"; then echo mono > "$d/trace_clock"; fi
  echo 0 > "$d/options/overwrite"
  echo "$kb" > "$d/buffer_size_kb"
  echo "$pid" > "$d/set_event_pid"
  for e in $events; do echo 1 > "$d/events/kvm/$e/enable"; done
  echo 1 > "$d/tracing_on"
  kill -CONT "$pid"
  wait "$pid"
  echo 0 > "$d/tracing_on"
  local dropped
  dropped=$(awk -F': *' '$1=="dropped events"{s+=$2} END{print s+0}' "$d"/per_cpu/cpu*/stats)
  rmdir "$d"; inst=""
  [ "$dropped" = 0 ] || echo "$prog: warning: the unread instance dropped $dropped events" >&2
  result=$(ex_rate "$(exits_per_pass "$1")")
}

run_busy() { # mode: the unread instance while a busy loop runs on the tool CPU
  taskset -c "$tool_cpu" sh -c 'while :; do :; done' &
  local burner=$!
  run_unread "$1"
  kill "$burner"; wait "$burner" 2>/dev/null || true
}

# exitscope live --batch on the tool CPU, filtered to the exerciser; result:
# "exits/s events events/s lost cpu_s_run cpu_s_steady steady_events total_cpu_s"
run_live() { # mode
  local pid lpid
  start_stopped --mode "$1" --seconds "$seconds" --cpu "$vcpu_cpu"; pid=$expid
  local args=(live --batch --duration "$((seconds + 4))" --format json -p "$pid")
  [ -n "$buffer_kb" ] && args+=(--buffer-kb "$buffer_kb")
  /usr/bin/time -f "%U %S" -o "$tmp/time" taskset -c "$tool_cpu" "$exitscope" "${args[@]}" > "$tmp/live.json" 2> "$tmp/live.err" &
  local tpid=$!
  # time -> taskset -> bin/exitscope -> java: one process, exec'd along the way, so one pid
  for _ in $(seq 1000); do
    lpid=$(pgrep -P "$tpid" | head -1 || true)
    [ -n "$lpid" ] && [ -d "$tfs/instances/exitscope-$lpid" ] && break
    sleep 0.01
  done
  await_tracing "exitscope-$lpid" || { echo "$prog: exitscope did not start tracing: $(cat "$tmp/live.err")" >&2; exit 1; }
  local c0 c1 c2 c3 t1 t2
  c0=$(cputicks "$lpid")
  kill -CONT "$pid"
  sleep 1.5
  c1=$(cputicks "$lpid"); t1=$(date +%s%N)
  wait "$pid"
  c2=$(cputicks "$lpid"); t2=$(date +%s%N)
  sleep 0.5
  c3=$(cputicks "$lpid")
  wait "$tpid" || { echo "$prog: exitscope failed: $(cat "$tmp/live.err")" >&2; exit 1; }
  local ev lost elapsed
  ev=$(jnum "$tmp/live.json" events)
  lost=$(jnum "$tmp/live.json" lost_events)
  elapsed=$(jnum "$tmp/ex.json" elapsed_ns)
  result=$(awk -v r="$(ex_rate "$(exits_per_pass "$1")")" -v ev="$ev" -v lost="$lost" -v ns="$elapsed" -v c0="$c0" -v c1="$c1" -v c2="$c2" \
      -v c3="$c3" -v t1="$t1" -v t2="$t2" -v hz="$hz" -v tt="$(awk '{print $1+$2}' "$tmp/time")" 'BEGIN{
    evs = ev/(ns/1e9); steady_ev = evs*(t2-t1)/1e9
    printf "%s %s %.0f %s %.4f %.4f %.0f %.2f\n", r, ev, evs, lost, (c3-c0)/hz, (c2-c1)/hz, steady_ev, tt }')
}

echo "# $prog: exerciser $ex, exitscope $exitscope; vCPU on CPU $vcpu_cpu, exitscope on CPU $tool_cpu; $seconds s per run, $rounds rounds; events:$events"
echo "# $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$only" != b ]; then
  echo
  echo "(a) exitscope live --batch following the exerciser at full speed (default buffer unless --buffer-kb)"
  printf "%-14s %5s %12s %10s %12s %8s %14s %14s\n" mode round exits/s events events/s lost "cpu-s/M(run)" "cpu-s/M(steady)"
  declare -A best_rate best_lost best_run best_steady
  for m in $modes; do
    runs=() steadies=() rates=() losts=()
    for r in $(seq "$rounds"); do
      run_live "$m"
      read -r xr ev evs lost crun csteady sev ttot <<< "$result"
      perm=$(awk -v c="$crun" -v e="$ev" 'BEGIN{ printf "%.3f", (e>0 ? c/e*1e6 : 0) }')
      pers=$(awk -v c="$csteady" -v e="$sev" 'BEGIN{ printf "%.3f", (e>0 ? c/e*1e6 : 0) }')
      printf "%-14s %5s %12s %10s %12s %8s %14s %14s\n" "$m" "$r" "$xr" "$ev" "$evs" "$lost" "$perm" "$pers"
      runs+=("$perm"); steadies+=("$pers"); rates+=("$evs"); losts+=("$lost")
    done
    best_rate[$m]=$(printf "%s\n" "${rates[@]}" | median)
    best_run[$m]=$(printf "%s\n" "${runs[@]}" | median)
    best_steady[$m]=$(printf "%s\n" "${steadies[@]}" | median)
    best_lost[$m]=$(printf "%s\n" "${losts[@]}" | sort -g | tail -1)
  done
  echo
  echo "medians: mode, events/s, worst lost events, exitscope CPU-s per million events (whole run incl. JIT warm-up | steady state)"
  top=0 topm=""
  for m in $modes; do
    printf "  %-14s %10.0f events/s  lost %-6s  %s | %s\n" "$m" "${best_rate[$m]}" "${best_lost[$m]}" "${best_run[$m]}" "${best_steady[$m]}"
    if [ "${best_lost[$m]}" = 0 ] && awk -v a="${best_rate[$m]}" -v b="$top" 'BEGIN{exit !(a>b)}'; then top=${best_rate[$m]}; topm=$m; fi
  done
  echo "highest rate followed with zero lost events: $(printf %.0f "$top") events/s ($topm)"
fi

if [ "$only" != a ]; then
  echo
  echo "(b) exerciser exits/s in mode $ab_mode: untraced, traced into an unread instance, traced by exitscope live"
  printf "%5s %12s %12s %12s %12s\n" round untraced unread live "$( [ $control = 1 ] && echo unread+busy)"
  u=() t=() l=() bz=()
  for r in $(seq "$rounds"); do
    # rotate the order so drift in the host's load does not favour one variant
    case $(( r % 3 )) in
      1) order="untraced unread live" ;;
      2) order="unread live untraced" ;;
      0) order="live untraced unread" ;;
    esac
    [ "$control" = 1 ] && order="$order busy"
    d=""
    for v in $order; do
      "run_$v" "$ab_mode"
      case $v in untraced) a=$result ;; unread) b=$result ;; live) c=${result%% *} ;; busy) d=$result ;; esac
    done
    printf "%5s %12s %12s %12s %12s\n" "$r" "$a" "$b" "$c" "$d"
    u+=("$a"); t+=("$b"); l+=("$c"); [ -n "$d" ] && bz+=("$d")
  done
  mu=$(printf "%s\n" "${u[@]}" | median); mt=$(printf "%s\n" "${t[@]}" | median); ml=$(printf "%s\n" "${l[@]}" | median)
  if [ "$control" = 1 ]; then
    mb=$(printf "%s\n" "${bz[@]}" | median)
    awk -v t="$mt" -v b="$mb" -v l="$ml" 'BEGIN{ printf "control: unread instance + busy loop on the tool CPU %.0f exits/s (%.3f of unread; live/busy-control %.3f)\n", b, b/t, l/b }'
  fi
  echo
  awk -v u="$mu" -v t="$mt" -v l="$ml" 'BEGIN{
    printf "medians: untraced %.0f, unread instance %.0f, exitscope live %.0f exits/s\n", u, t, l
    printf "ratios: unread/untraced %.3f, live/untraced %.3f, live/unread %.3f (exitscope'"'"'s own extra cost to the guest: %.1f%%)\n",
      t/u, l/u, l/t, (t/l-1)*100 }'
fi
