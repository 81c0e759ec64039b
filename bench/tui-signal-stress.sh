#!/usr/bin/env bash
# SIGTERM the live full-screen view at random moments (it redraws every 50 ms) and count the runs
# whose shell screen shows anything afterwards but the exit status: a frame drawn after the
# alternate screen was left. Needs root, tracefs and tmux (no /dev/kvm: an idle view redraws too).
# Usage: bench/tui-signal-stress.sh [RUNS=60] [JAR=target/exitscope.jar]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-60}
jar=$(readlink -f "${2:-target/exitscope.jar}")
[ -f "$jar" ] || { echo "no $jar (mvn -q package -DskipTests)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux not installed" >&2; exit 1; }
bad=0
for i in $(seq "$runs"); do
  t="tmux -L exitscope-stress-$$-$i"
  $t new-session -d -s s -x 80 -y 24 env PS1='$ ' bash --norc --noprofile
  sleep 0.3
  $t send-keys -t s "clear; java -jar $jar live --interval 50ms; echo EXIT=\$?" Enter
  pid=
  for _ in $(seq 100); do
    pid=$(pgrep -f "$jar live" | head -1)
    [ -n "$pid" ] && $t capture-pane -p -t s | grep -q "exitscope live" && break
    sleep 0.1
  done
  [ -n "$pid" ] || { $t kill-server; echo "run $i: the live view did not start" >&2; exit 1; }
  sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
  kill -TERM "$pid"
  for _ in $(seq 100); do $t capture-pane -p -t s | grep -q "EXIT=[0-9]" && break; sleep 0.1; done
  screen=$($t capture-pane -p -t s)
  $t kill-server 2>/dev/null
  if [ "$(echo "$screen" | tr -d '[:space:]')" != 'EXIT=143$' ] && [ "$(echo "$screen" | tr -d '[:space:]')" != 'EXIT=143' ]; then
    bad=$((bad + 1))
    echo "run $i left:"; echo "$screen" | grep -v '^$' | head -4
  fi
done
echo "$bad of $runs runs left something on the shell screen after SIGTERM"
[ "$bad" -eq 0 ]
