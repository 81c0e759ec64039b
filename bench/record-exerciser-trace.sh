#!/usr/bin/env bash
# Records a trace.dat of real KVM exits produced by src/main/c/kvm-exerciser.c.
#
# Used for decoder benchmarks (files with millions of events) and to make test traces whose
# exit counts are known exactly (the exerciser prints them as JSON).  Works in a private tracefs
# instance (instances/exitscope-rec-PID) that is removed on every way out; the top-level tracing
# state is never touched.  Needs root, tracefs, /dev/kvm and trace-cmd (for `extract`).
#
# See bench/README.md for examples, measured rates and the exact commands behind shipped files.
set -euo pipefail

prog=$(basename "$0")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  cat <<EOF
Usage: $prog -o OUT.dat [options]

Runs kvm-exerciser pinned to a CPU while the kvm tracepoints are recorded into a private tracefs
instance, then writes the instance buffer to OUT.dat with 'trace-cmd extract'.

  -o, --output FILE       trace.dat to write (required)
  --mode M                exerciser mode: pio|pio-ioeventfd|mmio|hlt|mixed (default mixed)
  --seconds S             run the exerciser for S seconds
  --iterations N          run the exerciser for N guest loop iterations (default 1000 when
                          neither --seconds nor --iterations is given)
  --ioeventfd             pass --ioeventfd to the exerciser
  --cpu C                 CPU to pin the exerciser to (default 0)
  --exerciser-args "..."  extra arguments for the exerciser (e.g. "--ratio 8 --port 0x600")
  --run "ARGS"            instead of one run built from the options above, run the exerciser
                          once per --run with exactly these arguments (repeatable; runs are
                          sequential, all into the same instance and file; include --cpu)
  --buffer-kb KB          per-CPU ring buffer size in KiB (default $default_buffer_kb = 512 MiB: 15-19
                          million kvm events at 28-36 bytes each, i.e. >= 15 s of the fastest
                          mode; allocated on every CPU; events that do not fit are dropped
                          and reported)
  --clock C               trace_clock (default: global if available, else mono, else local)
  --events "S:E ..."      events to enable (default: "$default_events");
                          events this kernel lacks are skipped with a note
  --exerciser PATH        exerciser binary (default target/native/kvm-exerciser; built with gcc
                          from src/main/c/kvm-exerciser.c into a temp dir if missing or stale)
  --no-pid-filter         record kvm events of every process, not only the exerciser's
  --no-kallsyms           store an empty kallsyms (file ~1 MB smaller; but readers can then not
                          tell whether KVM is built in or a module)
  --trace-cmd-args "..."  extra 'trace-cmd extract' options, e.g. "--compression none"
                          (default: trace-cmd's own, v7 + zstd here; extract cannot write v6)
  -h, --help              this help

Prints each exerciser JSON line, per-CPU lost events (overrun + dropped events), the number of
events extracted and the file size.  Exit status: 0 ok, 1 failure, 2 no tracefs/KVM/privileges.
EOF
}

default_events="kvm:kvm_pio kvm:kvm_mmio kvm:kvm_userspace_exit kvm:kvm_fpu kvm:kvm_emulate_insn kvm:kvm_exit kvm:kvm_entry"
default_buffer_kb=524288

out="" mode=mixed seconds="" iterations="" ioeventfd=0 cpu=0 extra_args=""
buffer_kb=$default_buffer_kb clock="" events=$default_events exerciser="" pid_filter=1 tc_args="" kallsyms=1
runs=()

need_arg() { [ $# -ge 2 ] || { echo "$prog: $1 needs a value" >&2; exit 1; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) need_arg "$@"; out=$2; shift 2 ;;
    --mode) need_arg "$@"; mode=$2; shift 2 ;;
    --seconds) need_arg "$@"; seconds=$2; shift 2 ;;
    --iterations) need_arg "$@"; iterations=$2; shift 2 ;;
    --ioeventfd) ioeventfd=1; shift ;;
    --cpu) need_arg "$@"; cpu=$2; shift 2 ;;
    --exerciser-args) need_arg "$@"; extra_args=$2; shift 2 ;;
    --run) need_arg "$@"; runs+=("$2"); shift 2 ;;
    --buffer-kb) need_arg "$@"; buffer_kb=$2; shift 2 ;;
    --clock) need_arg "$@"; clock=$2; shift 2 ;;
    --events) need_arg "$@"; events=$2; shift 2 ;;
    --exerciser) need_arg "$@"; exerciser=$2; shift 2 ;;
    --no-pid-filter) pid_filter=0; shift ;;
    --no-kallsyms) kallsyms=0; shift ;;
    --trace-cmd-args) need_arg "$@"; tc_args=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
