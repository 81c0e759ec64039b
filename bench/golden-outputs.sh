#!/usr/bin/env bash
# Writes the outputs of report/compare/model/triage/info on the bundled and shared traces into DIR,
# one file per command, so that a refactoring can be shown to change no byte:
#   bench/golden-outputs.sh /tmp/before   (at the old commit, after mvn -q package -DskipTests)
#   bench/golden-outputs.sh /tmp/after    (at the new commit)
#   diff -r /tmp/before /tmp/after && echo identical
# Commands whose output is meant to change (a new JSON field) show up in the diff; say why in the commit.
set -uo pipefail
out=${1:?usage: bench/golden-outputs.sh DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
x="$here/bin/exitscope"
ext="$here/../shared/traces/external"
mkdir -p "$out"
traces=("$here"/traces/*.dat)
for f in "$ext/x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat" "$ext/x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat" \
         "$ext/x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat" "$ext/text/kvm_exit_vapic.report-filtered.txt" \
         "$ext/x86-pvm-linux-6.18/perf/kvm-stat.perf.data" "$ext/x86-pvm-linux-6.18/perf/kvm-all.perf.data"; do
  [ -f "$f" ] && traces+=("$f")
done
run() { # name, args...
  local name=$1; shift
  "$x" "$@" >"$out/$name.out" 2>"$out/$name.err"; echo "exit $?" >>"$out/$name.err"
}
for t in "${traces[@]}"; do
  b=$(basename "$t")
  run "report-$b" report "$t"
  run "report-json-$b" report --format json "$t"
  run "report-csv-$b" report --format csv "$t"
  run "report-subkey-$b" report --by subkey "$t"
  run "triage-$b" triage "$t"
  run "triage-json-$b" triage --format json "$t"
  run "model-$b" model "$t"
  run "info-$b" info "$t"
done
ab="$here/traces/pvm-ioeventfd-ab.dat"
run compare-ab compare --a-tid 13435 --b-tid 13438 "$ab" "$ab"
run compare-ab-json compare --format json --a-tid 13435 --b-tid 13438 "$ab" "$ab"
run compare-s390 compare "$here/traces/sim-s390-diag500-ioeventfd-off.dat" "$here/traces/sim-s390-diag500-ioeventfd-on.dat"
run model-s390-switch model "$here/traces/sim-s390-diag500-ioeventfd-off.dat" --switch ioeventfd=on
ls "$out" | wc -l | sed 's/$/ files written/'