[ -n "$out" ] || { echo "$prog: -o OUT.dat is required (see --help)" >&2; exit 1; }
if ! [[ $buffer_kb =~ ^[1-9][0-9]*$ ]]; then
  echo "$prog: --buffer-kb must be a positive integer" >&2; exit 1
fi
if [ ${#runs[@]} -eq 0 ]; then
  r="--mode $mode --cpu $cpu"
  [ -n "$seconds" ] && r+=" --seconds $seconds"
  [ -n "$iterations" ] && r+=" --iterations $iterations"
  [ "$ioeventfd" = 1 ] && r+=" --ioeventfd"
  [ -n "$extra_args" ] && r+=" $extra_args"
  runs=("$r")
fi

[ "$(id -u)" = 0 ] || { echo "$prog: must run as root (tracefs and /dev/kvm)" >&2; exit 2; }
command -v trace-cmd >/dev/null ||
  { echo "$prog: trace-cmd not found (apt-get install trace-cmd)" >&2; exit 2; }

# ---- cleanup: everything below registers what it must undo -----------------------------------
tmpdir=$(mktemp -d /tmp/exitscope-rec.XXXXXX)
name=""            # instance name once chosen
inst=""            # instance directory once created
top=""             # stand-in "top level" instance for trace-cmd (see extract_sandboxed)
exer_pid=""        # running exerciser, if any
extract_pid=""     # running trace-cmd extract, if any (its output is partial until it ends)
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in "$exer_pid" "$extract_pid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  if [ -n "$extract_pid" ]; then   # interrupted while extracting: remove the partial output
    rm -f "$out" "$out".cpu* "$out.$name".cpu* 2>/dev/null || true
  fi
  local d
  for d in "$inst" "$top"; do
    if [ -z "$d" ] || [ ! -d "$d" ]; then continue; fi
    echo 0 > "$d/tracing_on" 2>/dev/null || true
    # rmdir fails with EBUSY while a reader still has a file open: retry briefly.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      rmdir "$d" 2>/dev/null && break
      sleep 0.2
    done
    [ -d "$d" ] && echo "$prog: WARNING: could not remove $d" >&2
  done
  rm -rf "$tmpdir"
  exit "$rc"
}
# First Ctrl-C: the exerciser stops at the end of its current guest loop pass and the trace is
# still written.  A second one (or any INT outside a run) aborts; TERM always aborts.
interrupted=0
on_int() {
  if [ -n "$exer_pid" ] && [ "$interrupted" = 0 ]; then
    interrupted=1
    echo "$prog: interrupted: stopping the exerciser; the trace is still written (Ctrl-C again to abort)" >&2
    kill -INT "$exer_pid" 2>/dev/null || true
  else
    exit 130
  fi
}
trap cleanup EXIT
trap on_int INT
trap 'exit 143' TERM

# ---- exerciser ---------------------------------------------------------------------------------
src="$repo/src/main/c/kvm-exerciser.c"
if [ -z "$exerciser" ]; then
  exerciser="$repo/target/native/kvm-exerciser"
  if [ ! -x "$exerciser" ] || { [ -f "$src" ] && [ "$src" -nt "$exerciser" ]; }; then
    command -v gcc >/dev/null || { echo "$prog: gcc not found to build $src" >&2; exit 1; }
    exerciser="$tmpdir/kvm-exerciser"
    gcc -O2 -Wall -Wextra -std=gnu11 -o "$exerciser" "$src"
  fi
fi
[ -x "$exerciser" ] || { echo "$prog: exerciser not executable: $exerciser" >&2; exit 1; }

# ---- tracefs -------------------------------------------------------------------------------------
tracefs=""
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
  if [ -d "$d/instances" ]; then tracefs=$d; break; fi
done
if [ -z "$tracefs" ]; then
  # Mounting tracefs changes no tracing state; it is left mounted (as trace-cmd does).
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
    { echo "$prog: tracefs is not mounted and cannot be mounted at /sys/kernel/tracing" >&2; exit 2; }
  tracefs=/sys/kernel/tracing
fi

# Instances left by a run of this script that was killed with SIGKILL: remove those whose
# owner pid is gone (a live or reused pid keeps its instance: the safe side).
for d in "$tracefs"/instances/exitscope-rec-*; do
  [ -d "$d" ] || continue
  owner=${d##*/exitscope-rec-}
  owner=${owner%-top}
  [[ $owner =~ ^[0-9]+$ ]] || continue
  if ! kill -0 "$owner" 2>/dev/null && rmdir "$d" 2>/dev/null; then
    echo "$prog: removed stale instance ${d##*/}" >&2
  fi
done

name="exitscope-rec-$$"
inst="$tracefs/instances/$name"
mkdir "$inst" || { inst=""; echo "$prog: cannot create tracefs instance $name" >&2; exit 2; }
echo 0 > "$inst/tracing_on"          # a new instance starts with tracing on: configure first
# Stand-in for the top level during 'trace-cmd extract' (see extract_sandboxed); never traces.
top="$tracefs/instances/$name-top"
mkdir "$top" || { top=""; echo "$prog: cannot create tracefs instance $name-top" >&2; exit 2; }
echo 0 > "$top/tracing_on"
echo 4 > "$top/buffer_size_kb" 2>/dev/null || true
echo 0 > "$inst/options/overwrite"   # full buffer drops new events and counts them: no silent loss
ts_setup=$(date +%s%N)
if ! echo "$buffer_kb" > "$inst/buffer_size_kb" 2>/dev/null; then
  echo "$prog: cannot set buffer_size_kb=$buffer_kb (not enough memory?)" >&2; exit 1
fi

avail_clocks=$(cat "$inst/trace_clock")
if [ -z "$clock" ]; then
  # Must be ordered across CPUs: the vCPU thread may migrate, and runs may use different CPUs.
  for c in global mono boot local; do
    if [[ " ${avail_clocks//[\[\]]/} " == *" $c "* ]]; then clock=$c; break; fi
  done
fi
echo "$clock" > "$inst/trace_clock" ||
  { echo "$prog: trace_clock '$clock' not available ($avail_clocks)" >&2; exit 1; }
# trace-cmd 3.1.6 labels every buffer with the *top-level* clock: give the stand-in the same one.
echo "$clock" > "$top/trace_clock"

enabled=()
for ev in $events; do
  sys=${ev%%:*} e=${ev#*:}
  if [ "$sys" = "$ev" ]; then sys=kvm; fi
  if [ -f "$inst/events/$sys/$e/enable" ]; then
    echo 1 > "$inst/events/$sys/$e/enable"
    enabled+=("$sys:$e")
  else
    echo "$prog: note: event $sys:$e does not exist on this kernel, skipped" >&2
  fi
done
[ ${#enabled[@]} -gt 0 ] || { echo "$prog: none of the events exist: $events" >&2; exit 1; }

# ---- extraction without touching the top level ------------------------------------------------
# 'trace-cmd extract -B NAME' (3.1.6) also resets the *top-level* tracing state: it consumes the
# global per-CPU buffers, writes tracing_on, events/enable (0), every events/*/filter, truncates
# 'trace' and sets current_tracer=nop (seen with strace).  So it runs in a private mount namespace
# in which /sys/kernel/tracing is a directory of symlinks: its top-level entries point into the
# stand-in instance $name-top, instances/$name points at the real recording instance, and only
# read-only top-level files (saved_cmdlines, printk_formats, ...) point at the real top level.
# Whatever trace-cmd resets lands in our two instances; the namespace vanishes with the process.
# (Its temporary OUT.cpuN files are written next to OUT: allow twice the file's size on disk.)
# Runs as a background job: it execs, so the job's pid is trace-cmd's pid (see cleanup).
extract_sandboxed() {
  local real="$tmpdir/real" fake="$tmpdir/fake"
  mkdir -p "$real" "$fake/instances"
  # shellcheck disable=SC2016
  exec unshare --mount --propagation private -- bash -euc '
    tracefs=$1 name=$2 real=$3 fake=$4 out=$5 tc_args=$6 kallsyms=$7
    mounts=$(awk '\''$3 == "tracefs" { print $2 }'\'' /proc/self/mounts)
    mount --bind "$tracefs" "$real"
    for e in "$real/instances/$name-top"/*; do ln -s "$e" "$fake/${e##*/}"; done
    ln -s "$real/instances/$name" "$fake/instances/$name"
    for f in saved_cmdlines saved_tgids printk_formats available_events README; do
      [ -e "$real/$f" ] && [ ! -e "$fake/$f" ] && ln -s "$real/$f" "$fake/$f"
    done
    for mp in $mounts; do mount --bind "$fake" "$mp"; done
    # trace-cmd also sets kernel.kptr_restrict to 0 while it reads /proc/kallsyms (and puts the
    # old value back): let it write to a private copy instead of the host sysctl.
    if [ -w /proc/sys/kernel/kptr_restrict ]; then
      cat /proc/sys/kernel/kptr_restrict > "$fake.kptr_restrict"
      mount --bind "$fake.kptr_restrict" /proc/sys/kernel/kptr_restrict
    fi
    if [ "$kallsyms" = 0 ]; then : > "$fake.kallsyms"; mount --bind "$fake.kallsyms" /proc/kallsyms; fi
    # shellcheck disable=SC2086
    exec trace-cmd extract $tc_args -B "$name" -o "$out"
  ' sandbox "$tracefs" "$name" "$real" "$fake" "$(realpath -m "$out")" "$tc_args" "$kallsyms"
}

# ---- run -----------------------------------------------------------------------------------------
echo "# instance $name, clock $clock, buffer ${buffer_kb} KiB/CPU, events: ${enabled[*]}" >&2
# Arm the pid filter before tracing starts (this script's own pid causes no kvm events), so that
# no other process's kvm events get in before the first exerciser has added its pid.
if [ "$pid_filter" = 1 ]; then echo "$$" > "$inst/set_event_pid"; fi
ts_run=$(date +%s%N)
echo 1 > "$inst/tracing_on"
json_lines=()
run_no=0
for r in "${runs[@]}"; do
  run_no=$((run_no + 1))
  # The subshell adds its own pid to the instance's pid filter, then becomes the exerciser
  # (same pid, single-threaded: the vCPU thread is the main thread).
  # shellcheck disable=SC2086
  (
    if [ "$pid_filter" = 1 ]; then echo "$BASHPID" >> "$inst/set_event_pid"; fi
    exec "$exerciser" $r
  ) > "$tmpdir/run$run_no.json" &
  exer_pid=$!
  set +e
  wait "$exer_pid"
  rc=$?
  # 'wait' returns >128 as soon as a trapped signal arrives: then wait for the real status.
  while [ "$rc" -gt 128 ] && [ "$interrupted" = 1 ]; do
    wait "$exer_pid"
    rc=$?
  done
  set -e
  exer_pid=""
  if [ "$rc" -ne 0 ]; then
    echo "$prog: exerciser run $run_no ($r) failed with exit code $rc" >&2
    cat "$tmpdir/run$run_no.json" >&2 || true
    [ "$rc" -eq 2 ] && exit 2
    exit 1
  fi
  json_lines+=("$(cat "$tmpdir/run$run_no.json")")
  if [ "$interrupted" = 1 ]; then break; fi
done
echo 0 > "$inst/tracing_on"

# ---- stats before extraction (extract consumes the buffer) -------------------------------------
lost_total=0 entries_total=0
lost_report=""
for stats in "$inst"/per_cpu/cpu*/stats; do
  cpuname=$(basename "$(dirname "$stats")")
  entries=$(awk -F': *' '$1=="entries"{print $2}' "$stats")
  overrun=$(awk -F': *' '$1=="overrun"{print $2}' "$stats")
  dropped=$(awk -F': *' '$1=="dropped events"{print $2}' "$stats")
  bytes=$(awk -F': *' '$1=="bytes"{print $2}' "$stats")
  entries_total=$((entries_total + entries))
  lost_total=$((lost_total + overrun + dropped))
  lost_report+="$cpuname: entries=$entries bytes=$bytes overrun=$overrun dropped=$dropped; "
done

ts_extract=$(date +%s%N)
extract_sandboxed > "$tmpdir/extract.log" 2>&1 &
extract_pid=$!
set +e
wait "$extract_pid"
rc=$?
set -e
extract_pid=""
[ "$rc" -eq 0 ] ||
  { echo "$prog: trace-cmd extract failed:" >&2; cat "$tmpdir/extract.log" >&2; exit 1; }
ts_done=$(date +%s%N)
[ -s "$out" ] || { echo "$prog: trace-cmd extract wrote no $out:" >&2; cat "$tmpdir/extract.log" >&2; exit 1; }

for j in "${json_lines[@]}"; do echo "$j"; done
echo "lost_events: $lost_total (${lost_report%; })"
echo "events_recorded: $entries_total"
secs() { local ms=$(( ($2 - $1) / 1000000 )); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }
echo "seconds: setup $(secs "$ts_setup" "$ts_run") run $(secs "$ts_run" "$ts_extract")" \
  "extract $(secs "$ts_extract" "$ts_done")"
echo "output: $out $(stat -c %s "$out") bytes"
if [ "$lost_total" -gt 0 ]; then
  echo "$prog: WARNING: $lost_total events lost; raise --buffer-kb" >&2
fi
